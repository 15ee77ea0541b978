import { readFileSync } from 'node:fs';
import { tables } from '../../db/handle.js';
import { afterEach, describe, expect, it } from 'vitest';
import { groupSerial } from '../../src/certificates/serial.js';
import { enqueue } from '../../src/outbox/store.js';
import { eventually, startDingtalk, type DingtalkHarness } from '../helpers/fakes/dingtalk-harness.js';
import { callbackBody } from '../helpers/fakes/dingtalk-sign.js';
import { startFeishu, type FeishuHarness } from '../helpers/fakes/feishu-harness.js';
import { serverError, waitFor } from '../helpers/fakes/feishu-platform.js';
import { BOT_NAME, BOT_OPEN_ID, messageEvent } from '../helpers/fakes/feishu-sign.js';
import { count } from '../helpers/admin.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { pdfText } from '../helpers/pdf.js';
import { addRecord, addTeacher } from '../helpers/seed.js';

/**
 * 学时证明 from chat: a teacher asks over the real webhook (Feishu encrypted+signed, DingTalk signed) and the
 * fake platform receives one upload of the PDF and one file message naming it; retries send nothing twice.
 */

let fh: FeishuHarness | undefined;
let dh: DingtalkHarness | undefined;
let app: TestApp | undefined;
afterEach(async () => {
  await fh?.close();
  await dh?.close();
  await app?.cleanup();
  fh = dh = app = undefined;
});

const TEACHER = 'ou_84aad35d084aa403a838cf73ee18467';

async function feishuSettled(h: FeishuHarness): Promise<void> {
  await waitFor(async () => (await h.inboxRows()).every((r) => r.status !== 'pending'), { what: 'inbox drained' });
  await h.app.outbox.whenIdle();
  await waitFor(async () => (await h.outboxRows()).every((r) => r.status !== 'pending'), { what: 'outbox drained' });
}

async function feishuWithTeacher(): Promise<FeishuHarness> {
  const h = await startFeishu();
  const id = await addTeacher(h.app.db, { employeeNo: 'T0001', name: '张三', school: '第一中学' });
  await addRecord(h.app.db, id, { key: 'R1', date: '2026-03-10', hours: 12, category: '集中培训', project: '新课标研修' });
  expect((await h.send(messageEvent({ text: '绑定 T0001 张三', openId: TEACHER }))).status).toBe(200);
  await feishuSettled(h);
  return h;
}

describe('学时证明 over Feishu', () => {
  it('uploads the PDF (name and serial inside) and sends one file message with its file_key, after the text', async () => {
    const h = (fh = await feishuWithTeacher());
    const before = h.fake.delivered.length;
    expect((await h.send(messageEvent({ text: '学时证明', openId: TEACHER }))).status).toBe(200);
    await feishuSettled(h);

    const [cert] = (await h.app.db.select().from(tables(h.app.db).certificates));
    expect(cert).toBeDefined();
    expect(h.fake.uploads).toHaveLength(1);
    const upload = h.fake.uploads[0];
    expect(upload.fileType).toBe('pdf');
    expect(upload.fileName).toMatch(/^学时证明-T0001-\d{4}-\w{4}\.pdf$/);
    const text = await pdfText(upload.bytes);
    expect(text).toContain('张三');
    expect(text).toContain(groupSerial(cert.serial));

    const sent = h.fake.delivered.slice(before);
    expect(sent.filter((d) => d.msgType === 'file')).toEqual([expect.objectContaining({ content: { file_key: upload.fileKey } })]);
    const words = sent.find((d) => d.msgType === 'text')!;
    expect(words.content.text).toContain(groupSerial(cert.serial));
    expect(words.content.text).toContain(`/verify/${cert.serial}`);
    // Recorded and audited as the CLI does, by the chat account.
    expect(cert.issuedBy).toBe(`feishu:${TEACHER}`);
    expect(await count(h.app, 'audit_log', "action = 'certificate.issue'")).toBe(1);
  });

  it('a redelivered event and a failed file send deliver the file once (the upload may repeat)', async () => {
    const h = (fh = await feishuWithTeacher());
    const event = messageEvent({ text: '开证明 2026', openId: TEACHER });
    // The text goes first; the file message's first try fails with a server error and is retried.
    h.fake.failNext(serverError);
    await h.send(event);
    await h.send(event);
    await feishuSettled(h);
    await waitFor(() => h.fake.delivered.some((d) => d.msgType === 'file'), { what: 'file delivered' });
    await feishuSettled(h);
    expect((await h.app.db.select().from(tables(h.app.db).certificates))).toHaveLength(1);
    expect(h.fake.delivered.filter((d) => d.msgType === 'file')).toHaveLength(1);
    expect(h.fake.delivered.filter((d) => d.msgType === 'text' && String(d.content.text).includes('学时证明'))).toHaveLength(1);
  });

  it('asked in a group, the text and the file go to the teacher by direct message, never to the group', async () => {
    const h = (fh = await feishuWithTeacher());
    const before = h.fake.delivered.length;
    const mention = { key: '@_user_1', name: BOT_NAME, openId: BOT_OPEN_ID };
    await h.send(messageEvent({ chatType: 'group', text: '@_user_1 学时证明', mentions: [mention], openId: TEACHER }));
    await feishuSettled(h);
    const sent = h.fake.delivered.slice(before);
    const file = sent.find((d) => d.msgType === 'file')!;
    expect(file).toMatchObject({ via: 'open_id', to: TEACHER, content: { file_key: h.fake.uploads[0].fileKey } });
    expect(sent.some((d) => d.via !== 'open_id')).toBe(true);
    expect(sent.filter((d) => d.via !== 'open_id').every((d) => d.msgType === 'text' && !String(d.content.text).includes('核验'))).toBe(true);
  });

  it('a row whose stored file is missing fails at once (no upload, no retry, nothing sent)', async () => {
    const h = (fh = await startFeishu());
    const file = { name: '学时证明.pdf', mime: 'application/pdf', sha256: 'f'.repeat(64), size: 10 };
    await enqueue(h.app.db, [{ platform: 'feishu', target: { type: 'user', accountId: TEACHER }, reply: { text: file.name, file }, idempotencyKey: 'missing-file' }], new Date());
    h.app.outbox.kick();
    await feishuSettled(h);
    const [row] = (await h.outboxRows());
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.lastError).toContain('attachment unreadable');
    expect(h.fake.uploads).toHaveLength(0);
    expect(h.fake.delivered).toHaveLength(0);
  });

  it('refuses an unbound account in Chinese and issues nothing', async () => {
    const h = (fh = await startFeishu());
    await h.send(messageEvent({ text: '学时证明', openId: 'ou_stranger000000000000000000001' }));
    await feishuSettled(h);
    expect(h.fake.texts().at(-1)).toContain('您还没有绑定名册');
    expect(h.fake.uploads).toHaveLength(0);
    expect((await h.app.db.select().from(tables(h.app.db).certificates))).toHaveLength(0);
  });

  it('refuses a malformed year in Chinese', async () => {
    const h = (fh = await feishuWithTeacher());
    await h.send(messageEvent({ text: '学时证明 25', openId: TEACHER }));
    await feishuSettled(h);
    expect(h.fake.texts().at(-1)).toContain('年份应为四位数字');
    expect(h.fake.uploads).toHaveLength(0);
  });
});

describe('学时证明 over DingTalk', () => {
  it('uploads media (oapi) and sends one sampleFile through batchSend; a redelivered callback sends nothing twice', async () => {
    const h = (dh = await startDingtalk());
    const id = await addTeacher(h.app.db, { employeeNo: 'T0001', name: '张三', school: '第一中学', policyId: 'laibin' });
    await addRecord(h.app.db, id, { key: 'R1', date: '2026-03-01', hours: 24, category: '集中培训', project: '全员培训' });
    const direct = (text: string) => callbackBody({ kind: 'direct', text, staffId: 'manager4711', sessionWebhook: h.fake.sessionWebhook('s-direct') });
    await h.send(direct('绑定 T0001 张三'));
    await h.settle();
    const body = direct('certificate');
    await h.send(body);
    await h.send(body);
    await h.settle();
    await eventually(() => h.fake.delivered.some((d) => d.kind === 'file'));
    await h.settle();

    const [cert] = (await h.app.db.select().from(tables(h.app.db).certificates));
    expect(h.fake.uploads).toHaveLength(1);
    const text = await pdfText(h.fake.uploads[0].bytes);
    expect(text).toContain('张三');
    expect(text).toContain(groupSerial(cert.serial));
    const files = h.fake.delivered.filter((d) => d.kind === 'file');
    expect(files).toEqual([expect.objectContaining({ via: 'oto', to: 'manager4711', mediaId: h.fake.uploads[0].mediaId, fileType: 'pdf' })]);
    expect(files[0].fileName).toBe(h.fake.uploads[0].fileName);
    expect(h.fake.delivered.filter((d) => d.text.includes(groupSerial(cert.serial)))).toHaveLength(1);
    expect((await h.app.db.select().from(tables(h.app.db).certificates))).toHaveLength(1);
  });
});

describe('学时证明 in the console', () => {
  it('writes the PDF under data/files and prints its path', async () => {
    app = await createTestApp();
    const id = await addTeacher(app.db, { employeeNo: 'T0001', name: '张三', school: '第一中学' });
    await addRecord(app.db, id, { key: 'R1', date: '2026-03-10', hours: 12, category: '集中培训', project: '新课标研修' });
    const texts: string[] = [];
    app.console.onReply((m) => texts.push(m.reply.text));
    await app.console.say('绑定 T0001 张三');
    await app.console.say('学时证明');
    await app.outbox.whenIdle();
    const saved = await eventually(() => texts.map((t) => /学时证明已保存到：(.+\.pdf)/.exec(t)?.[1]).find(Boolean));
    expect(saved.startsWith(app.dir)).toBe(true);
    const [cert] = (await app.db.select().from(tables(app.db).certificates));
    expect(await pdfText(readFileSync(saved))).toContain(groupSerial(cert.serial));
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../../src/core/messages.js';
import { evidenceDirFor, storedPath } from '../../../src/declarations/evidence/files.js';
import { registerEvidence } from '../../../src/declarations/evidence/register.js';
import { findEvidence, insertPending, type EvidenceRow } from '../../../src/declarations/evidence/store.js';
import { EvidenceWorker } from '../../../src/declarations/evidence/worker.js';
import { transaction } from '../../../db/statements.js';
import { eventually, startDingtalk, type DingtalkHarness } from '../../helpers/fakes/dingtalk-harness.js';
import { callbackBody } from '../../helpers/fakes/dingtalk-sign.js';
import { startFeishu, type FeishuHarness } from '../../helpers/fakes/feishu-harness.js';
import { messageEvent } from '../../helpers/fakes/feishu-sign.js';
import { addTeacher } from '../../helpers/seed.js';
import { dingtalkEvidenceWorker, jpeg, pdf, png } from '../../helpers/evidence.js';
import { feishuSettled } from '../../helpers/declaration-chat.js';

/**
 * Evidence downloads against the fake platforms: a real signed webhook brings the attachment, the wizard's call
 * (registerEvidence) registers it, and the app's evidence worker fetches it from the platform, checks it and
 * stores it by hash — or rejects it with a Chinese reason told to the teacher.
 */

let feishu: FeishuHarness | undefined;
let dingtalk: DingtalkHarness | undefined;
let extra: EvidenceWorker | undefined;
afterEach(async () => {
  await extra?.stop();
  await feishu?.close();
  await dingtalk?.close();
  feishu = dingtalk = extra = undefined;
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const OPEN_ID = 'ou_teacher00000000000000000000000a';

/** A Feishu message with one image or file, through the real webhook; returns the message as the bot got it. */
async function sendFeishu(h: FeishuHarness, kind: 'image' | 'file', key: string, bytes: Buffer, name?: string): Promise<IncomingMessage> {
  const content = kind === 'image' ? { image_key: key } : { file_key: key, file_name: name ?? 'x.pdf' };
  const event = messageEvent({ openId: OPEN_ID, messageType: kind, content: JSON.stringify(content) });
  h.fake.putResource(event.event.message.message_id, key, bytes);
  expect((await h.send(event)).status).toBe(200);
  const row = await eventually(async () => (await h.inboxRows()).find((r) => JSON.parse(r.payload).messageId === event.event.message.message_id), 5000, 'message stored');
  return JSON.parse(row.payload) as IncomingMessage;
}

async function feishuApp(env: Record<string, string> = {}) {
  feishu = await startFeishu(env);
  const teacherId = await addTeacher(feishu.app.db, { employeeNo: 'T0001', name: '张三' });
  return { h: feishu, teacherId };
}

/** Registers as the wizard would (in a transaction at the event's time) and waits until the worker settled them. */
async function registerAndSettle(h: { app: FeishuHarness['app'] }, message: IncomingMessage, teacherId: number, worker?: EvidenceWorker): Promise<EvidenceRow[]> {
  const rows = await transaction(h.app.db, (tx) => registerEvidence(tx, message, teacherId, new Date()));
  (worker ?? h.app.evidence).kick();
  const ids = rows.map((r) => r.id);
  const rowsNow = async () => Promise.all(ids.map(async (id) => (await findEvidence(h.app.db, id))!));
  await eventually(async () => (await rowsNow()).every((r) => r.status !== 'pending'), 10_000, 'evidence settled');
  return rowsNow();
}

const incoming = (dir: string) => (existsSync(join(dir, '.incoming')) ? readdirSync(join(dir, '.incoming')) : []);

describe('Feishu evidence', () => {
  it('downloads an image and a PDF with the tenant token, checks them by content and stores them by sha256', async () => {
    const { h, teacherId } = await feishuApp();
    const photo = jpeg(30_000);
    const certificate = pdf(5_000);
    const image = await sendFeishu(h, 'image', 'img_v3_cert_photo', photo);
    const file = await sendFeishu(h, 'file', 'file_v3_cert_pdf', certificate, '结业证书.pdf');

    const [storedImage] = await registerAndSettle(h, image, teacherId);
    const [storedFile] = await registerAndSettle(h, file, teacherId);
    expect(storedImage).toMatchObject({ status: 'stored', kind: 'image', mime: 'image/jpeg', size: photo.length, sha256: sha(photo), teacherId, platform: 'feishu', accountId: OPEN_ID });
    expect(storedFile).toMatchObject({ status: 'stored', kind: 'file', mime: 'application/pdf', fileName: '结业证书.pdf', sha256: sha(certificate) });
    expect(storedImage.storedAt).toBeInstanceOf(Date);

    const dir = evidenceDirFor(h.app.config);
    expect(dir).toBe(join(h.app.dir, 'evidence'));
    expect(readFileSync(storedPath(dir, sha(photo)))).toEqual(photo);
    expect(readFileSync(storedPath(dir, sha(certificate)))).toEqual(certificate);
    expect(incoming(dir)).toEqual([]);

    const requests = h.fake.resourceRequests();
    expect(requests.map((r) => [r.path, r.query.type])).toEqual([
      [`/open-apis/im/v1/messages/${image.messageId}/resources/img_v3_cert_photo`, 'image'],
      [`/open-apis/im/v1/messages/${file.messageId}/resources/file_v3_cert_pdf`, 'file'],
    ]);
    expect(requests.every((r) => r.headers.authorization === `Bearer ${h.fake.token}`)).toBe(true);

    // Registered on a business clock far ahead of real time (XUESHI_NOW), a file is still fetched at once.
    const ahead = await sendFeishu(h, 'image', 'img_ahead', png(2000));
    const [aheadRow] = await transaction(h.app.db, (tx) => registerEvidence(tx, ahead, teacherId, new Date('2031-01-01T00:00:00Z')));
    h.app.evidence.kick();
    await eventually(async () => (await findEvidence(h.app.db, aheadRow.id))?.status === 'stored', 5000, 'stored despite a clock ahead');
    expect((await findEvidence(h.app.db, aheadRow.id))!.createdAt).toEqual(new Date('2031-01-01T00:00:00Z'));

    // A redelivered message (the wizard sees it again) finds the same rows: nothing registered or fetched twice.
    const again = await transaction(h.app.db, (tx) => registerEvidence(tx, image, teacherId, new Date()));
    expect(again.map((r) => r.id)).toEqual([storedImage.id]);
    await h.app.evidence.whenIdle();
    expect(h.fake.resourceRequests()).toHaveLength(3);
  });

  it('after handled events, looks at once only when one of them registered evidence (the bot calls it after every slice)', async () => {
    const { h, teacherId } = await feishuApp();
    await h.app.evidence.stop();
    // A worker that would otherwise only look once a minute.
    extra = new EvidenceWorker({ db: h.app.db, sources: [h.adapter.resources!], dir: evidenceDirFor(h.app.config), maxBytes: 1 << 20, pollMs: 60_000 });
    extra.start();
    const first = await sendFeishu(h, 'image', 'img_registered', png(2000));
    const [registered] = await transaction(h.app.db, (tx) => registerEvidence(tx, first, teacherId, new Date()));
    extra.kickIfRegistered();
    await eventually(async () => (await findEvidence(h.app.db, registered.id))?.status === 'stored', 5000, 'registered evidence fetched at once');
    // The look its freed slot asks for has run too: a due row inserted now is not found by a look already on its way.
    await extra.whenIdle();

    // A due row that no handled event registered (a retry coming due): the poll finds it, not the bot's call.
    const second = await sendFeishu(h, 'image', 'img_unregistered', png(2100));
    await transaction(h.app.db, (tx) =>
      insertPending(tx, [
        { teacherId, platform: 'feishu', messageId: second.messageId!, accountId: OPEN_ID, platformKey: 'img_unregistered', kind: 'image', fileName: null, nextAttemptAt: new Date(0), createdAt: new Date() },
      ]),
    );
    const requests = h.fake.resourceRequests().length;
    for (let i = 0; i < 20; i++) extra.kickIfRegistered();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.fake.resourceRequests()).toHaveLength(requests);

    const third = await sendFeishu(h, 'image', 'img_registered_too', png(2200));
    const [alsoRegistered] = await transaction(h.app.db, (tx) => registerEvidence(tx, third, teacherId, new Date()));
    extra.kickIfRegistered();
    await eventually(async () => (await findEvidence(h.app.db, alsoRegistered.id))?.status === 'stored', 5000, 'the next registration is looked at');
    expect(h.fake.resourceRequests()).toHaveLength(requests + 2);
  });

  it('rejects a file over MAX_EVIDENCE_BYTES without reading past the limit, and tells the teacher', async () => {
    const { h, teacherId } = await feishuApp({ MAX_EVIDENCE_BYTES: String(100 * 1024) });
    // Announced length over the limit: refused before the body is read.
    const big = await sendFeishu(h, 'image', 'img_big_announced', png(300 * 1024));
    // No length announced (chunked): cut off while streaming, as soon as the count passes the limit.
    const streamed = await sendFeishu(h, 'image', 'img_big_chunked', png(300 * 1024));
    h.fake.files.planNext(`${streamed.messageId}/img_big_chunked`, { kind: 'chunked' });

    const [a] = await registerAndSettle(h, big, teacherId);
    const [b] = await registerAndSettle(h, streamed, teacherId);
    for (const row of [a, b]) {
      expect(row).toMatchObject({ status: 'rejected', error: '文件超过 0.1 MB', sha256: null, mime: null });
    }
    const dir = evidenceDirFor(h.app.config);
    expect(incoming(dir)).toEqual([]);
    expect(existsSync(dir) ? readdirSync(dir).filter((n) => n !== '.incoming') : []).toEqual([]);

    await h.app.outbox.whenIdle();
    const told = await eventually(() => (h.fake.texts().filter((t) => t.includes('没有收下')).length === 2 ? h.fake.texts() : null), 5000, 'two notices');
    expect(told.filter((t) => t.includes('没有收下'))[0]).toBe('您发送的图片没有收下：文件超过 0.1 MB。请重新发送证书的照片（JPG、PNG 等）或 PDF 文件。');
    const notices = h.fake.delivered.filter((d) => String(d.content.text).includes('没有收下'));
    expect(notices.every((d) => d.via === 'open_id' && d.to === OPEN_ID)).toBe(true);
  });

  it('rejects a program renamed .jpg and an HTML page sent as a PDF (type by content, not by name)', async () => {
    const { h, teacherId } = await feishuApp();
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00', 'latin1'), randomBytes(4000)]);
    const html = Buffer.from('<!DOCTYPE html><html><script>alert(document.cookie)</script></html>');
    const renamed = await sendFeishu(h, 'file', 'file_exe', exe, '证书.jpg');
    const page = await sendFeishu(h, 'file', 'file_html', html, '证书.pdf');
    const [a] = await registerAndSettle(h, renamed, teacherId);
    const [b] = await registerAndSettle(h, page, teacherId);
    expect(a).toMatchObject({ status: 'rejected', error: '不是 JPG、PNG、GIF、WebP 图片或 PDF 文件', sha256: null });
    expect(b).toMatchObject({ status: 'rejected', error: '不是 JPG、PNG、GIF、WebP 图片或 PDF 文件' });
    await h.app.outbox.whenIdle();
    await eventually(() => h.fake.texts().some((t) => t.includes('您发送的文件「证书.pdf」没有收下')), 5000, 'notice');
    // Each rejection is told once, whatever happens to the row later.
    expect((await h.outboxRows()).filter((r) => r.idempotencyKey.startsWith('evidence:'))).toHaveLength(2);
  });

  it('retries a failed download with backoff until it succeeds; a key the platform does not know is refused for good', async () => {
    const { h, teacherId } = await feishuApp();
    const photo = png(20_000);
    const message = await sendFeishu(h, 'image', 'img_flaky', photo);
    const key = `${message.messageId}/img_flaky`;
    h.fake.files.planNext(key, { kind: 'error', status: 500, body: { code: 1000, msg: 'internal error' } }, { kind: 'cut' });
    const [row] = await registerAndSettle(h, message, teacherId);
    expect(row).toMatchObject({ status: 'stored', sha256: sha(photo), attempts: 3 });
    const times = h.fake.resourceRequests().map((r) => r.at);
    expect(times).toHaveLength(3);
    expect(incoming(evidenceDirFor(h.app.config))).toEqual([]);

    const missing = { ...message, messageId: 'om_not_a_message', eventId: 'ev-missing' };
    const [gone] = await registerAndSettle(h, missing, teacherId);
    expect(gone).toMatchObject({ status: 'rejected', error: '平台不再提供这个文件（可能已撤回或过期）', attempts: 1 });
  });

  it('fetches a new tenant token when Feishu refuses the cached one, and downloads with it', async () => {
    const { h, teacherId } = await feishuApp();
    // A first download caches the token the downloads use. (Waiting only for some token request raced on a loaded
    // machine: a component yet to ask for its token then got the rotated one, and the download needed no retry.)
    const [first] = await registerAndSettle(h, await sendFeishu(h, 'image', 'img_first', png(2000)), teacherId);
    expect(first).toMatchObject({ status: 'stored', attempts: 1 });
    const photo = png(3000);
    const message = await sendFeishu(h, 'image', 'img_token', photo);
    // The bot's answers to these messages go out with the same cached token: one still on its way when the token
    // rotates is refused, fetches the new token, and the download then needs no retry.
    await feishuSettled(h);
    const tokensBefore = h.fake.tokenRequests().length;
    h.fake.rotateToken();
    const [row] = await registerAndSettle(h, message, teacherId);
    expect(row).toMatchObject({ status: 'stored', sha256: sha(photo), attempts: 2 });
    expect(h.fake.tokenRequests().length).toBe(tokensBefore + 1);
    expect(h.fake.resourceRequests().at(-1)!.headers.authorization).toBe(`Bearer ${h.fake.token}`);
  });

  it('gives up after its attempts when the platform keeps failing, and says so', async () => {
    const { h, teacherId } = await feishuApp();
    const message = await sendFeishu(h, 'image', 'img_down', png(1000));
    const failure = { kind: 'error' as const, status: 503, body: { code: 1000, msg: 'unavailable' } };
    h.fake.files.planNext(`${message.messageId}/img_down`, ...Array(10).fill(failure));
    const [row] = await registerAndSettle(h, message, teacherId);
    expect(row).toMatchObject({ status: 'rejected', error: '多次下载都没有成功', attempts: 6 });
  });

  it('cuts a stalled download short on stop, leaving the row to be taken again at once', async () => {
    const { h, teacherId } = await feishuApp();
    const message = await sendFeishu(h, 'image', 'img_stall', png(200_000));
    h.fake.files.planNext(`${message.messageId}/img_stall`, { kind: 'stall' });
    const [row] = await transaction(h.app.db, (tx) => registerEvidence(tx, message, teacherId, new Date()));
    h.app.evidence.kick();
    const dir = evidenceDirFor(h.app.config);
    await eventually(() => incoming(dir).length === 1, 5000, 'download under way');
    const started = performance.now();
    await h.app.evidence.stop();
    expect(performance.now() - started).toBeLessThan(2000);
    const left = (await findEvidence(h.app.db, row.id))!;
    expect(left).toMatchObject({ status: 'pending', claimedUntil: null, attempts: 1 });
    expect(left.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(incoming(dir)).toEqual([]);
  });
});

describe('DingTalk evidence', () => {
  it('exchanges the downloadCode for a downloadUrl (robotCode, app token), fetches it and stores the file', async () => {
    dingtalk = await startDingtalk();
    const h = dingtalk;
    const teacherId = await addTeacher(h.app.db, { employeeNo: 'T0002', name: '李四' });
    const photo = jpeg(50_000);
    h.fake.files.put('dl-code-photo', photo, 'image/jpeg');
    const body = { ...callbackBody({ msgtype: 'picture', staffId: 'lisi01', sessionWebhook: h.fake.sessionWebhook('s-ev') }), content: { downloadCode: 'dl-code-photo' } };
    expect((await h.send(body)).status).toBe(200);
    await h.settle();
    const message = JSON.parse((await h.inboxRows())[0].payload) as IncomingMessage;

    // The DingTalk adapter is built by the harness, outside the app: a worker with its source, as app.ts wires it.
    extra = dingtalkEvidenceWorker(h, { backoffBaseMs: 20 });
    h.fake.files.planNext('dl-code-photo', { kind: 'error', status: 403, body: { code: 'AccessDenied', message: 'Request has expired.' } });
    const [row] = await registerAndSettle(h, message, teacherId, extra);
    expect(row).toMatchObject({ status: 'stored', platform: 'dingtalk', platformKey: 'dl-code-photo', mime: 'image/jpeg', sha256: sha(photo), accountId: 'lisi01', attempts: 2 });
    expect(readFileSync(storedPath(evidenceDirFor(h.app.config), sha(photo)))).toEqual(photo);
    // Each try exchanges the code again (the URL is short-lived).
    const exchanges = h.fake.downloadRequests();
    expect(exchanges).toHaveLength(2);
    expect(exchanges[0].body).toEqual({ downloadCode: 'dl-code-photo', robotCode: 'dingq7x2m4k9p1z8w3v5' });
    expect(typeof exchanges[0].headers['x-acs-dingtalk-access-token']).toBe('string');
  });

  it('refuses a downloadCode DingTalk does not know, without retrying', async () => {
    dingtalk = await startDingtalk();
    const h = dingtalk;
    const teacherId = await addTeacher(h.app.db, { employeeNo: 'T0002', name: '李四' });
    extra = new EvidenceWorker({ db: h.app.db, sources: [h.adapter.resources!], dir: evidenceDirFor(h.app.config), maxBytes: 1 << 20, pollMs: 20 });
    extra.start();
    const message: IncomingMessage = {
      kind: 'message', platform: 'dingtalk', eventId: 'm1', messageId: 'm1', accountId: 'lisi01', chatId: 'c', chatType: 'direct', text: '',
      attachments: [{ kind: 'file', key: 'dl-unknown', name: 'a.pdf' }], receivedAt: 0, replyVia: {},
    };
    const [row] = await registerAndSettle(h, message, teacherId, extra);
    expect(row).toMatchObject({ status: 'rejected', attempts: 1, error: '平台不再提供这个文件（可能已撤回或过期）' });
  });
});

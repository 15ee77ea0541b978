import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tables } from '../../../db/handle.js';
import type { IncomingMessage } from '../../../src/core/messages.js';
import { consoleCommand } from '../../../src/platforms/console/commands.js';
import { ConsoleSession } from '../../../src/platforms/console/session.js';
import { eventually, startDingtalk, type DingtalkHarness } from '../../helpers/fakes/dingtalk-harness.js';
import { callbackBody } from '../../helpers/fakes/dingtalk-sign.js';
import { startFeishu, type FeishuHarness } from '../../helpers/fakes/feishu-harness.js';
import { waitFor } from '../../helpers/fakes/feishu-platform.js';
import { messageEvent } from '../../helpers/fakes/feishu-sign.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

/**
 * Pictures and files people send reach the bot as `attachments` (no text), from each platform's real request:
 * Feishu encrypted and signed events, DingTalk signed callbacks and Stream frames, the console's /attach.
 * With nothing asking for them, the bot still answers that it reads text only.
 */

let feishu: FeishuHarness | undefined;
let dingtalk: DingtalkHarness | undefined;
let app: TestApp | undefined;
afterEach(async () => {
  await feishu?.close();
  await dingtalk?.close();
  await app?.cleanup();
  feishu = dingtalk = app = undefined;
});

const payloads = (rows: { payload: string }[]) => rows.map((r) => JSON.parse(r.payload) as IncomingMessage);

describe('Feishu image, file and post messages', () => {
  it('turns each into attachments keyed by image_key / file_key, and keeps the text-only answer', async () => {
    feishu = await startFeishu();
    const h = feishu;
    const image = messageEvent({ messageType: 'image', content: JSON.stringify({ image_key: 'img_v3_02ab_certificate' }) });
    const file = messageEvent({ messageType: 'file', content: JSON.stringify({ file_key: 'file_v3_00cd_pdf', file_name: '结业证书.pdf' }) });
    const post = messageEvent({
      messageType: 'post',
      content: JSON.stringify({
        title: '证书',
        content: [
          [{ tag: 'text', text: '这是我的证书' }],
          [{ tag: 'img', image_key: 'img_v3_post_1', width: 800, height: 600 }],
          [{ tag: 'img', image_key: 'img_v3_post_2' }, { tag: 'a', href: 'https://example.com', text: '链接' }],
        ],
      }),
    });
    // Some clients send the post under a locale key.
    const localized = messageEvent({
      messageType: 'post',
      minimal: true,
      content: JSON.stringify({ zh_cn: { title: '', content: [[{ tag: 'img', image_key: 'img_v3_locale' }]] } }),
    });
    for (const event of [image, file, post, localized]) expect((await h.send(event)).status).toBe(200);
    await waitFor(async () => (await h.inboxRows()).length === 4 && (await h.inboxRows()).every((r) => r.status === 'done'), { what: 'four handled' });

    const byMessage = new Map(payloads((await h.inboxRows())).map((p) => [p.messageId, p]));
    expect(byMessage.get(image.event.message.message_id)).toMatchObject({ text: '', attachments: [{ kind: 'image', key: 'img_v3_02ab_certificate' }] });
    expect(byMessage.get(file.event.message.message_id)).toMatchObject({ text: '', attachments: [{ kind: 'file', key: 'file_v3_00cd_pdf', name: '结业证书.pdf' }] });
    expect(byMessage.get(post.event.message.message_id)?.attachments).toEqual([
      { kind: 'image', key: 'img_v3_post_1' },
      { kind: 'image', key: 'img_v3_post_2' },
    ]);
    expect(byMessage.get(localized.event.message.message_id)?.attachments).toEqual([{ kind: 'image', key: 'img_v3_locale' }]);

    await h.app.outbox.whenIdle();
    await waitFor(() => h.fake.delivered.length === 4, { what: 'four answers' });
    expect(h.fake.delivered.every((d) => String(d.content.text).includes('目前只能读文字消息'))).toBe(true);
  });

  it('gives a text message no attachments, and an image without a key none either', async () => {
    feishu = await startFeishu();
    const h = feishu;
    await h.send(messageEvent({ text: '帮助' }));
    await h.send(messageEvent({ messageType: 'image', content: '{"image_key":""}' }));
    await waitFor(async () => (await h.inboxRows()).length === 2, { what: 'two accepted' });
    for (const p of payloads((await h.inboxRows()))) expect(p.attachments).toBeUndefined();
  });
});

describe('DingTalk picture, file and richText messages', () => {
  it('turns signed webhook callbacks into attachments keyed by downloadCode', async () => {
    dingtalk = await startDingtalk();
    const h = dingtalk;
    const webhook = h.fake.sessionWebhook('s-evidence');
    const picture: Record<string, unknown> = { ...callbackBody({ msgtype: 'picture', sessionWebhook: webhook }), content: { downloadCode: 'dl-picture-1', pictureDownloadCode: 'pdl-picture-1' } };
    const file: Record<string, unknown> = {
      ...callbackBody({ msgtype: 'file', sessionWebhook: webhook }),
      content: { spaceId: '1234', fileName: '培训证书.pdf', downloadCode: 'dl-file-1', fileId: '5678' },
    };
    const rich: Record<string, unknown> = {
      ...callbackBody({ msgtype: 'richText', sessionWebhook: webhook }),
      content: { richText: [{ text: '证书两张' }, { type: 'picture', downloadCode: 'dl-rich-1', pictureDownloadCode: 'p1' }, { pictureDownloadCode: 'pdl-rich-2' }] },
    };
    for (const body of [picture, file, rich]) expect((await h.send(body)).status).toBe(200);
    await h.settle();

    const byId = new Map(payloads((await h.inboxRows())).map((p) => [p.messageId, p]));
    expect(byId.get(picture.msgId as string)).toMatchObject({ text: '', attachments: [{ kind: 'image', key: 'dl-picture-1' }] });
    expect(byId.get(file.msgId as string)?.attachments).toEqual([{ kind: 'file', key: 'dl-file-1', name: '培训证书.pdf' }]);
    expect(byId.get(rich.msgId as string)?.attachments).toEqual([
      { kind: 'image', key: 'dl-rich-1' },
      { kind: 'image', key: 'pdl-rich-2' },
    ]);
    await eventually(() => h.fake.deliveredTo('s-evidence').length === 3, 3000, 'three answers');
    expect(h.fake.deliveredTo('s-evidence').every((d) => d.text?.includes('目前只能读文字消息'))).toBe(true);
  });

  it('reads a picture from a Stream CALLBACK frame', async () => {
    dingtalk = await startDingtalk({ mode: 'stream' });
    const h = dingtalk;
    const body = { ...callbackBody({ msgtype: 'picture', sessionWebhook: h.fake.sessionWebhook('s-stream') }), content: { downloadCode: 'dl-stream-1' } };
    h.fake.gateway.pushCallback(body, 'frame-picture');
    await eventually(async () => (await h.inboxRows()).length === 1, 3000, 'stored');
    expect(payloads((await h.inboxRows()))[0]).toMatchObject({ platform: 'dingtalk', text: '', attachments: [{ kind: 'image', key: 'dl-stream-1' }] });
  });
});

describe('console /attach', () => {
  it('sends a local file as an attachment (absolute path as key); a missing file is refused', async () => {
    app = await createTestApp();
    const session = new ConsoleSession(app);
    const path = join(app.dir, '证书.PNG');
    writeFileSync(path, 'png bytes');
    const attach = await consoleCommand(app.db, session, `/attach ${path}`);
    expect(attach).toEqual({ output: [], attach: [{ kind: 'image', key: path, name: '证书.PNG' }] });
    const replies = await session.send('', attach!.attach);
    expect(replies.join('')).toContain('目前只能读文字消息');
    const [row] = await app.db.select({ payload: tables(app.db).inbox.payload }).from(tables(app.db).inbox);
    expect(JSON.parse(row.payload)).toMatchObject({ platform: 'console', text: '', attachments: [{ kind: 'image', key: path }] });

    expect((await consoleCommand(app.db, session, `/attach ${join(app.dir, 'nope.pdf')}`))?.output[0]).toContain('找不到文件');
    expect((await consoleCommand(app.db, session, '/attach'))?.output[0]).toContain('/attach <文件路径>');
    writeFileSync(join(app.dir, 'a.pdf'), '%PDF');
    expect((await consoleCommand(app.db, session, `/attach "${join(app.dir, 'a.pdf')}"`))?.attach?.[0]).toMatchObject({ kind: 'file', name: 'a.pdf' });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../db/client.js';
import { dialectOf } from '../../../db/handle.js';
import { statement } from '../../../db/statements.js';
import { eventually, startDingtalk, type DingtalkHarness } from '../../helpers/fakes/dingtalk-harness.js';
import { ROBOT_TOPIC } from '../../helpers/fakes/dingtalk-platform.js';
import { CLIENT_ID, CLIENT_SECRET, callbackBody } from '../../helpers/fakes/dingtalk-sign.js';
import { addTeacher, countRows } from '../../helpers/seed.js';
import type { StreamOptions } from '../../../src/platforms/dingtalk/stream.js';
import { createHttpApp } from '../../../src/http/app.js';

let h: DingtalkHarness;
afterEach(async () => h?.close());

/** A trigger refusing every insert into inbox ("database or disk is full"): the app's own connection on SQLite. */
async function refuseInboxWrites(db: Db): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    await statement(db, `CREATE TEMP TRIGGER inbox_full BEFORE INSERT ON main.inbox BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`).run();
    return;
  }
  await statement(db, `CREATE FUNCTION inbox_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'database or disk is full'; END $$`).run();
  await statement(db, 'CREATE TRIGGER inbox_full BEFORE INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION inbox_full()').run();
}

async function allowInboxWrites(db: Db): Promise<void> {
  await statement(db, { sqlite: 'DROP TRIGGER inbox_full', postgres: 'DROP TRIGGER inbox_full ON inbox' }).run();
}

const stream = (o: StreamOptions = {}) => startDingtalk({ mode: 'stream', adapter: { stream: o } });

describe('DingTalk Stream mode', () => {
  it('opens the connection through the configured gateway with the robot topic subscribed', async () => {
    h = await stream();
    expect(h.fake.gateway.openConnections()).toHaveLength(1);
    const [open] = h.fake.calls('gateway');
    expect(open.body).toMatchObject({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    expect(open.body.subscriptions).toEqual(expect.arrayContaining([{ type: 'CALLBACK', topic: ROBOT_TOPIC }]));
    expect(h.adapter.status()).toContain('已连接 connected');
    // No webhook route in stream mode.
    expect((await h.send(callbackBody({ text: '帮助' }))).status).toBe(404);
  });

  it('handles a CALLBACK frame: acks the same messageId and replies on the frame’s session webhook', async () => {
    h = await stream();
    await addTeacher(h.app.db, { employeeNo: 'T0001', name: '张三' });
    const body = callbackBody({ text: '绑定 T0001 张三', staffId: 'manager4711', sessionWebhook: h.fake.sessionWebhook('s-stream') });
    const messageId = h.fake.gateway.pushCallback(body, 'frame-0001');
    const ack = await eventually(() => h.fake.gateway.acks.find((a) => a.messageId === messageId), 3000, 'ack');
    expect(ack).toMatchObject({ messageId: 'frame-0001', code: 200, data: { response: {} } });
    await eventually(() => h.fake.deliveredTo('s-stream').length === 1, 3000, 'reply');
    expect(h.fake.deliveredTo('s-stream')[0].text).toContain('绑定成功：张三');
    expect(JSON.parse((await h.inboxRows())[0].payload)).toMatchObject({ platform: 'dingtalk', eventId: body.msgId, accountId: 'manager4711' });
  });

  it('acks a redelivered frame (same msgId, new frame) and replies once', async () => {
    h = await stream();
    const body = callbackBody({ text: '帮助', msgId: 'msgStreamDup', sessionWebhook: h.fake.sessionWebhook('s-dup') });
    h.fake.gateway.pushCallback(body, 'frame-a');
    h.fake.gateway.pushCallback(body, 'frame-b');
    await eventually(() => h.fake.gateway.acks.length === 2, 3000, 'two acks');
    expect(h.fake.gateway.acks.map((a) => a.messageId).sort()).toEqual(['frame-a', 'frame-b']);
    await h.settle();
    await new Promise((r) => setTimeout(r, 50));
    expect(h.fake.deliveredTo('s-dup')).toHaveLength(1);
    expect(await countRows(h.app.db, 'inbox')).toBe(1);
  });

  it('acks and drops a frame whose data is not a robot message', async () => {
    h = await stream();
    h.fake.gateway.pushCallback({ unexpected: true }, 'frame-bad');
    await eventually(() => h.fake.gateway.acks.find((a) => a.messageId === 'frame-bad'), 3000);
    expect(await countRows(h.app.db, 'inbox')).toBe(0);
  });

  it('answers the gateway’s SYSTEM pings', async () => {
    h = await stream();
    h.fake.gateway.pingEvery(40);
    await eventually(() => h.fake.gateway.pingReplies.length > 3, 3000, 'ping replies');
    expect(h.fake.gateway.connections).toHaveLength(1);
  });

  // Scaled: 40 ms stands for the 30 s ping interval, 400 ms for the 120 s pong deadline.
  const KEEPALIVE = { pingIntervalMs: 40, pongTimeoutMs: 400 };

  it('keepalive: a quiet connection whose pings are answered is kept (silence for 5× the deadline ≈ 10 min)', async () => {
    h = await stream(KEEPALIVE);
    h.fake.gateway.goSilent(); // no SYSTEM pings, no messages: nothing but protocol pongs
    await new Promise((r) => setTimeout(r, 2000));
    expect(h.fake.gateway.pingsReceived).toBeGreaterThan(20);
    expect(h.fake.gateway.connections).toHaveLength(1);
    expect(h.fake.gateway.openConnections()).toHaveLength(1);
    expect(h.logs.some((l) => l.msg === 'dingtalk stream reconnecting')).toBe(false);
  });

  it('keepalive: unanswered pings cause exactly one reconnect, logged, and the new connection carries messages', async () => {
    h = await stream(KEEPALIVE);
    h.fake.gateway.goSilent();
    h.fake.gateway.mutePongs();
    await eventually(() => h.fake.gateway.connections.length >= 2, 3000, 'second connection');
    h.fake.gateway.answerPongs();
    expect(h.fake.gateway.connections[0].closedAt).toBeDefined();
    expect(h.logs.some((l) => l.msg === 'dingtalk stream pings unanswered past the deadline; reconnecting')).toBe(true);
    expect(h.logs.filter((l) => l.msg === 'dingtalk stream reconnecting' && l.reason === 'keepalive')).toHaveLength(1);
    expect(h.fake.calls('gateway').length).toBeGreaterThanOrEqual(2); // a fresh ticket each time

    // Healthy again: no further reconnects while pongs come back.
    await new Promise((r) => setTimeout(r, 500));
    expect(h.fake.gateway.connections).toHaveLength(2);
    await eventually(() => h.fake.gateway.openConnections().length === 1 && h.adapter.stream?.connected, 3000);
    const body = callbackBody({ text: '帮助', sessionWebhook: h.fake.sessionWebhook('s-after') });
    h.fake.gateway.pushCallback(body);
    await eventually(() => h.fake.deliveredTo('s-after').length === 1, 3000, 'reply after reconnect');
  });

  it('never drops a message whose inbox write fails: keeps it, says so on /healthz, stores it later, answers once', async () => {
    h = await stream({ retryBaseMs: 20, retryMaxMs: 40 });
    // A real failing write: the database refuses every inbox insert, as with a full disk.
    await refuseInboxWrites(h.app.db);
    const body = callbackBody({ text: '帮助', sessionWebhook: h.fake.sessionWebhook('s-kept') });
    h.fake.gateway.pushCallback(body, 'frame-kept');

    // Acked (the gateway would not resend it anyway) only after it was put in the retry queue, and logged loudly.
    await eventually(() => h.fake.gateway.acks.find((a) => a.messageId === 'frame-kept'), 3000, 'ack');
    expect(h.logs.some((l) => l.level >= 50 && String(l.msg).includes('kept in memory and retrying'))).toBe(true);
    expect(await countRows(h.app.db, 'inbox')).toBe(0);
    const http = createHttpApp({ adapters: [h.adapter], maxBodyBytes: 1 << 20, logger: h.app.logger, health: () => ({}) });
    const waiting = await (await http.request('/healthz')).json();
    expect(waiting).toMatchObject({ ok: true, eventsWaiting: 1, dingtalk: { eventsWaiting: 1 } });

    // Still failing a while later: still waiting, nothing lost.
    await new Promise((r) => setTimeout(r, 150));
    expect(h.adapter.stream!.waitingCount).toBe(1);

    await allowInboxWrites(h.app.db);
    await eventually(() => h.fake.deliveredTo('s-kept').length === 1, 3000, 'reply after the write succeeded');
    await h.settle();
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.deliveredTo('s-kept')).toHaveLength(1);
    expect(h.fake.gateway.acks.filter((a) => a.messageId === 'frame-kept')).toHaveLength(1);
    expect(await countRows(h.app.db, 'inbox')).toBe(1);
    expect(await (await http.request('/healthz')).json()).toMatchObject({ eventsWaiting: 0 });
  });

  it('ignores a group message whose isInAtList is false (acked, not stored), and handles one that @s the robot', async () => {
    h = await stream();
    const notForUs = { ...callbackBody({ text: '帮助', kind: 'group', sessionWebhook: h.fake.sessionWebhook('s-g1') }), isInAtList: false };
    h.fake.gateway.pushCallback(notForUs, 'frame-not-at');
    await eventually(() => h.fake.gateway.acks.find((a) => a.messageId === 'frame-not-at'), 3000, 'ack');
    expect(await countRows(h.app.db, 'inbox')).toBe(0);
    const forUs = callbackBody({ text: '帮助', kind: 'group', sessionWebhook: h.fake.sessionWebhook('s-g2') });
    h.fake.gateway.pushCallback(forUs);
    await eventually(() => h.fake.deliveredTo('s-g2').length === 1, 3000, 'reply to @robot');
    expect(h.fake.deliveredTo('s-g1')).toHaveLength(0);
  });

  it('reconnects after the gateway drops the connection, and after it announces a disconnect', async () => {
    h = await stream();
    h.fake.gateway.kick();
    await eventually(() => h.fake.gateway.openConnections().length === 1 && h.fake.gateway.connections.length === 2, 3000, 'reconnect after drop');
    expect(h.logs.some((l) => l.msg === 'dingtalk stream disconnected')).toBe(true);

    h.fake.gateway.announceDisconnect();
    await eventually(() => h.fake.gateway.connections.length === 3 && h.fake.gateway.openConnections().length === 1, 3000, 'reconnect after announce');
    expect(h.logs.some((l) => String(l.msg).includes('announced a disconnect'))).toBe(true);
  });

  it('keeps retrying with backoff while the gateway refuses, then connects', async () => {
    h = await stream({ reconnectBaseMs: 10, reconnectMaxMs: 40 });
    h.fake.failNext('gateway', { status: 500, body: { code: 'ServiceUnavailable', message: 'busy' } }, { status: 500, body: { code: 'ServiceUnavailable', message: 'busy' } });
    h.fake.gateway.kick();
    await eventually(() => h.fake.gateway.connections.length === 2 && h.fake.gateway.openConnections().length === 1, 3000);
    expect(h.logs.filter((l) => l.msg === 'dingtalk stream connect failed')).toHaveLength(2);
  });

  it('stops cleanly: no reconnect after stop', async () => {
    h = await stream();
    await h.adapter.stop!();
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.gateway.openConnections()).toHaveLength(0);
    expect(h.fake.gateway.connections).toHaveLength(1);
  });
});

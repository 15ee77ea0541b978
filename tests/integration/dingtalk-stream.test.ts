import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startDingtalk, type DingtalkHarness } from '../fakes/dingtalk-harness.js';
import { ROBOT_TOPIC } from '../fakes/dingtalk-platform.js';
import { CLIENT_ID, CLIENT_SECRET, callbackBody } from '../fakes/dingtalk-sign.js';
import { addTeacher, countRows } from '../helpers/seed.js';

let h: DingtalkHarness;
afterEach(async () => h?.close());

const stream = (idleTimeoutMs = 60_000) => startDingtalk({ mode: 'stream', adapter: { stream: { idleTimeoutMs } } });

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
    addTeacher(h.app.db, { employeeNo: 'T0001', name: '张三' });
    const body = callbackBody({ text: '绑定 T0001 张三', staffId: 'manager4711', sessionWebhook: h.fake.sessionWebhook('s-stream') });
    const messageId = h.fake.gateway.pushCallback(body, 'frame-0001');
    const ack = await eventually(() => h.fake.gateway.acks.find((a) => a.messageId === messageId), 3000, 'ack');
    expect(ack).toMatchObject({ messageId: 'frame-0001', code: 200, data: { response: {} } });
    await eventually(() => h.fake.deliveredTo('s-stream').length === 1, 3000, 'reply');
    expect(h.fake.deliveredTo('s-stream')[0].text).toContain('绑定成功：张三');
    expect(JSON.parse(h.inboxRows()[0].payload)).toMatchObject({ platform: 'dingtalk', eventId: body.msgId, accountId: 'manager4711' });
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
    expect(countRows(h.app.db, 'inbox')).toBe(1);
  });

  it('acks and drops a frame whose data is not a robot message', async () => {
    h = await stream();
    h.fake.gateway.pushCallback({ unexpected: true }, 'frame-bad');
    await eventually(() => h.fake.gateway.acks.find((a) => a.messageId === 'frame-bad'), 3000);
    expect(countRows(h.app.db, 'inbox')).toBe(0);
  });

  it('answers the gateway’s SYSTEM pings and keeps a pinged connection', async () => {
    h = await stream(150);
    h.fake.gateway.pingEvery(40);
    await new Promise((r) => setTimeout(r, 450));
    expect(h.fake.gateway.pingReplies.length).toBeGreaterThan(3);
    expect(h.fake.gateway.connections).toHaveLength(1);
  });

  it('watchdog: reconnects when the gateway goes silent, and logs it', async () => {
    h = await stream(150);
    h.fake.gateway.pingEvery(40);
    await new Promise((r) => setTimeout(r, 200));
    h.fake.gateway.goSilent();
    await eventually(() => h.fake.gateway.connections.length >= 2, 3000, 'second connection');
    expect(h.fake.gateway.connections[0].closedAt).toBeDefined();
    expect(h.logs.some((l) => l.msg === 'dingtalk stream silent past the watchdog limit; reconnecting')).toBe(true);
    expect(h.logs.some((l) => l.msg === 'dingtalk stream reconnecting' && l.reason === 'watchdog')).toBe(true);
    expect(h.fake.calls('gateway').length).toBeGreaterThanOrEqual(2); // a fresh ticket each time

    // The new connection carries messages.
    h.fake.gateway.speakAgain();
    await eventually(() => h.fake.gateway.openConnections().length === 1 && h.adapter.stream?.connected, 3000);
    const body = callbackBody({ text: '帮助', sessionWebhook: h.fake.sessionWebhook('s-after') });
    h.fake.gateway.pushCallback(body);
    await eventually(() => h.fake.deliveredTo('s-after').length === 1, 3000, 'reply after reconnect');
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
    h = await startDingtalk({ mode: 'stream', adapter: { stream: { reconnectBaseMs: 10, reconnectMaxMs: 40 } } });
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

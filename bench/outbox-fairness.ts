/**
 * Outbox fairness and the cost of a look with a deep queue: 100,000 rows queued for recipients held by a rate
 * limit, while other people's messages keep coming; how long those wait, and what each look at the table costs.
 *
 * - officers: 100,000 approval cards to two Feishu officers (5 messages a second each, Feishu's per-user limit),
 *   and a reply to a different teacher every 200 ms.
 * - broadcast: a 100,000-recipient Feishu broadcast (held by Feishu's 50/s per app), the same 100,000 cards to the
 *   officers, and every 200 ms a reply to a teacher on Feishu and one on DingTalk (another platform, its own limits).
 *
 * The worker is the real OutboxWorker on a temp SQLite file with the real senders' limits (FeishuSender,
 * DingtalkSender); the platform is in-process and answers each call after `--latency` ms, so the figures are the
 * worker's own. Prints per scenario: replies' wait (enqueue → call) p50/max, looks per second, a look's time
 * p50/p99/max (a look reads due rows, walks lanes and builds calls; wrapped with performance.now()), the share of
 * the run spent looking, and rows sent. Targets: replies within 2 s (max); a look's p99 < 10 ms.
 *
 *   npx tsx bench/outbox-fairness.ts [--queued 100000] [--seconds 10] [--latency 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase, type Db } from '../db/client.js';
import { transaction } from '../db/statements.js';
import type { Outgoing } from '../src/core/messages.js';
import { silentLogger } from '../src/logger.js';
import type { OutboxMessage } from '../src/outbox/outbox.js';
import { enqueue } from '../src/outbox/store.js';
import type { SendResult, Sender } from '../src/outbox/sender.js';
import { OutboxWorker } from '../src/outbox/worker.js';
import { DingtalkApi } from '../src/platforms/dingtalk/openapi.js';
import { DingtalkSender } from '../src/platforms/dingtalk/send.js';
import { feishuLimits } from '../src/platforms/feishu/send.js';
import { CLIENT_ID, CLIENT_SECRET, ROBOT_CODE } from '../tests/helpers/fakes/dingtalk-sign.js';
import { Reporter, fmt, isEntry, options, runStandalone } from './lib/report.js';
import { distribution } from './lib/stats.js';

/** A platform in-process: answers every call `latencyMs` later; records when each row was called. */
class InstantPlatform implements Sender {
  readonly calledAt = new Map<number, number>();
  calls = 0;
  constructor(readonly platform: string, private readonly limits: (m: OutboxMessage) => ReturnType<Sender['limitsFor']>, private readonly latencyMs: number) {}
  limitsFor(message: OutboxMessage) {
    return this.limits(message);
  }
  async send(message: OutboxMessage): Promise<SendResult> {
    this.calls++;
    if (!this.calledAt.has(message.id)) this.calledAt.set(message.id, performance.now());
    await new Promise((r) => setTimeout(r, this.latencyMs));
    return { status: 'sent', platformMessageId: `m${message.id}` };
  }
}

const feishu = (accountId: string, key: string, text: string): Outgoing => ({ platform: 'feishu', target: { type: 'user', accountId }, reply: { text }, idempotencyKey: key });

async function scenario(r: Reporter, name: string, opt: { queued: number; seconds: number; latency: number; broadcast: boolean }): Promise<void> {
  r.section(name);
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-fairness-'));
  const db: Db = openDatabase(join(dir, 'xueshi.db'));
  const dingtalkLimits = new DingtalkSender({ api: new DingtalkApi({ baseUrl: 'http://127.0.0.1:9', appKey: CLIENT_ID, appSecret: CLIENT_SECRET }), robotCode: ROBOT_CODE, logger: silentLogger });
  const fs = new InstantPlatform('feishu', feishuLimits, opt.latency);
  const dt = new InstantPlatform('dingtalk', (m) => dingtalkLimits.limitsFor(m), opt.latency);
  const t0 = performance.now();
  await transaction(db, async (tx) => {
    const now = new Date();
    if (opt.broadcast) await enqueue(tx, Array.from({ length: opt.queued }, (_, i) => feishu(`ou_t${i}`, `broadcast:${i}`, '请于周五前提交年度培训计划。')), now);
    await enqueue(tx, Array.from({ length: opt.queued }, (_, i) => feishu(`ou_officer${i % 2}`, `card:${i}`, `学时申报待审批 #${i}`)), now);
  });
  r.info(`${name}.queued_rows`, (opt.broadcast ? 2 : 1) * opt.queued, 'rows', 0);
  r.info(`${name}.enqueue_s`, (performance.now() - t0) / 1000, 's', 1);

  const looks: number[] = [];
  const proto = OutboxWorker.prototype as unknown as { lookAtRows(now: number): Promise<number> };
  const look = proto.lookAtRows;
  proto.lookAtRows = async function (this: unknown, now: number) {
    const start = performance.now();
    try {
      return await look.call(this, now);
    } finally {
      looks.push(performance.now() - start);
    }
  };
  const worker = new OutboxWorker({ db, senders: [fs, dt] });
  const replies: { id: number; at: number; sender: InstantPlatform }[] = [];
  const started = performance.now();
  worker.start();
  let n = 0;
  const add = async (sender: InstantPlatform, m: Outgoing) => {
    await enqueue(db, [m], new Date());
    const { id } = db.$client.prepare(`select id from outbox where idempotency_key = ?`).get(m.idempotencyKey) as { id: number };
    replies.push({ id, at: performance.now(), sender });
  };
  const timer = setInterval(() => {
    const i = n++;
    void (async () => {
      await add(fs, feishu(`ou_teacher${i}`, `reply:f${i}`, '已收到'));
      if (opt.broadcast) await add(dt, { platform: 'dingtalk', target: { type: 'user', accountId: `staff${i}` }, reply: { text: '已收到' }, idempotencyKey: `reply:d${i}` });
      worker.kick();
    })();
  }, 200);
  await new Promise((r) => setTimeout(r, opt.seconds * 1000));
  clearInterval(timer);
  await new Promise((r) => setTimeout(r, 2000)); // the last replies' turn
  const wall = performance.now() - started;
  await worker.stop();
  proto.lookAtRows = look;

  for (const sender of opt.broadcast ? [fs, dt] : [fs]) {
    // Feishu replies share the app's 50/s with the broadcast (a look puts them first); DingTalk's share nothing.
    const mine = replies.filter((x) => x.sender === sender);
    const waits = mine.map((x) => (sender.calledAt.get(x.id) ?? Number.POSITIVE_INFINITY) - x.at);
    const answered = waits.filter(Number.isFinite);
    const w = distribution(answered.length ? answered : [Number.NaN]);
    const key = `${name}.${sender.platform}_reply_wait`;
    r.info(`${key}_p50`, w.p50, `ms (${answered.length} of ${mine.length} sent)`, 1);
    r.check(`${key}_max`, answered.length === mine.length ? w.max : Number.POSITIVE_INFINITY, { op: '<', value: 2000 }, 'ms', 1);
  }
  const l = distribution(looks);
  r.info(`${name}.looks_per_s`, looks.length / (wall / 1000), '', 1);
  r.info(`${name}.look_p50`, l.p50, 'ms', 2);
  r.check(`${name}.look_p99`, l.p99, { op: '<', value: 10 }, 'ms', 2);
  r.info(`${name}.look_max`, l.max, 'ms', 1);
  r.info(`${name}.time_looking`, `${fmt((100 * looks.reduce((a, b) => a + b, 0)) / wall, 1)} % of ${fmt(wall / 1000, 1)} s`);
  const officers = [0, 1].map((o) => (db.$client.prepare(`select count(*) as n from outbox where status = 'sent' and lane = ?`).get(`feishu:user:ou_officer${o}`) as { n: number }).n);
  r.info(`${name}.sent`, `feishu ${fs.calls} calls (officers ${officers.join(' + ')}), dingtalk ${dt.calls} calls`);
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
}

export async function main(args: string[] = []): Promise<void> {
  const opt = options(args);
  const queued = opt.int('queued', 100_000);
  const seconds = opt.int('seconds', 10);
  const latency = opt.int('latency', 5);
  const r = new Reporter('outbox-fairness');
  r.machine('at start');
  await scenario(r, 'officers', { queued, seconds, latency, broadcast: false });
  await scenario(r, 'broadcast', { queued, seconds, latency, broadcast: true });
  r.machine('at end');
  r.summary();
}

if (isEntry(import.meta.url)) void runStandalone(main);

/**
 * A broadcast at the platform's full rate, for Feishu and for DingTalk: 600 recipients through the real path
 * (broadcast confirm → outbox rows → OutboxWorker with the app's defaults → the real FeishuSender / DingtalkSender)
 * against a fake platform, in its own process, that enforces the platform's limits and fails 5 % of the calls
 * it admits with a server error:
 *
 * - Feishu (tests/helpers/fakes/rate-limited-platform.ts): 50 per second AND 1000 per minute per app (sliding windows),
 *   5 per second per user; over a limit, HTTP 429 {code 99991400} with `x-ogw-ratelimit-reset`. Faults: 500/503
 *   before delivering, or delivered with a malformed answer (a resend carries the same uuid and is dropped).
 * - DingTalk (tests/helpers/fakes/rate-limited-dingtalk.ts): 20 batchSend calls per second (sliding window; over it,
 *   HTTP 403 QpsLimitForAppkeyAndApi, as DingTalk answers), ≤ 20 userIds a call. Faults: 500/503 before delivering.
 *
 * The ceiling is the fastest schedule the limits allow for the same work (bench/README.md says it in full):
 * the fewest calls that deliver every recipient — ⌈recipients / users per call⌉ — plus one call for every
 * admitted call that delivered nothing new (the injected faults: those count against the limits and have to be
 * made again by any client), placed as early as the limits allow, call k at max(⌊k / per-second⌋ s,
 * ⌊k / per-minute⌋ min) after the first. % of ceiling = that schedule's span (first call to last) / this run's
 * span (first admitted call to last, as the platform saw them).
 *
 * Targets: ≥ 95 % of the ceiling, fewer than 1 % of calls answered "over the limit" (429 / 403 QPS), 0 lost,
 * 0 duplicates.
 *
 *   npm run bench -- broadcast [--recipients 600] [--fail-percent 5] [--only feishu|dingtalk] [--timeline]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDatabase, openDatabase, type Db } from '../db/client.js';
import { inTransaction, transaction } from '../db/statements.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { broadcastProgress, broadcastReply, confirmBroadcast, createPreview } from '../src/broadcasts/broadcasts.js';
import { silentLogger } from '../src/logger.js';
import type { Sender } from '../src/outbox/sender.js';
import { OutboxWorker } from '../src/outbox/worker.js';
import { DingtalkApi } from '../src/platforms/dingtalk/openapi.js';
import { DingtalkSender } from '../src/platforms/dingtalk/send.js';
import { FeishuSender } from '../src/platforms/feishu/send.js';
import { CLIENT_ID, CLIENT_SECRET, ROBOT_CODE } from '../tests/helpers/fakes/dingtalk-sign.js';
import { RateLimitedDingtalk, type DingtalkStats } from '../tests/helpers/fakes/rate-limited-dingtalk.js';
import { RateLimitedPlatform, type PlatformStats } from '../tests/helpers/fakes/rate-limited-platform.js';
import { Reporter, fmt, isEntry, options, runStandalone } from './lib/report.js';

type Role = 'feishu' | 'dingtalk';

/** The fake platform in a child process, as the real one would be: its clock and CPU are not ours. */
async function startPlatformProcess(role: Role, fakeOptions: Record<string, unknown>): Promise<{ url: string; stats<T>(): Promise<T>; close(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_BROADCAST_ROLE: role, BENCH_PLATFORM_OPTIONS: JSON.stringify(fakeOptions) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const m = /URL (\S+)/.exec(buffer);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`fake platform exited with ${code}`)));
  });
  return {
    url,
    stats<T>() {
      return new Promise<T>((resolve, reject) => {
        httpGet(`${url}/__stats?timeline`, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T));
        }).on('error', reject);
      });
    },
    close() {
      child.kill('SIGTERM');
    },
  };
}

async function platformProcess(role: Role): Promise<void> {
  const o = JSON.parse(process.env.BENCH_PLATFORM_OPTIONS ?? '{}');
  const fake = role === 'feishu' ? await RateLimitedPlatform.start(o) : await RateLimitedDingtalk.start(o);
  console.log(`URL ${fake.url}`);
}

/**
 * When the last of `calls` calls can be admitted at the earliest, counted from the first (ms): call k (from 0)
 * no sooner than ⌊k / perSecond⌋ seconds and ⌊k / perMinute⌋ minutes after it — sliding windows admit exactly
 * `perSecond` calls in any second, and a burst at each window's start is the fastest way to use them.
 */
export function fastestSpanMs(calls: number, perSecond: number, perMinute = Infinity): number {
  if (calls <= 1) return 0;
  const k = calls - 1;
  return Math.max(Math.floor(k / perSecond) * 1000, Number.isFinite(perMinute) ? Math.floor(k / perMinute) * 60_000 : 0);
}

function seed(db: Db, n: number, platform: Role): { officer: number } {
  const insertTeacher = db.$client.prepare(`insert into teachers (employee_no, name, school, policy_id, homeroom, position) values (?, ?, ?, 'laibin', 0, '教师')`);
  const insertAccount = db.$client.prepare(`insert into accounts (platform, account_id, teacher_id) values (?, ?, ?)`);
  let officer = 0;
  inTransaction(db, () => {
    for (let i = 0; i < n; i++) {
      const id = Number(insertTeacher.run(`B${String(i).padStart(6, '0')}`, `教师${i}`, `学校${i % 50}`).lastInsertRowid);
      insertAccount.run(platform, platform === 'feishu' ? `ou_bench${String(i).padStart(24, '0')}` : `staff${String(i).padStart(6, '0')}`, id);
    }
    officer = Number(insertTeacher.run('OFFICER', '钱主任', '教师发展中心').lastInsertRowid);
    db.$client.prepare(`insert into roles (teacher_id, role, granted_by) values (?, 'officer', 'bench')`).run(officer);
    insertAccount.run('console', 'officer', officer);
  });
  return { officer };
}

/** Confirms a broadcast to every seeded recipient, runs the outbox until none is pending; returns its id and wall time. */
async function broadcastThrough(db: Db, officer: number, sender: Sender): Promise<{ id: number; wallMs: number }> {
  const t = messagesFor('zh-CN');
  const now = new Date();
  const schools = [...new Set((db.$client.prepare(`select distinct school from teachers where employee_no like 'B%'`).all() as { school: string }[]).map((r) => r.school))];
  const { broadcast } = await createPreview(db, {
    text: '关于开展2026年度教师全员培训的通知：请各位老师于12月31日前完成年度学时。',
    audience: { schools },
    ownerTeacherId: officer,
    requestedVia: { platform: 'console', accountId: 'officer' },
    now,
  });
  const outcome = await transaction(db, (tx) =>
    confirmBroadcast(tx, { id: broadcast.id, teacherId: officer, now, sendAt: now, reply: broadcastReply(t, broadcast.text, '钱主任', '2026-11-25') }),
  );
  if (outcome.kind !== 'started') throw new Error(`confirm failed: ${outcome.kind}`);
  // The app's defaults (src/app.ts passes none of these): what an office's server does.
  const worker = new OutboxWorker({ db, senders: [sender], logger: silentLogger });
  const started = performance.now();
  worker.start();
  const pending = db.$client.prepare(`select count(*) as n from outbox where origin = ? and status = 'pending'`);
  while ((pending.get(`broadcast:${broadcast.id}`) as { n: number }).n > 0) await new Promise((r) => setTimeout(r, 20));
  const wallMs = performance.now() - started;
  await worker.stop();
  return { id: broadcast.id, wallMs };
}

interface Figures {
  recipients: number;
  perCall: number;
  perSecond: number;
  perMinute?: number;
  requests: number;
  admitted: number;
  overLimit: number;
  transientFailures: number;
  /** Admitted calls that delivered to someone new. */
  deliveringCalls: number;
  spanMs: number;
  receivers: number;
  duplicates: number;
  delivered: number;
  wallMs: number;
}

function report(r: Reporter, name: Role, f: Figures): void {
  const p = (key: string) => `${name}.${key}`;
  const fewestCalls = Math.ceil(f.recipients / f.perCall) + (f.admitted - f.deliveringCalls);
  const ceilingMs = fastestSpanMs(fewestCalls, f.perSecond, f.perMinute);
  r.info(p('wall_s'), f.wallMs / 1000, 's (confirm to nothing pending)');
  r.info(p('span_s'), f.spanMs / 1000, 's (first admitted call to last, at the platform)');
  r.info(p('calls'), `${fmt(f.requests, 0)} made, ${fmt(f.admitted, 0)} admitted, ${fmt(f.overLimit, 0)} over the limit, ${fmt(f.transientFailures, 0)} failed (injected), ${fmt(f.deliveringCalls, 0)} delivered to someone new`);
  r.info(p('ceiling.fewest_calls'), `${fmt(fewestCalls, 0)} (⌈${f.recipients}/${f.perCall}⌉ + ${f.admitted - f.deliveringCalls} redone)`);
  r.info(p('ceiling.span_s'), ceilingMs / 1000, `s (the fastest schedule: ${f.perSecond}/s${f.perMinute ? `, ${f.perMinute}/min` : ''})`);
  r.check(p('pct_of_ceiling'), f.spanMs > 0 ? ceilingMs / f.spanMs : 1, { op: '>=', value: 0.95 });
  r.check(p('over_limit_share'), f.requests ? f.overLimit / f.requests : 0, { op: '<', value: 0.01 });
  r.check(p('lost'), f.recipients - f.receivers, { op: '==', value: 0 }, 'recipients', 0);
  r.check(p('duplicates'), f.duplicates, { op: '==', value: 0 }, 'recipients', 0);
  r.check(p('report.delivered'), f.delivered, { op: '==', value: f.recipients }, '', 0);
}

async function runFeishu(r: Reporter, recipients: number, failPercent: number, timeline: boolean): Promise<void> {
  const perSecond = 50;
  const perMinute = 1000;
  r.section(`Feishu: ${fmt(recipients, 0)} recipients · ${perSecond}/s and ${perMinute}/min per app, 429 with x-ogw-ratelimit-reset · ${failPercent} % server errors`);
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-bench-broadcast-'));
  const db = openDatabase(join(dir, 'bench.db'));
  const fake = await startPlatformProcess('feishu', { perSecond, perMinute, transientFailureRate: failPercent / 100, seed: 7 });
  try {
    const { officer } = seed(db, recipients, 'feishu');
    const sender = new FeishuSender({ settings: { appId: 'cli_0123456789abcdef', appSecret: 'bench-secret', baseUrl: fake.url }, logger: silentLogger });
    await sender.warmUp(); // as at start-up
    const { id, wallMs } = await broadcastThrough(db, officer, sender);
    const seen = await fake.stats<{ stats: PlatformStats; receivers: number; admittedAt: number[] }>();
    const s = seen.stats;
    const at = seen.admittedAt;
    if (timeline) r.note(`admitted per second: ${perWindow(at, 1000).join(' ')}`);
    report(r, 'feishu', {
      recipients,
      perCall: 1,
      perSecond,
      perMinute,
      requests: s.requests,
      admitted: s.admitted,
      overLimit: s.rateLimited,
      transientFailures: s.transientFailures,
      deliveringCalls: s.uniqueDeliveries,
      spanMs: at.length ? at[at.length - 1] - at[0] : 0,
      receivers: seen.receivers,
      duplicates: s.receiversWithDuplicates,
      delivered: (await broadcastProgress(db, id))!.delivered,
      wallMs,
    });
    r.info('feishu.resends_dropped_by_uuid', s.duplicatesDropped, '', 0);
  } finally {
    fake.close();
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runDingtalk(r: Reporter, recipients: number, failPercent: number, timeline: boolean): Promise<void> {
  const perSecond = 20;
  r.section(`DingTalk: ${fmt(recipients, 0)} recipients · ${perSecond} batchSend calls/s, ≤ 20 users a call, 403 QpsLimit over it · ${failPercent} % server errors`);
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-bench-broadcast-'));
  const db = openDatabase(join(dir, 'bench.db'));
  const fake = await startPlatformProcess('dingtalk', { perSecond, transientFailureRate: failPercent / 100, seed: 11 });
  try {
    const { officer } = seed(db, recipients, 'dingtalk');
    const api = new DingtalkApi({ baseUrl: fake.url, appKey: CLIENT_ID, appSecret: CLIENT_SECRET });
    await api.accessToken(); // as the first send would; kept out of the timed span either way
    const sender = new DingtalkSender({ api, robotCode: ROBOT_CODE, logger: silentLogger });
    const { id, wallMs } = await broadcastThrough(db, officer, sender);
    const s = await fake.stats<DingtalkStats & { admittedAt?: number[] }>();
    if (timeline) r.note(`users per call: ${s.batchSizes.join(' ')}`);
    report(r, 'dingtalk', {
      recipients,
      perCall: 20,
      perSecond,
      requests: s.requests,
      admitted: s.admitted,
      overLimit: s.rateLimited,
      transientFailures: s.transientFailures,
      deliveringCalls: s.deliveringCalls,
      spanMs: s.firstAdmittedAt !== null && s.lastAdmittedAt !== null ? s.lastAdmittedAt - s.firstAdmittedAt : 0,
      receivers: s.receivers,
      duplicates: s.receiversWithDuplicates,
      delivered: (await broadcastProgress(db, id))!.delivered,
      wallMs,
    });
  } finally {
    fake.close();
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  }
}

function perWindow(times: number[], windowMs: number): number[] {
  const out: number[] = [];
  for (const x of times) {
    const b = Math.floor((x - times[0]) / windowMs);
    out[b] = (out[b] ?? 0) + 1;
  }
  return Array.from(out, (v) => v ?? 0);
}

export async function main(args: string[] = []): Promise<void> {
  const o = options(args);
  const recipients = o.int('recipients', 600);
  const failPercent = o.int('fail-percent', 5);
  const only = o.string('only', '');
  const r = new Reporter('broadcast');
  if (only !== 'dingtalk') await runFeishu(r, recipients, failPercent, o.has('timeline'));
  if (only !== 'feishu') await runDingtalk(r, recipients, failPercent, o.has('timeline'));
  r.summary();
}

const role = process.env.BENCH_BROADCAST_ROLE;
if (role === 'feishu' || role === 'dingtalk') void platformProcess(role);
else if (isEntry(import.meta.url)) void runStandalone(main);

/**
 * Broadcast to 10,000 recipients through the real outbox (broadcast confirm → outbox rows → OutboxWorker with
 * its rate limiter, retries and backoff) against a fake Feishu OpenAPI that enforces Feishu's per-app limits —
 * 50/s AND 1,000/min (plus 5/s per user) — and fails 5 % of calls transiently (500/503, or delivered with a
 * malformed answer so the resend must be de-duplicated by uuid).
 *
 * Targets: effective delivery rate ≥ 90 % of the allowed ceiling, 0 lost, 0 duplicate.
 *
 *   npx tsx bench/broadcast.ts [--recipients 10000] [--scale 10] [--fail-percent 5] [--strict]
 *
 * Time scale: at Feishu's real limits 10,000 sends take ten minutes (the minute limit makes the sustained
 * ceiling 1000/60 ≈ 16.7/s). `--scale S` shrinks both windows by S on both sides (fake and sender: 50 per
 * 1000/S ms and 1000 per 60000/S ms, backoff scaled alike), so the run takes about 60/S·10 s; every figure is
 * reported in platform time (wall time × S), i.e. as if the run had taken the full ten minutes.
 *
 * The allowed ceiling is computed over the run honestly: in a run of T seconds no client can get more than
 * Σ over consecutive 60 s windows of min(1000, 50 × ⌈seconds of that window inside T⌉) calls admitted — the
 * sliding limits allow at most that in each fixed window. Transient failures use up calls too, so with 5 %
 * failing the best possible ratio is about 95 %.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inTransaction, openDatabase, closeDatabase, type Db } from '../db/client.js';
import { broadcastProgress, broadcastReply, confirmBroadcast, createPreview } from '../src/broadcasts/broadcasts.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { OutboxWorker } from '../src/outbox/worker.js';
import { RateLimitedPlatform, RateLimitedTestSender, type PlatformStats, type RateLimitedPlatformOptions } from '../tests/fakes/rate-limited-platform.js';
import { Reporter, fmt, isEntry, options, runStandalone } from './lib/report.js';

interface PlatformProcess {
  url: string;
  stats(timeline: boolean): Promise<{ stats: PlatformStats; spanMs: number; limitedBy: { second: number; minute: number; user: number }; receivers: number; admittedAt?: number[] }>;
  close(): void;
}

async function startPlatformProcess(options: RateLimitedPlatformOptions): Promise<PlatformProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_BROADCAST_ROLE: 'platform', BENCH_PLATFORM_OPTIONS: JSON.stringify(options) },
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
    async stats(timeline) {
      return new Promise((resolve, reject) => {
        httpGet(`${url}/__stats${timeline ? '?timeline' : ''}`, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        }).on('error', reject);
      });
    },
    close() {
      child.kill('SIGTERM');
    },
  };
}

async function platformProcess(): Promise<void> {
  const fake = await RateLimitedPlatform.start(JSON.parse(process.env.BENCH_PLATFORM_OPTIONS ?? '{}'));
  console.log(`URL ${fake.url}`);
}

/** Platform seconds a perfect client needs for `calls` admitted calls: 1000 per minute window, 50 per second. */
export function fastestRunSeconds(calls: number, perSecond: number, perMinute: number): number {
  if (calls <= 0) return 0;
  const fullWindows = Math.floor((calls - 1) / perMinute);
  return fullWindows * 60 + Math.ceil((calls - fullWindows * perMinute) / perSecond);
}

export function allowedCalls(tMs: number, perSecond: number, perMinute: number, secondMs: number, minuteMs: number): number {
  let total = 0;
  for (let start = 0; start < tMs; start += minuteMs) {
    const len = Math.min(minuteMs, tMs - start);
    total += Math.min(perMinute, perSecond * Math.ceil(len / secondMs));
  }
  return total;
}

const minuteMsOf = (scale: number) => 60_000 / scale;

function seed(db: Db, n: number): { officer: number } {
  const insertTeacher = db.$client.prepare(
    `insert into teachers (employee_no, name, school, policy_id, homeroom, position) values (?, ?, ?, 'laibin', 0, '教师')`,
  );
  const insertAccount = db.$client.prepare(`insert into accounts (platform, account_id, teacher_id) values ('feishu', ?, ?)`);
  let officer = 0;
  inTransaction(db, () => {
    for (let i = 0; i < n; i++) {
      const id = Number(insertTeacher.run(`B${String(i).padStart(6, '0')}`, `教师${i}`, `学校${i % 500}`).lastInsertRowid);
      insertAccount.run(`ou_bench${String(i).padStart(24, '0')}`, id);
    }
    officer = Number(insertTeacher.run('OFFICER', '钱主任', '教师发展中心').lastInsertRowid);
    db.$client.prepare(`insert into roles (teacher_id, role, granted_by) values (?, 'officer', 'bench')`).run(officer);
    db.$client.prepare(`insert into accounts (platform, account_id, teacher_id) values ('console', 'officer', ?)`).run(officer);
  });
  return { officer };
}

export async function main(args: string[] = []): Promise<void> {
  const o = options(args);
  const recipients = o.int('recipients', 10_000);
  const scale = o.int('scale', 10);
  const failPercent = o.int('fail-percent', 5);
  const perSecond = 50;
  const perMinute = 1000;
  const r = new Reporter('broadcast');
  r.section(`${fmt(recipients, 0)} recipients · Feishu limits ${perSecond}/s and ${perMinute}/min per app · ${failPercent} % transient failures · time scale ×${scale}`);

  const dir = mkdtempSync(join(tmpdir(), 'xueshi-bench-broadcast-'));
  const db = openDatabase(join(dir, 'bench.db'));
  const { officer } = seed(db, recipients);
  // The officer is bound on the console; the broadcast reaches everyone but them (audience: 学校 of the roster).
  const audience = { schools: [...new Set(Array.from({ length: Math.min(500, recipients) }, (_, i) => `学校${i}`))] };
  const t = messagesFor('zh-CN');
  const now = new Date();
  const enqueueStarted = performance.now();
  const { broadcast } = createPreview(db, { text: '关于开展2026年度教师全员培训的通知：请各位老师于12月31日前完成年度学时。', audience, ownerTeacherId: officer, requestedVia: { platform: 'console', accountId: 'officer' }, now });
  const outcome = inTransaction(db, () =>
    confirmBroadcast(db, { id: broadcast.id, teacherId: officer, now, sendAt: now, reply: broadcastReply(t, broadcast.text, '钱主任', '2026-11-25') }),
  );
  const enqueueMs = performance.now() - enqueueStarted;
  if (outcome.kind !== 'started') throw new Error(`confirm failed: ${outcome.kind}`);
  r.info('confirm_enqueue_ms', enqueueMs, 'ms', 0);

  // The fake platform runs in its own process, as Feishu would: its clock and CPU are not ours.
  const fake = await startPlatformProcess({ perSecond, perMinute, timeScale: scale, transientFailureRate: failPercent / 100, seed: 7 });
  const sender = new RateLimitedTestSender({ baseUrl: fake.url, perSecond, perMinute, timeScale: scale, timeoutMs: 5000, marginMs: o.int("margin-ms", 10) });
  const worker = new OutboxWorker({
    db,
    senders: [sender],
    maxInFlight: 20,
    pollMs: Math.max(20, 1000 / scale),
    backoffBaseMs: 1000 / scale,
    maxBackoffMs: 60_000 / scale,
  });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  worker.start();
  const pending = db.$client.prepare(`select count(*) as n from outbox where origin = ? and status = 'pending'`);
  const origin = `broadcast:${broadcast.id}`;
  while ((pending.get(origin) as { n: number }).n > 0) {
    await new Promise((res) => setTimeout(res, 50));
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await worker.stop();

  const seen = await fake.stats(o.has('timeline'));
  const stats = seen.stats;
  // The run, as the platform saw it: from the first send call to the last one it admitted.
  const runMs = seen.spanMs;
  if (o.has('timeline')) {
    const t0 = seen.admittedAt![0] ?? 0;
    const windows: string[] = [];
    for (let w = 0; w * minuteMsOf(scale) < runMs + 1; w++) {
      const inW = seen.admittedAt!.filter((x) => x - t0 >= w * minuteMsOf(scale) && x - t0 < (w + 1) * minuteMsOf(scale));
      windows.push(`w${w}: ${inW.length} calls, first +${fmt(inW.length ? inW[0] - t0 - w * minuteMsOf(scale) : 0, 0)} ms, last +${fmt(inW.length ? inW[inW.length - 1] - t0 - w * minuteMsOf(scale) : 0, 0)} ms`);
    }
    r.note(windows.join('\n'));
    const buckets: number[] = [];
    for (const x of seen.admittedAt!) {
      const b = Math.floor((x - t0) / 100);
      buckets[b] = (buckets[b] ?? 0) + 1;
    }
    r.note(`per 100 ms: ${Array.from(buckets, (v) => v ?? 0).join(' ')}`);
  }
  const progress = broadcastProgress(db, broadcast.id)!;
  const platformSeconds = (runMs * scale) / 1000;
  const secondMs = 1000 / scale;
  const minuteMs = 60_000 / scale;
  const ceilingCalls = allowedCalls(runMs, perSecond, perMinute, secondMs, minuteMs);
  const delivered = stats.uniqueDeliveries;
  const effectiveRate = delivered / platformSeconds;
  const ceilingRate = ceilingCalls / platformSeconds;
  const sustained = perMinute / 60;
  const lost = recipients - seen.receivers;

  r.info('wall_s_start_to_all_sent', wallMs / 1000, 's');
  r.info('run_wall_s', runMs / 1000, 's (first send call to last, at the platform)');
  r.info('run_platform_s', platformSeconds, 's (run × scale: the same run at Feishu\'s real limits)');
  r.info('sender_process_cpu_ms_per_call', (cpu.user + cpu.system) / 1000 / stats.requests, 'ms');
  r.info('calls.total', stats.requests, '', 0);
  r.info('calls.admitted', stats.admitted, '', 0);
  r.info('calls.rate_limited_429', stats.rateLimited, `(by the 1 s window ${seen.limitedBy.second}, the 60 s window ${seen.limitedBy.minute}, per user ${seen.limitedBy.user})`, 0);
  r.info('calls.transient_failures', stats.transientFailures, '', 0);
  r.info('calls.resends_deduplicated_by_uuid', stats.duplicatesDropped, '', 0);
  r.info('max_calls_in_any_1s_window', stats.maxInAnySecondWindow, `(limit ${perSecond})`, 0);
  r.info('max_calls_in_any_60s_window', stats.maxInAnyMinuteWindow, `(limit ${perMinute})`, 0);
  r.info('ceiling.sustained_per_s', sustained, 'msg/s (1000/min)');
  r.info('ceiling.allowed_calls_over_run', ceilingCalls, '', 0);
  r.info('ceiling.allowed_per_s_over_run', ceilingRate, 'msg/s');
  r.info('effective_rate_per_s', effectiveRate, 'msg/s');
  r.info('effective_vs_sustained_ceiling', effectiveRate / sustained, '');
  r.info('admitted_calls_vs_allowed', stats.admitted / ceilingCalls, '');
  const fastest = fastestRunSeconds(stats.admitted, perSecond, perMinute);
  r.info('fastest_possible_run_platform_s', fastest, `s (${fmt(stats.admitted, 0)} calls by a perfect client)`);
  r.info('fastest_possible_vs_this_run', fastest / platformSeconds, '');
  r.check('effective_vs_allowed_ceiling', delivered / ceilingCalls, { op: '>=', value: 0.9 });
  r.check('lost', lost, { op: '==', value: 0 }, 'recipients', 0);
  r.check('duplicate', stats.receiversWithDuplicates, { op: '==', value: 0 }, 'recipients', 0);
  r.check('report.delivered', progress.delivered, { op: '==', value: recipients }, '', 0);
  r.info('report', `已发送 ${progress.delivered + progress.failed}/${progress.bound}, 送达 ${progress.delivered}, 失败 ${progress.failed}, 待发送 ${progress.pending}, 未绑定 ${progress.unbound}`);
  r.note(
    `limits used: ${perSecond} per ${fmt(secondMs, 0)} ms and ${perMinute} per ${fmt(minuteMs, 0)} ms (Feishu's 50/s and 1000/min at time scale ×${scale}); ` +
      `sender windows +${o.int("margin-ms", 10)} ms margin; ${failPercent} % of admitted calls fail transiently and count against the limits.`,
  );
  r.summary();

  sender.close();
  fake.close();
  closeDatabase(db);
  rmSync(dir, { recursive: true, force: true });
}

if (process.env.BENCH_BROADCAST_ROLE === 'platform') void platformProcess();
else if (isEntry(import.meta.url)) void runStandalone(main);

/**
 * Bench server process: our real app (createXueshi over a temp SQLite file, Feishu webhook mode with an
 * encrypt key and verification token, replies to the fake OpenAPI at FEISHU_BASE_URL), served by
 * the app's own node server (webhooks on the direct path) on 127.0.0.1:0, seeded with bound teachers. Started by bench/webhook.ts.
 *
 * Env: BENCH_FAKE_URL, BENCH_TEACHERS, BENCH_RECORDS_PER_TEACHER, BENCH_DIR, BENCH_DATABASE_URL (PostgreSQL instead of the
 * temp SQLite file).
 */
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { statement, transaction } from '../../db/statements.js';
import { createXueshi } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { PLATFORM_SETTINGS } from '../../src/platforms/settings.js';
import { listen } from '../../src/http/server.js';
import { paceMarker } from '../../src/schedule/pace.js';
import { localParts } from '../../src/time/zone.js';
import { countOf, liftableAppPacing, queueCounts, settle, shutDown } from './app-server.js';
import { insertRows } from './bulk-insert.js';
import { processStats, serveCommands } from './ipc.js';
import { BENCH_FEISHU_ENV, accountIdOf, employeeNoOf } from './webhook-payloads.js';

const dir = process.env.BENCH_DIR!;
const teachers = Number(process.env.BENCH_TEACHERS ?? 2000);
const recordsPerTeacher = Number(process.env.BENCH_RECORDS_PER_TEACHER ?? 40);

const config = loadConfig({
  DATABASE_PATH: join(dir, 'xueshi.db'),
  // Ours on PostgreSQL (bench/webhook.ts --dialects): the same app on a scratch database of the bench's server.
  ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  LOG_LEVEL: 'silent',
  TIMEZONE: 'Asia/Shanghai',
  DEFAULT_POLICY: 'laibin',
  ...BENCH_FEISHU_ENV,
  FEISHU_BASE_URL: process.env.BENCH_FAKE_URL!,
  FEISHU_MODE: 'webhook',
}, PLATFORM_SETTINGS);
const app = await createXueshi({ config });

// Seed before start: teachers, their Feishu accounts (bound), and some records so 学时 does real work.
const categories = ['师德师风', '校本研修', '集中培训', '网络研修', '班主任培训'];
await transaction(app.db, async (tx) => {
  await insertRows(tx, 'teachers', ['employee_no', 'name', 'school', 'hire_date', 'normal_graduate', 'homeroom', 'position', 'policy_id'],
    Array.from({ length: teachers }, (_, i) => [
      employeeNoOf(i), `教师${i}`, `第${(i % 40) + 1}中学`, `20${String(5 + (i % 20)).padStart(2, '0')}-09-01`, i % 3 !== 0, i % 4 === 0, '教师', 'laibin',
    ]));
  const idOf = new Map(
    (await statement(tx, 'SELECT employee_no, id FROM teachers').raw<[string, number]>().all()).map(([no, id]) => [no, Number(id)]),
  );
  const teacherId = (i: number) => idOf.get(employeeNoOf(i))!;
  await insertRows(tx, 'accounts', ['platform', 'account_id', 'teacher_id'], Array.from({ length: teachers }, (_, i) => ['feishu', accountIdOf(i), teacherId(i)]));
  const records: unknown[][] = [];
  for (let i = 0; i < teachers; i++) {
    for (let r = 0; r < recordsPerTeacher; r++) {
      // 2022–2026 (months 1–10, so none is in the future), spanning this cycle and the last.
      const date = `${2022 + (r % 5)}-${String((r % 10) + 1).padStart(2, '0')}-${String((r % 28) + 1).padStart(2, '0')}`;
      records.push([`B${i}-${r}`, teacherId(i), date, 1 + (r % 6) * 0.5, categories[r % categories.length], `培训项目${r}`]);
    }
  }
  await insertRows(tx, 'records', ['record_key', 'teacher_id', 'date', 'hours', 'category', 'project'], records);
  // This month's pace reminder counts as already sent: otherwise the scheduler's catch-up tick (1 s after
  // start) would DM all seeded teachers mid-bench, which is not webhook traffic.
  const month = localParts(app.clock.now(), config.TIMEZONE).date.slice(0, 7);
  await statement(tx, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING').run(paceMarker(month), 'bench');
});

// Send limits stay on while requests are timed; lifted between timed phases so 20,000 replies drain in seconds.
const pacing = liftableAppPacing(app);

await app.start();
const server = app.createServer();
const port = await listen(server, 0, '127.0.0.1');

let profiler: Session | null = null;
// How long the event loop was blocked (acks wait behind whatever runs synchronously).
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const schedule = app.bot.schedule.bind(app.bot);
const counts = async () => ({
  ...(await queueCounts(app)),
  outboxAttempts: await countOf(app, `SELECT coalesce(sum(attempts), 0) FROM outbox`),
});

serveCommands(
  { port, teachers, records: teachers * recordsPerTeacher },
  {
    stats: async (reset) => {
      const loop = { loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6 };
      if (reset === true) loopDelay.reset();
      // The counts scan the whole inbox and outbox: at a phase's start they run before its CPU reading, at its
      // end after, so a phase's CPU per event holds none of the bench's own bookkeeping.
      if (reset === true) {
        const queues = await counts();
        return { ...queues, ...processStats(), ...loop };
      }
      const process = processStats();
      return { ...process, ...(await counts()), ...loop };
    },
    pacing: (on) => pacing.set(on === true),
    /** Waits until every accepted event was handled (replies committed to the outbox). */
    drain: async () => {
      const started = performance.now();
      while ((await counts()).inboxPending > 0) await app.bot.drain();
      return performance.now() - started;
    },
    settle: (timeoutMs) => settle(app, counts, timeoutMs),
    /**
     * Diagnosis only (bench --diagnose): with `true`, accepted events are claimed and acked but not handled
     * until this is called with `false`, to separate the ack path's cost from the handling's.
     */
    'defer-handling': (on) => {
      if (on === true) app.bot.schedule = () => undefined;
      else {
        app.bot.schedule = schedule;
        app.bot.schedule();
      }
      return on === true;
    },
    /** CPU profile of a phase (bench --cpu-prof): start, then stop with the file to write. */
    'profile-start': async (intervalUs) => {
      profiler ??= new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: Number(intervalUs ?? 200) });
      await profiler.post('Profiler.start');
      return true;
    },
    'profile-stop': async (file) => {
      const { profile } = await profiler!.post('Profiler.stop');
      profiler!.disconnect();
      writeFileSync(String(file), JSON.stringify(profile));
      return file;
    },
    failures: () => statement(app.db, `SELECT idempotency_key, attempts, last_error FROM outbox WHERE status = 'failed' LIMIT 5`).all(),
  },
  () => shutDown(server, app),
);

/**
 * Sign-in burst: 3,000 bound teachers sign in to one session within 60 s THROUGH THE FEISHU WEBHOOK
 * (encrypted + signed `im.message.receive_v1` events "签到 <code>", the test fakes' builders), 10 % of the
 * deliveries duplicated (half of them at the same instant as the original, on another connection; the
 * rest 1–5 s later, like Feishu's retries; a third of the duplicates under a new event id for the same
 * message). The code each teacher types is read from the projector's JSON endpoint, polled every second,
 * as the hall's projector page does.
 *
 * Targets: exactly 3,000 attendance rows and 3,000 credit records, 0 lost, 0 duplicate replies (the fake
 * Feishu OpenAPI counts replies per teacher), every teacher exactly one confirmation, p99 ack < 50 ms.
 *
 *   npx tsx bench/signin-burst.ts [--teachers 3000] [--seconds 60] [--dup-percent 10] [--warmup 200] [--cpu-prof] [--strict]
 *
 * Arrivals are open-loop and front-loaded (a hall fills fastest at the start): arrival time = S·(1−√(1−u)),
 * so the peak rate is twice the average. The app (its own process) runs on a business clock placed on a
 * past session day that then runs at real speed, so the session window is open whatever the wall time is.
 * This one file is both the load generator and (with BENCH_SIGNIN_ROLE=server) the server process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createXueshi } from '../src/app.js';
import { listen } from '../src/http/server.js';
import { FixedClock, type Clock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { PLATFORM_SETTINGS } from '../src/platforms/settings.js';
import { projectorKey } from '../src/sessions/code.js';
import { createSession } from '../src/sessions/service.js';
import { FEISHU_ENV } from '../tests/helpers/fakes/feishu-harness.js';
import { FakeFeishu } from '../tests/helpers/fakes/feishu-platform.js';
import { messageEvent, signedRequest } from '../tests/helpers/fakes/feishu-sign.js';
import { countOf, liftableAppPacing, queueCounts, settle, shutDown } from './lib/app-server.js';
import { processStats, serveCommands, startWorker, type ProcessStats } from './lib/ipc.js';
import { keepAliveAgent } from './lib/load.js';
import { Reporter, fmt, isEntry, options, runStandalone } from './lib/report.js';
import { distribution } from './lib/stats.js';

const EVENTS_PATH = '/webhooks/feishu/events';
/** The session day, in the past so replies are due at once for the outbox (which paces on wall time). */
const SESSION_DAY = '2026-03-02';
const BUSINESS_START = `${SESSION_DAY}T08:35:00+08:00`;

const employeeNoOf = (i: number) => `S${String(i).padStart(6, '0')}`;
const accountIdOf = (i: number) => `ou_signin${String(i).padStart(23, '0')}`;
const chatIdOf = (i: number) => `oc_signin${String(i).padStart(23, '0')}`;

/**
 * Real time shifted onto the session day. A FixedClock subclass only so the app's scheduler stays unarmed
 * (it arms cron for running clocks, and would message all 3,000 teachers their monthly reminder at start,
 * which is not what this bench measures).
 */
class ShiftedClock extends FixedClock {
  constructor(private readonly offsetMs: number) {
    super(new Date(Date.now() + offsetMs));
  }
  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

function offsetClock(offsetMs: number): Clock {
  return new ShiftedClock(offsetMs);
}

/* ================================================================== server process */

async function server(): Promise<void> {
  const dir = process.env.BENCH_DIR!;
  const teachers = Number(process.env.BENCH_TEACHERS);
  const clock = offsetClock(Number(process.env.BENCH_CLOCK_OFFSET_MS));
  const config = loadConfig({
    DATABASE_PATH: join(dir, 'xueshi.db'),
    LOG_LEVEL: 'silent',
    TIMEZONE: 'Asia/Shanghai',
    DEFAULT_POLICY: 'laibin',
    ...FEISHU_ENV,
    FEISHU_BASE_URL: process.env.BENCH_FAKE_URL!,
    FEISHU_MODE: 'webhook',
  }, PLATFORM_SETTINGS);
  const app = await createXueshi({ config, clock });
  const sqlite = app.db.$client;
  sqlite.transaction(() => {
    const addTeacher = sqlite.prepare(
      `INSERT INTO teachers (employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id)
       VALUES (?, ?, ?, '2015-09-01', 1, 0, '教师', 'laibin')`,
    );
    const addAccount = sqlite.prepare(`INSERT INTO accounts (platform, account_id, teacher_id) VALUES ('feishu', ?, ?)`);
    for (let i = 0; i < teachers; i++) {
      const id = Number(addTeacher.run(employeeNoOf(i), `教师${i}`, `第${(i % 40) + 1}中学`).lastInsertRowid);
      addAccount.run(accountIdOf(i), id);
    }
  })();
  const created = await createSession(
    app.db,
    {
      title: '全员师德专题讲座',
      category: '师德师风',
      hours: 3,
      date: SESSION_DAY,
      checkin: { start: '08:30', end: '09:30' },
      audience: { all: true },
      mode: 'rotating',
    },
    { now: clock.now(), timeZone: 'Asia/Shanghai', createdBy: 'bench', presets: app.presets, defaultPolicy: 'laibin' },
  );
  if (!created.ok) throw new Error(`session not created: ${JSON.stringify(created.problem)}`);
  const session = created.session;

  // Feishu's app-wide send limits (50/s, 1000/min) stay on during the burst; the bench lifts them afterwards
  // only so the remaining confirmations drain in seconds (reported separately).
  const pacing = liftableAppPacing(app);

  await app.start();
  const http = app.createServer();
  http.keepAliveTimeout = 120_000;
  const port = await listen(http, 0, '127.0.0.1');

  const count = (sql: string, ...params: unknown[]) => countOf(app, sql, ...params);
  const counts = async () => ({
    ...(await queueCounts(app)),
    attendance: await count(`SELECT count(*) FROM attendance WHERE session_id = ?`, session.id),
    records: await count(`SELECT count(*) FROM records WHERE record_key LIKE ? AND source = 'session' AND cancelled_at IS NULL`, `session:${session.id}:%`),
    distinctRecordTeachers: await count(`SELECT count(DISTINCT teacher_id) FROM records WHERE record_key LIKE ?`, `session:${session.id}:%`),
    failedAttempts: await count(`SELECT count(*) FROM signin_attempts WHERE ok = 0`),
  });

  serveCommands(
    { port, sessionId: session.id, key: projectorKey(session.secret) },
    {
      stats: async () => {
        const process = processStats();
        return { ...process, ...(await counts()) };
      },
      pacing: (on) => pacing.set(on === true),
      settle: (timeoutMs) => settle(app, counts, timeoutMs),
      missing: () =>
        sqlite
          .prepare(`SELECT t.employee_no FROM teachers t LEFT JOIN attendance a ON a.teacher_id = t.id AND a.session_id = ? WHERE a.teacher_id IS NULL LIMIT 10`)
          .pluck()
          .all(session.id),
    },
    () => shutDown(http, app),
  );
}

/* ================================================================== load generator */

interface Delivery {
  teacher: number;
  /** ms after the burst starts. */
  at: number;
  kind: 'original' | 'dup-concurrent' | 'dup-retry' | 'dup-new-event-id';
}

type ServerStats = ProcessStats & {
  inboxPending: number;
  inboxDone: number;
  inboxFailed: number;
  outboxPending: number;
  outboxSent: number;
  outboxFailed: number;
  attendance: number;
  records: number;
  distinctRecordTeachers: number;
  failedAttempts: number;
};

/** Deterministic PRNG so runs are comparable. */
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function main(args: string[] = []): Promise<void> {
  const o = options(args);
  const teachers = Math.max(1, o.int('teachers', 3_000));
  const seconds = Math.max(1, o.int('seconds', 60));
  const dupPercent = o.int('dup-percent', 10);
  const warmup = o.int('warmup', 200);
  const r = new Reporter('signin');
  const random = mulberry32(20261201);

  r.section('setup');
  const offsetMs = Date.parse(BUSINESS_START) - Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-bench-signin-'));
  const fake = await FakeFeishu.start();
  const worker = await startWorker(fileURLToPath(import.meta.url), {
    env: { BENCH_SIGNIN_ROLE: 'server', BENCH_DIR: dir, BENCH_FAKE_URL: fake.url, BENCH_TEACHERS: String(teachers), BENCH_CLOCK_OFFSET_MS: String(offsetMs) },
    execArgv: o.has('cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${join(process.cwd(), 'bench', '.profiles')}`] : [],
  });
  const clock = offsetClock(offsetMs);
  const base = `http://127.0.0.1:${worker.info.port as number}`;
  const projector = `${base}/sessions/${worker.info.sessionId as number}/checkin.json?key=${worker.info.key as string}`;

  // The schedule: every teacher once, front-loaded over `seconds`; dupPercent % of deliveries repeated.
  const deliveries: Delivery[] = [];
  for (let t = 0; t < teachers; t++) deliveries.push({ teacher: t, at: seconds * 1000 * (1 - Math.sqrt(1 - random())), kind: 'original' });
  const dups = Math.round((teachers * dupPercent) / 100);
  const picked = new Set<number>();
  while (picked.size < dups) picked.add(Math.floor(random() * teachers));
  let n = 0;
  for (const t of picked) {
    const original = deliveries[t];
    const kind: Delivery['kind'] = n % 2 === 0 ? 'dup-concurrent' : n % 3 === 0 ? 'dup-new-event-id' : 'dup-retry';
    deliveries.push({ teacher: t, at: kind === 'dup-concurrent' ? original.at : original.at + 1000 + random() * 4000, kind });
    n++;
  }
  deliveries.sort((a, b) => a.at - b.at);
  r.note(
    `${fmt(teachers, 0)} bound teachers, one rotating-code session (window 08:30–09:30 on the business clock), ` +
      `${fmt(deliveries.length, 0)} deliveries over ${seconds} s (${fmt(dups, 0)} duplicates: ` +
      `${deliveries.filter((d) => d.kind === 'dup-concurrent').length} concurrent, ` +
      `${deliveries.filter((d) => d.kind === 'dup-retry').length} retried 1–5 s later, ` +
      `${deliveries.filter((d) => d.kind === 'dup-new-event-id').length} under a new event id).\n` +
      `Server: its own process (createXueshi, Feishu webhook mode, encrypt key + token, temp SQLite); fake Feishu OpenAPI and this generator in this process.`,
  );

  // The projector: its JSON endpoint polled once a second, as the page in the hall does.
  let code = '';
  let projectorPolls = 0;
  const poll = async () => {
    const res = await fetch(projector);
    if (res.status !== 200) throw new Error(`projector answered ${res.status}`);
    code = ((await res.json()) as { code: string }).code;
    projectorPolls++;
  };
  await poll();
  const poller = setInterval(() => void poll().catch((e) => console.error(e)), 1000);

  const agent = keepAliveAgent(256);
  const target = new URL(base + EVENTS_PATH);
  const latency: number[] = [];
  const status = new Map<number, number>();
  let errors = 0;
  let firstError: string | undefined;
  const bodies = new Map<number, string>(); // teacher → the original payload JSON (same ids for retries)
  const messageIdOf = (t: number) => `om_signin_${t.toString(36).padStart(6, '0')}`;
  const eventIdOf = (t: number, suffix = '') => `ev_signin_${t.toString(36).padStart(6, '0')}${suffix}`;

  const send = (d: Delivery) =>
    new Promise<void>((resolve) => {
      let payload: unknown;
      if (d.kind === 'original' || !bodies.has(d.teacher)) {
        payload = messageEvent({
          text: `签到 ${code}`,
          eventId: eventIdOf(d.teacher),
          messageId: messageIdOf(d.teacher),
          openId: accountIdOf(d.teacher),
          chatId: chatIdOf(d.teacher),
          chatType: 'p2p',
        });
        bodies.set(d.teacher, JSON.stringify(payload));
      } else {
        payload = JSON.parse(bodies.get(d.teacher)!);
        if (d.kind === 'dup-new-event-id') (payload as { header: { event_id: string } }).header.event_id = eventIdOf(d.teacher, '_re');
      }
      const { body, headers } = signedRequest(payload, { now: clock.now() });
      const bytes = Buffer.from(body);
      const started = performance.now();
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { ...headers, 'content-length': String(bytes.length) } },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            latency.push(performance.now() - started);
            status.set(res.statusCode ?? 0, (status.get(res.statusCode ?? 0) ?? 0) + 1);
            resolve();
          });
        },
      );
      req.on('error', (error) => {
        errors++;
        firstError ??= error.message;
        resolve();
      });
      req.end(bytes);
    });

  // Warm-up: `帮助` from accounts outside the roster through the same webhook, so the burst does not pay
  // for first-request costs (JIT, connection set-up, statement preparation). Not counted below.
  if (warmup > 0) {
    await Promise.all(
      Array.from({ length: warmup }, (_, k) => {
        const payload = messageEvent({ text: '帮助', eventId: `ev_warm_${k}`, messageId: `om_warm_${k}`, openId: `ou_warm${k}`, chatId: `oc_warm${k}`, chatType: 'p2p' });
        const { body, headers } = signedRequest(payload, { now: clock.now() });
        return fetch(base + EVENTS_PATH, { method: 'POST', body, headers }).then((res) => res.text());
      }),
    );
    await worker.call('pacing', false);
    await worker.call('settle', 120_000);
    await worker.call('pacing', true);
  }
  const warmDelivered = fake.delivered.length;

  r.section('burst');
  const before = await worker.call<ServerStats>('stats');
  const loadBefore = loadavg()[0];
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  let lateStarts = 0;
  await new Promise<void>((resolve) => {
    let i = 0;
    const next = () => {
      const now = performance.now() - started;
      while (i < deliveries.length && deliveries[i].at <= now) {
        if (now - deliveries[i].at > 20) lateStarts++;
        // A concurrent duplicate is built from the original's ids, so the original must go first in this tick.
        inFlight.push(send(deliveries[i++]));
      }
      if (i >= deliveries.length) return resolve();
      setTimeout(next, Math.max(0, Math.min(5, deliveries[i].at - (performance.now() - started))));
    };
    next();
  });
  await Promise.all(inFlight);
  const burstMs = performance.now() - started;
  const atBurstEnd = await worker.call<ServerStats>('stats');
  const loadAfter = loadavg()[0];
  const serverCpuMs = (atBurstEnd.cpuUserUs + atBurstEnd.cpuSystemUs - before.cpuUserUs - before.cpuSystemUs) / 1000;
  const deliveredAtBurstEnd = fake.delivered.length - warmDelivered;
  clearInterval(poller);

  // Lift the app-wide send pacing so the remaining confirmations leave now, then wait for everything.
  await worker.call('pacing', false);
  await worker.call<ServerStats>('settle', 600_000);
  const settleMs = performance.now() - started - burstMs;
  const settled = await worker.call<ServerStats>('stats');

  const lat = distribution(latency);
  r.info('burst.duration_s', burstMs / 1000, 's', 1);
  r.info('burst.deliveries', deliveries.length, '', 0);
  r.info('burst.peak_rate', `${fmt((2 * teachers) / seconds, 0)} sign-ins/s (average ${fmt(teachers / seconds, 0)}/s)`);
  r.info('burst.generator_late_starts_over_20ms', lateStarts, '', 0);
  r.info('projector.polls', projectorPolls, '', 0);
  r.info('ack.p50_ms', lat.p50, 'ms', 2);
  r.info('ack.p90_ms', lat.p90, 'ms', 2);
  r.info('ack.max_ms', lat.max, 'ms', 1);
  r.check('ack.p99_ms', lat.p99, { op: '<', value: 50 }, 'ms', 2);
  const non200 = [...status].reduce((s, [c, k]) => s + (c === 200 ? 0 : k), 0);
  r.check('ack.non_200_or_errors', non200 + errors, { op: '==', value: 0 }, '', 0);
  if (non200 + errors) r.note(`statuses ${JSON.stringify(Object.fromEntries(status))}, first error ${firstError}`);
  r.info('server.cpu_per_delivery_ms', serverCpuMs / deliveries.length, 'ms', 2);
  r.info('server.cpu_busy_during_burst', `${fmt((serverCpuMs / burstMs) * 100, 0)}% of one core`);
  r.info('machine.load_average', `${fmt(loadBefore, 1)} at start, ${fmt(loadAfter, 1)} at end (${cpus().length} cores)`);
  if (loadBefore > cpus().length) {
    r.note(`the machine was busy with other work (load ${fmt(loadBefore, 1)} on ${cpus().length} cores): ack latencies include waiting for a CPU`);
  }
  r.info('server.backlog_at_burst_end', `${atBurstEnd.inboxPending} events pending, ${atBurstEnd.attendance} signed in, ${deliveredAtBurstEnd} confirmations delivered`);
  r.info('server.settled_after_burst_s', settleMs / 1000, 's', 1);
  r.info('server.peak_rss_mib', settled.maxRssKb / 1024, 'MiB', 0);

  r.section('exactly once');
  r.check('attendance_rows', settled.attendance, { op: '==', value: teachers }, '', 0);
  r.check('credit_records', settled.records, { op: '==', value: teachers }, '', 0);
  r.check('teachers_with_a_record', settled.distinctRecordTeachers, { op: '==', value: teachers }, '', 0);
  const missing = teachers - settled.attendance;
  r.check('lost_sign_ins', missing, { op: '==', value: 0 }, '', 0);
  if (missing) r.note(`not signed in, e.g.: ${JSON.stringify(await worker.call('missing'))}`);
  r.check('wrong_or_expired_codes', settled.failedAttempts, { op: '==', value: 0 }, '', 0);
  // Duplicates never reach the inbox: same event id, or (new event id) same message id.
  r.check('inbox.handled_events', settled.inboxDone - warmup, { op: '==', value: teachers }, '', 0);
  r.check('inbox.failed', settled.inboxFailed, { op: '==', value: 0 }, '', 0);

  // Replies, counted per teacher at the fake Feishu OpenAPI.
  const teacherOfMessage = new Map<string, number>();
  for (let t = 0; t < teachers; t++) teacherOfMessage.set(messageIdOf(t), t);
  const perTeacher = new Map<number, number>();
  let stray = 0;
  let confirmations = 0;
  for (const d of fake.delivered.slice(warmDelivered)) {
    const t = d.via === 'reply' ? teacherOfMessage.get(d.to) : undefined;
    if (t === undefined) {
      stray++;
      continue;
    }
    perTeacher.set(t, (perTeacher.get(t) ?? 0) + 1);
    if (String(d.content?.text ?? '').startsWith('签到成功：「全员师德专题讲座」')) confirmations++;
  }
  const duplicates = [...perTeacher.values()].filter((k) => k > 1).length;
  const without = teachers - perTeacher.size;
  r.info('replies.delivered', fake.delivered.length - warmDelivered, '', 0);
  r.check('replies.duplicate', duplicates, { op: '==', value: 0 }, 'teachers', 0);
  r.check('replies.teachers_without_reply', without, { op: '==', value: 0 }, '', 0);
  r.check('replies.confirmations', confirmations, { op: '==', value: teachers }, '', 0);
  r.check('replies.stray', stray, { op: '==', value: 0 }, '', 0);
  const sample = fake.delivered.slice(warmDelivered).find((d) => d.via === 'reply');
  if (sample) r.note(`a confirmation: ${String(sample.content?.text ?? '')}`);
  r.note(
    'Acks are measured request-written → response-read on loopback. Confirmations go out through the outbox at ' +
      "Feishu's documented send limits (50/s, 1,000/min per app) during the burst; at those limits 3,000 " +
      'confirmations need ≥ 3 minutes, so after the burst the bench lifts the app-wide limits to drain at once.',
  );
  r.summary();

  await worker.close();
  await fake.close();
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}

if (process.env.BENCH_SIGNIN_ROLE === 'server') void server();
else if (isEntry(import.meta.url)) void runStandalone(main);

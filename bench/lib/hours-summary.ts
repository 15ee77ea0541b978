/**
 * Times hoursSummary (what /hours and 我还差多少学时 answer with) for random teachers of a seeded database, on
 * either dialect: bench/ledger.ts (after its CLI imports) and bench/summary.ts (SQLite beside PostgreSQL).
 */
import { openSync, readSync } from 'node:fs';
import type { Db } from '../../db/client.js';
import { hoursSummary } from '../../src/ledger/summary.js';
import { findTeacherById, type TeacherRow } from '../../src/ledger/store.js';
import type { PolicyPreset } from '../../src/policy/schema.js';
import { rng } from './ledger-data.js';
import { fmt, type Reporter } from './report.js';
import { distribution } from './stats.js';

export interface SummaryTiming {
  /** The figures' prefix, e.g. `hours_summary` or `sqlite.hours_summary`. */
  prefix: string;
  samples: number;
  /** p99 target, ms. */
  p99Ms: number;
  today: string;
}

export async function timeHoursSummary(
  r: Reporter,
  db: Db,
  presets: ReadonlyMap<string, PolicyPreset>,
  teacherIds: readonly number[],
  t: SummaryTiming,
): Promise<void> {
  const rand = rng(7);
  const pick = (n: number) => Array.from({ length: n }, () => teacherIds[Math.floor(rand() * teacherIds.length)]);
  const load = async (list: number[]) =>
    (await Promise.all(list.map((id) => findTeacherById(db, id)))).filter((x): x is TeacherRow => x !== null);
  // Fresh connection: warm the statement paths (not the data) on a separate set of teachers first.
  const warm = await load(pick(Math.min(1000, t.samples)));
  for (const teacher of warm) await hoursSummary(db, presets, teacher, t.today);

  const sample = await load(pick(t.samples));
  const times = new Float64Array(sample.length);
  const waiting = new Float64Array(sample.length);
  const sched = threadSchedStat();
  let owing = 0;
  for (let i = 0; i < sample.length; i++) {
    const s0 = sched?.();
    const t0 = performance.now();
    const s = await hoursSummary(db, presets, sample[i], t.today);
    times[i] = performance.now() - t0;
    const s1 = sched?.();
    if (s0 && s1) waiting[i] = (s1.waitNs - s0.waitNs) / 1e6;
    if (s.remaining && s.remaining > 0) owing++;
  }
  const d = distribution(times);
  r.note(`asOf ${t.today}; teacher rows loaded before timing; ${fmt(owing, 0)} of ${fmt(sample.length, 0)} still owe hours this cycle`);
  r.info(`${t.prefix}.p50_ms`, d.p50, 'ms', 3);
  r.info(`${t.prefix}.mean_ms`, d.mean, 'ms', 3);
  r.info(`${t.prefix}.max_ms`, d.max, 'ms', 2);
  r.check(`${t.prefix}.p99_ms`, d.p99, { op: '<', value: t.p99Ms }, 'ms', 3);
  if (sched) {
    // From /proc/thread-self/schedstat: how long each call sat runnable while other work had the CPU
    // (exact: the kernel adds it when the thread is switched back in), and the p99 without that wait.
    const w = distribution(waiting);
    r.info(`${t.prefix}.cpu_wait_p99_ms`, w.p99, `ms (waiting for a CPU; ${fmt(waiting.filter((x) => x > 0).length, 0)} calls waited)`, 3);
    r.info(`${t.prefix}.p99_without_cpu_wait_ms`, distribution(times.map((x, i) => x - waiting[i])).p99, 'ms', 3);
  }
}

/**
 * This thread's run-queue wait (Linux): nanoseconds it spent runnable but not running. Read
 * through one open descriptor (a few µs), so it can bracket every timed call; null where unavailable.
 */
function threadSchedStat(): (() => { waitNs: number }) | null {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return null;
  }
  const buf = Buffer.alloc(128);
  return () => {
    const n = readSync(fd, buf, 0, buf.length, 0);
    // "run_ns wait_ns slices"; run_ns is only brought up to date at ticks, wait_ns at every switch-in.
    return { waitNs: Number(buf.toString('latin1', 0, n).split(' ')[1]) };
  };
}

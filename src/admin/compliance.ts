/**
 * Compliance at a glance for the officer console: every teacher's standing (done / on pace / behind / no numeric
 * requirement) and what they still owe this year, from the pure policy engine, kept in a per-process cache.
 *
 * A district has 100,000 teachers × 40 records. Running the engine over all of them takes seconds, so it is
 * not done per request: the cache is built once per calendar day (one pass over `records` in id order, grouped
 * by teacher, then `summarize` per teacher, yielding to the event loop between chunks) and then kept current
 * incrementally at each request:
 *   - new records and new teachers are found by id (`id > last seen`; both tables are AUTOINCREMENT, and
 *     SQLite commits writers one at a time, so ids only grow), which costs imports nothing per row;
 *   - updates and deletes (a cancelled credit, a roster re-import, the demo reset) are logged by triggers
 *     into `admin_compliance_changes` (migration 0002_admin), from any process — the CLI included.
 * Only the teachers touched are recomputed (through `hoursSummary`, the same path chat answers take).
 * A change touching more than REBUILD_OVER teachers, or a new day, rebuilds the whole cache.
 *
 * A past date (the console's 查询日期) gets a snapshot of its own, built the same way with only the records dated
 * on or before it, and kept while nothing is written (a few dates at a time).
 */
import Database from 'better-sqlite3';
import type { Db } from '../../db/client.js';
import { dateIn, type Clock } from '../clock.js';
import { hoursSummary } from '../ledger/summary.js';
import { toProfile, type TeacherRow } from '../ledger/teachers.js';
import { addDays, addMonths, calendarYearOf, isValidDate, schoolYearOf } from '../policy/dates.js';
import { cycleFor, isFarBehind, summarize, type CreditRecord, type HoursSummary } from '../policy/engine.js';
import type { PolicyPreset } from '../policy/schema.js';

export type ComplianceStatus = 'done' | 'onPace' | 'behind' | 'none';
export const STATUSES: readonly ComplianceStatus[] = ['behind', 'onPace', 'done', 'none'];

/** One teacher's standing, as the dashboard needs it (names are read from the roster when a page shows them). */
export interface TeacherStanding {
  id: number;
  school: string;
  policyId: string;
  status: ComplianceStatus;
  earned: number;
  /** Cycle total, null when the preset has none (or the teacher is exempt from it). */
  required: number | null;
  remaining: number | null;
  /** Cycle hours due by the date at an even pace (from the later of the cycle start and the hire date). */
  expected: number | null;
  /** 进度 as the engine defines it (HoursSummary.progress); null without numeric requirement. */
  progress: number | null;
  /** Unmet minimums of the current windows (年度总学时, 师德师风, 校本研修, …): label → hours owed. */
  owed: Record<string, number> | null;
}

/** Standing from one engine summary. */
export function standingOf(teacher: Pick<TeacherRow, 'id' | 'school' | 'policyId'>, s: HoursSummary): TeacherStanding {
  let owed: Record<string, number> | null = null;
  for (const o of s.obligations) {
    if (o.owed > 0) {
      owed ??= {};
      owed[o.label] = (owed[o.label] ?? 0) + o.owed;
    }
  }
  let status: ComplianceStatus;
  if (!s.hasNumericRequirement || s.progress === null) status = 'none';
  else if ((s.remaining === null || s.remaining === 0) && owed === null) status = 'done';
  else if (s.onPace === false) status = 'behind';
  else status = 'onPace';
  const progress = status === 'none' ? null : s.progress;
  return {
    id: teacher.id,
    school: teacher.school,
    policyId: teacher.policyId,
    status,
    earned: s.earned,
    required: s.required,
    remaining: s.remaining,
    expected: s.pace ? s.pace.expected : null,
    progress,
    owed,
  };
}

export interface ComplianceDeps {
  db: Db;
  presets: ReadonlyMap<string, PolicyPreset>;
  clock: Clock;
  timeZone: string;
}

export interface Snapshot {
  asOf: string;
  /** When the full pass behind it finished (real time), and how long it took. */
  builtAt: number;
  buildMs: number;
  teachers: Map<number, TeacherStanding>;
}

export interface CacheRead {
  /** Null only while the very first build runs. */
  snapshot: Snapshot | null;
  /** True while a rebuild for a new day (or a big import) runs and an older snapshot is shown. */
  stale: boolean;
}

/** More teachers touched than this since the last look: rebuild rather than recompute one by one. */
export const REBUILD_OVER = 1000;
/** Builds faster than this are awaited by the request; slower ones run behind a stale snapshot. */
const AWAIT_BUILD_UNDER_MS = 1500;
const RECORD_CHUNK = 100_000;
const TEACHER_CHUNK = 4_000;

interface Marks {
  maxRecordId: number;
  maxTeacherId: number;
  maxChangeSeq: number;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

type TeacherRaw = [number, string, string, string, string | null, number | null, number, string, string];

function teacherFromRaw(r: TeacherRaw): TeacherRow {
  return {
    id: r[0],
    employeeNo: r[1],
    name: r[2],
    school: r[3],
    hireDate: r[4],
    normalGraduate: r[5] === null ? null : r[5] === 1,
    homeroom: r[6] === 1,
    position: r[7],
    policyId: r[8],
    createdAt: new Date(0),
    updatedAt: null,
  };
}

const TEACHER_COLUMNS = 'id, employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id';

/** Growable typed column. */
class Column<T extends Int32Array | Float64Array> {
  length = 0;
  constructor(public data: T) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new (this.data.constructor as { new (n: number): T })(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** Past dates kept at once (each a full snapshot). */
const PAST_KEPT = 3;

export class ComplianceCache {
  private snapshot: Snapshot | null = null;
  /** Snapshots of past dates, by date, with the write version they were built at (most recent use last). */
  private past = new Map<string, { snapshot: Snapshot; version: string }>();
  private pastBuilding = new Map<string, Promise<Snapshot>>();
  private marks: Marks = { maxRecordId: 0, maxTeacherId: 0, maxChangeSeq: 0 };
  private building: Promise<Snapshot> | null = null;
  private lastBuildMs = 0;
  /** How far the running build is (for the "calculating" banner). */
  progress: { phase: 'records' | 'teachers'; done: number; total: number } | null = null;

  constructor(private readonly deps: ComplianceDeps) {}

  today(): string {
    return dateIn(this.deps.clock.now(), this.deps.timeZone);
  }

  /** Starts a build in the background if there is nothing yet (e.g. when the login page is shown). */
  warm(): void {
    if (!this.snapshot && !this.building) this.rebuild().catch(() => undefined);
  }

  /**
   * The current standings: brought up to date incrementally, or rebuilt. A rebuild is waited for up to `waitMs`
   * (a small district's takes milliseconds); past that the previous day's snapshot is shown, marked stale, or —
   * on the very first build — none, and the page says how far the build is.
   */
  async read(waitMs = 2000): Promise<CacheRead> {
    const asOf = this.today();
    if (this.snapshot && this.snapshot.asOf === asOf && !this.building && this.catchUp()) return { snapshot: this.snapshot, stale: false };
    const build = this.building ?? this.rebuild();
    const wait = this.snapshot && this.lastBuildMs >= AWAIT_BUILD_UNDER_MS ? Math.min(waitMs, 200) : waitMs;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      build.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), wait);
        timer.unref?.();
      }),
    ]).finally(() => clearTimeout(timer));
    if (finished && this.snapshot) return { snapshot: this.snapshot, stale: this.snapshot.asOf !== this.today() };
    return { snapshot: this.snapshot, stale: true };
  }

  /**
   * The standings on `asOf`: today's through `read`; a past date's from a snapshot built for it with only the
   * records dated on or before it, rebuilt when anything was written since. Waits up to `waitMs` for a build;
   * past that, the page shows how far it is (stale, no snapshot) or the older one for that date.
   */
  async readAt(asOf: string, waitMs = 2000): Promise<CacheRead> {
    if (asOf >= this.today()) return this.read(waitMs);
    const version = this.writeVersion();
    const kept = this.past.get(asOf);
    if (kept && kept.version === version) {
      this.past.delete(asOf);
      this.past.set(asOf, kept);
      return { snapshot: kept.snapshot, stale: false };
    }
    let build = this.pastBuilding.get(asOf);
    if (!build) {
      build = this.build(asOf)
        .then(({ snapshot }) => {
          this.past.delete(asOf);
          this.past.set(asOf, { snapshot, version });
          while (this.past.size > PAST_KEPT) this.past.delete(this.past.keys().next().value!);
          return snapshot;
        })
        .finally(() => this.pastBuilding.delete(asOf));
      this.pastBuilding.set(asOf, build);
    }
    let timer: NodeJS.Timeout | undefined;
    const built = await Promise.race([
      build,
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), waitMs);
        timer.unref?.();
      }),
    ]).finally(() => clearTimeout(timer));
    return built ? { snapshot: built, stale: false } : { snapshot: kept?.snapshot ?? null, stale: true };
  }

  /**
   * Grows with every write to records or the roster (AUTOINCREMENT counters never go back, unlike max(seq) of the
   * change log, which pruning empties).
   */
  private writeVersion(): string {
    const sqlite = this.deps.db.$client;
    const seq = sqlite.prepare("SELECT name, seq FROM sqlite_sequence WHERE name IN ('records', 'teachers', 'admin_compliance_changes') ORDER BY name").raw().all();
    return JSON.stringify(seq);
  }

  /** The snapshot as it is, without catching up (null before the first build). */
  peek(): Snapshot | null {
    return this.snapshot;
  }

  /** Forgets everything (tests; a restore from backup). */
  reset(): void {
    this.snapshot = null;
    this.past.clear();
  }

  private currentMarks(): Marks {
    return marksOf(this.deps.db.$client);
  }

  /**
   * Applies what changed since the last look to the snapshot. Returns false when too much changed (the caller
   * rebuilds instead).
   */
  private catchUp(): boolean {
    const snapshot = this.snapshot!;
    const sqlite = this.deps.db.$client;
    const now = this.currentMarks();
    const last = this.marks;
    if (now.maxRecordId === last.maxRecordId && now.maxTeacherId === last.maxTeacherId && now.maxChangeSeq === last.maxChangeSeq) return true;
    const touched = new Set<number>();
    if (now.maxRecordId > last.maxRecordId) {
      const ids = sqlite
        .prepare('SELECT DISTINCT teacher_id FROM records WHERE id > ? AND id <= ? LIMIT ?')
        .pluck()
        .all(last.maxRecordId, now.maxRecordId, REBUILD_OVER + 1) as number[];
      ids.forEach((id) => touched.add(id));
    }
    if (now.maxTeacherId > last.maxTeacherId) {
      const ids = sqlite.prepare('SELECT id FROM teachers WHERE id > ? AND id <= ? LIMIT ?').pluck().all(last.maxTeacherId, now.maxTeacherId, REBUILD_OVER + 1) as number[];
      ids.forEach((id) => touched.add(id));
    }
    if (now.maxChangeSeq > last.maxChangeSeq) {
      const ids = sqlite
        .prepare('SELECT DISTINCT teacher_id FROM admin_compliance_changes WHERE seq > ? AND seq <= ? LIMIT ?')
        .pluck()
        .all(last.maxChangeSeq, now.maxChangeSeq, REBUILD_OVER + 1) as number[];
      ids.forEach((id) => touched.add(id));
    }
    if (touched.size > REBUILD_OVER) return false;
    const one = sqlite.prepare(`SELECT ${TEACHER_COLUMNS} FROM teachers WHERE id = ?`).raw();
    for (const id of touched) {
      const raw = one.get(id) as TeacherRaw | undefined;
      if (!raw) {
        snapshot.teachers.delete(id);
        continue;
      }
      const teacher = teacherFromRaw(raw);
      if (!this.deps.presets.has(teacher.policyId)) {
        snapshot.teachers.delete(id);
        continue;
      }
      snapshot.teachers.set(id, standingOf(teacher, hoursSummary(this.deps.db, this.deps.presets, teacher, snapshot.asOf)));
    }
    this.marks = now;
    this.prune(now.maxChangeSeq);
    return true;
  }

  private prune(upTo: number): void {
    if (upTo > 0) this.deps.db.$client.prepare('DELETE FROM admin_compliance_changes WHERE seq <= ?').run(upTo);
  }

  private rebuild(): Promise<Snapshot> {
    const started = performance.now();
    this.building = this.build(this.today())
      .then(({ snapshot, marks }) => {
        this.lastBuildMs = performance.now() - started;
        this.marks = marks;
        this.prune(marks.maxChangeSeq);
        this.snapshot = snapshot;
        return snapshot;
      })
      .finally(() => {
        this.building = null;
      });
    return this.building;
  }

  /**
   * One pass over everything, on a read-only connection of its own inside one read transaction: a consistent
   * snapshot, read in pieces with pauses between them while the main connection keeps serving (and the bot
   * keeps writing). The marks are read in the same snapshot, so whatever is written meanwhile (ids above the
   * marks, change rows after them) is picked up by the next catch-up.
   */
  private async build(asOf: string): Promise<{ snapshot: Snapshot; marks: Marks }> {
    const started = performance.now();
    const { db, presets } = this.deps;
    const file = db.$client.name;
    const separate = file !== ':memory:' && file !== '' && !db.$client.memory;
    const reader = separate ? new Database(file, { readonly: true, fileMustExist: true }) : db.$client;
    this.progress = { phase: 'records', done: 0, total: 0 };
    try {
      if (separate) reader.exec('BEGIN');
      const marks = marksOf(reader);
      this.progress.total = marks.maxRecordId || 1;

      const roster = new Map<number, TeacherRow>();
      for (const raw of reader.prepare(`SELECT ${TEACHER_COLUMNS} FROM teachers WHERE id <= ?`).raw().iterate(marks.maxTeacherId) as IterableIterator<TeacherRaw>) {
        roster.set(raw[0], teacherFromRaw(raw));
      }

      // Active records into columns (dates and categories interned), pausing every RECORD_CHUNK rows. The main
      // connection cannot pause inside an open statement, so it reads in id ranges instead.
      const tid = new Column(new Int32Array(1 << 16));
      const day = new Column(new Int32Array(1 << 16));
      const cat = new Column(new Int32Array(1 << 16));
      const hrs = new Column(new Float64Array(1 << 16));
      const dates: string[] = [];
      const dateIdx = new Map<string, number>();
      const cats: string[] = [];
      const catIdx = new Map<string, number>();
      const take = (r: readonly [unknown, number, string, number, string, ...unknown[]]) => {
        let d = dateIdx.get(r[2]);
        if (d === undefined) {
          d = dates.length;
          dates.push(r[2]);
          dateIdx.set(r[2], d);
        }
        let c = catIdx.get(r[4]);
        if (c === undefined) {
          c = cats.length;
          cats.push(r[4]);
          catIdx.set(r[4], c);
        }
        tid.push(r[1]);
        day.push(d);
        cat.push(c);
        hrs.push(r[3]);
      };
      if (separate) {
        let k = 0;
        this.progress.total = Number(reader.prepare('SELECT count(*) FROM records').pluck().get()) || 1;
        // Four columns, no id: every value read is a value allocated, and this loop reads millions.
        // Only what exists on asOf: records dated after it are left out (the engine would ignore them too).
        const all = reader.prepare('SELECT 0, teacher_id, date, hours, category FROM records WHERE id <= ? AND date <= ? AND cancelled_at IS NULL').raw();
        for (const r of all.iterate(marks.maxRecordId, asOf) as IterableIterator<RecordRaw>) {
          take(r);
          if (++k % RECORD_CHUNK === 0) {
            this.progress.done = k;
            await yieldToLoop();
          }
        }
      } else {
        const chunk = reader.prepare('SELECT id, teacher_id, date, hours, category, cancelled_at FROM records WHERE id > ? AND id <= ? ORDER BY id LIMIT ?').raw();
        let after = 0;
        for (;;) {
          const rows = chunk.all(after, marks.maxRecordId, RECORD_CHUNK) as (RecordRaw & { 5: number | null })[];
          if (rows.length === 0) break;
          for (const r of rows) if (r[5] === null && !(r[2] > asOf)) take(r);
          after = rows[rows.length - 1][0];
          this.progress.done = after;
          await yieldToLoop();
        }
      }
      if (separate) reader.exec('COMMIT');

      // Group by teacher (counting sort over teacher ids).
      const n = tid.length;
      const maxTid = marks.maxTeacherId + 1;
      const start = new Int32Array(maxTid + 1);
      for (let i = 0; i < n; i++) if (tid.data[i] < maxTid) start[tid.data[i] + 1]++;
      for (let i = 1; i <= maxTid; i++) start[i] += start[i - 1];
      const fill = start.slice(0, maxTid);
      const order = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const t = tid.data[i];
        if (t < maxTid) order[fill[t]++] = i;
      }

      this.progress = { phase: 'teachers', done: 0, total: roster.size };
      const presetBounds = new Map<string, string[]>();
      const validDate = dates.map((d) => isValidDate(d));
      const valid = (d: string) => validDate[dateIdx.get(d) ?? -1] ?? isValidDate(d);
      const teachers = new Map<number, TeacherStanding>();
      let k = 0;
      for (const teacher of roster.values()) {
        const preset = presets.get(teacher.policyId);
        if (preset) {
          const id = teacher.id;
          const records: CreditRecord[] = new Array(start[id + 1] - start[id]);
          for (let j = start[id], m = 0; j < start[id + 1]; j++, m++) {
            const i = order[j];
            records[m] = { date: dates[day.data[i]], hours: hrs.data[i], category: cats[cat.data[i]] };
          }
          const bounds = boundariesFor(preset, teacher.hireDate, asOf, presetBounds);
          teachers.set(id, standingOf(teacher, summarize(toProfile(teacher), mergeWithin(records, bounds, valid), preset, asOf)));
        }
        if (++k % TEACHER_CHUNK === 0) {
          this.progress.done = k;
          await yieldToLoop();
        }
      }
      return { snapshot: { asOf, builtAt: Date.now(), buildMs: performance.now() - started, teachers }, marks };
    } finally {
      if (separate) {
        if (reader.inTransaction) reader.exec('ROLLBACK');
        reader.close();
      }
      this.progress = null;
    }
  }
}

type RecordRaw = [number, number, string, number, string];

/**
 * Every date at which one of the engine's windows (for this preset, teacher and day) starts or ends (as the
 * day after it): the cycle, the calendar year, the school year, the new-teacher window, and asOf itself. Records between two
 * neighbouring boundaries fall in exactly the same windows.
 */
export function boundariesFor(preset: PolicyPreset, hireDate: string | null, asOf: string, cache?: Map<string, string[]>): string[] {
  let base = cache?.get(preset.id);
  if (!base) {
    const set = new Set<string>();
    const cycle = cycleFor(preset, asOf);
    if (cycle) set.add(cycle.start).add(addDays(cycle.end, 1));
    for (const w of [calendarYearOf(asOf), schoolYearOf(asOf)]) set.add(w.start).add(addDays(w.end, 1));
    // Records after asOf do not count: never merge one into a record that does.
    set.add(addDays(asOf, 1));
    base = [...set].sort();
    cache?.set(preset.id, base);
  }
  if (!preset.induction || !hireDate || !isValidDate(hireDate)) return base;
  return [...new Set([...base, hireDate, addMonths(hireDate, preset.induction.months)])].sort();
}

/**
 * The records as the engine needs them and no more: records of the same category between the same two
 * boundaries are summed into one (in whole hundredths of an hour, as the engine counts). Every window sum the
 * engine takes is unchanged (the unit test compares both on random data for every preset), while a teacher's
 * 40 records become a handful, which is what makes a pass over 100,000 teachers take seconds, not a minute.
 * Records the engine would refuse (bad date, negative hours) are passed through untouched.
 */
export function mergeWithin(
  records: readonly CreditRecord[],
  bounds: readonly string[],
  valid: (date: string) => boolean = isValidDate,
): CreditRecord[] {
  const out: CreditRecord[] = [];
  const merged = new Map<string, { date: string; hundredths: number; category: string }>();
  for (const r of records) {
    if (typeof r.hours !== 'number' || !Number.isFinite(r.hours) || r.hours < 0 || !valid(r.date)) {
      out.push(r);
      continue;
    }
    let seg = 0;
    while (seg < bounds.length && bounds[seg] <= r.date) seg++;
    const key = `${seg}\u0001${r.category}`;
    const m = merged.get(key);
    if (m) m.hundredths += Math.round(r.hours * 100);
    else merged.set(key, { date: r.date, hundredths: Math.round(r.hours * 100), category: r.category });
  }
  for (const m of merged.values()) out.push({ date: m.date, hours: m.hundredths / 100, category: m.category });
  return out;
}

function marksOf(sqlite: Database.Database): Marks {
  return {
    maxRecordId: Number(sqlite.prepare('SELECT coalesce(max(id), 0) FROM records').pluck().get()),
    maxTeacherId: Number(sqlite.prepare('SELECT coalesce(max(id), 0) FROM teachers').pluck().get()),
    maxChangeSeq: Number(sqlite.prepare('SELECT coalesce(max(seq), 0) FROM admin_compliance_changes').pluck().get()),
  };
}

/* ------------------------------------------------------------------ aggregates */

export interface OwedTotal {
  label: string;
  teachers: number;
  hours: number;
}

export interface Tally {
  teachers: number;
  done: number;
  onPace: number;
  behind: number;
  none: number;
  /** 落后过半: 进度 under half (a subset of behind). */
  farBehind: number;
  owed: Map<string, { teachers: number; hours: number }>;
}

export interface SchoolTally extends Tally {
  school: string;
}

export interface Overview {
  asOf: string;
  total: Tally;
  schools: SchoolTally[];
  /** Progress histogram: 10 buckets of 10 % and one for ≥ 100 %, each split by status. */
  histogram: Record<'done' | 'onPace' | 'behind', number>[];
  /** Every owed label seen, by hours owed (most first). */
  labels: string[];
}

const emptyTally = (): Tally => ({ teachers: 0, done: 0, onPace: 0, behind: 0, none: 0, farBehind: 0, owed: new Map() });

function add(t: Tally, s: TeacherStanding): void {
  t.teachers++;
  t[s.status]++;
  if (isFarBehind(s.progress)) t.farBehind++;
  if (s.owed) {
    for (const label in s.owed) {
      const o = t.owed.get(label);
      if (o) {
        o.teachers++;
        o.hours += s.owed[label];
      } else t.owed.set(label, { teachers: 1, hours: s.owed[label] });
    }
  }
}

export interface Filter {
  school?: string | null;
  policyId?: string | null;
}

export function matches(s: TeacherStanding, f: Filter): boolean {
  return (!f.school || s.school === f.school) && (!f.policyId || s.policyId === f.policyId);
}

/** Totals overall and per school, one pass over the standings. */
export function overview(snapshot: Snapshot, filter: Filter = {}): Overview {
  const total = emptyTally();
  const bySchool = new Map<string, SchoolTally>();
  const histogram = Array.from({ length: 11 }, () => ({ done: 0, onPace: 0, behind: 0 }));
  for (const s of snapshot.teachers.values()) {
    if (!matches(s, filter)) continue;
    add(total, s);
    let school = bySchool.get(s.school);
    if (!school) bySchool.set(s.school, (school = { school: s.school, ...emptyTally() }));
    add(school, s);
    if (s.progress !== null && s.status !== 'none') histogram[Math.min(10, Math.max(0, Math.floor(s.progress * 10 + 1e-9)))][s.status]++;
  }
  const labels = [...total.owed.entries()].sort((a, b) => b[1].hours - a[1].hours).map(([label]) => label);
  return { asOf: snapshot.asOf, total, schools: [...bySchool.values()], histogram, labels };
}

/** Share of teachers with a numeric requirement who are behind (0 when none has one). */
export function behindShare(t: Tally): number {
  const counted = t.teachers - t.none;
  return counted > 0 ? t.behind / counted : 0;
}

export function standingsOfSchool(snapshot: Snapshot, school: string): TeacherStanding[] {
  const out: TeacherStanding[] = [];
  for (const s of snapshot.teachers.values()) if (s.school === school) out.push(s);
  return out;
}

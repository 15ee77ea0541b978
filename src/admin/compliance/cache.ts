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
import { dateIn } from '../../time/zone.js';
import { hoursSummary } from '../../ledger/summary.js';
import type { TeacherRow } from '../../ledger/store.js';
import { toProfile } from '../../ledger/teachers.js';
import { isValidDate } from '../../policy/dates.js';
import { summarize, type CreditRecord } from '../../policy/engine.js';
import { boundariesFor, mergeWithin } from './merge.js';
import { standingOf, type CacheRead, type ComplianceDeps, type Snapshot, type TeacherStanding } from './model.js';
import { marksOf, openSnapshotReader, pruneChanges, sameMarks, teacherFromRaw, teacherReader, touchedTeachers, writeVersion, writtenSince, type Marks } from './store.js';

/** More teachers touched than this since the last look: rebuild rather than recompute one by one. */
export const REBUILD_OVER = 1000;
/** Builds faster than this are awaited by the request; slower ones run behind a stale snapshot. */
const AWAIT_BUILD_UNDER_MS = 1500;
const RECORD_CHUNK = 100_000;
const TEACHER_CHUNK = 4_000;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

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
  /**
   * Snapshots of past dates, by date, with the write version they were built at and the day they were built on
   * (most recent use last). Kept for a day at most: on PostgreSQL the change rows that tell whether one is still
   * current are pruned after two.
   */
  private past = new Map<string, { snapshot: Snapshot; version: string; day: string }>();
  private pastBuilding = new Map<string, Promise<Snapshot>>();
  private marks: Marks = { maxRecordId: 0, maxTeacherId: 0, maxChangeSeq: 0, snapshot: null };
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
    if (this.snapshot && this.snapshot.asOf === asOf && !this.building && (await this.catchUp())) return { snapshot: this.snapshot, stale: false };
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
    const today = this.today();
    if (asOf >= today) return this.read(waitMs);
    const kept = this.past.get(asOf);
    if (kept && kept.day === today && !(await writtenSince(this.deps.db, kept.version))) {
      this.past.delete(asOf);
      this.past.set(asOf, kept);
      return { snapshot: kept.snapshot, stale: false };
    }
    let build = this.pastBuilding.get(asOf);
    if (!build) {
      const version = await writeVersion(this.deps.db);
      build = this.build(asOf)
        .then(({ snapshot }) => {
          this.past.delete(asOf);
          this.past.set(asOf, { snapshot, version, day: today });
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

  /** The snapshot as it is, without catching up (null before the first build). */
  peek(): Snapshot | null {
    return this.snapshot;
  }

  /** Forgets everything (tests; a restore from backup). */
  reset(): void {
    this.snapshot = null;
    this.past.clear();
  }


  /**
   * Applies what changed since the last look to the snapshot. Returns false when too much changed (the caller
   * rebuilds instead).
   */
  private async catchUp(): Promise<boolean> {
    const snapshot = this.snapshot!;
    const now = await marksOf(this.deps.db);
    const last = this.marks;
    if (sameMarks(now, last)) return true;
    const touched = await touchedTeachers(this.deps.db, last, now, REBUILD_OVER + 1);
    if (touched.size > REBUILD_OVER) return false;
    const teacherById = teacherReader(this.deps.db);
    for (const id of touched) {
      const teacher = await teacherById(id);
      if (!teacher) {
        snapshot.teachers.delete(id);
        continue;
      }
      if (!this.deps.presets.has(teacher.policyId)) {
        snapshot.teachers.delete(id);
        continue;
      }
      snapshot.teachers.set(id, standingOf(teacher, await hoursSummary(this.deps.db, this.deps.presets, teacher, snapshot.asOf)));
    }
    this.marks = now;
    await pruneChanges(this.deps.db, now);
    return true;
  }

  private rebuild(): Promise<Snapshot> {
    const started = performance.now();
    this.building = this.build(this.today())
      .then(async ({ snapshot, marks }) => {
        this.lastBuildMs = performance.now() - started;
        this.marks = marks;
        this.snapshot = snapshot;
        await pruneChanges(this.deps.db, marks);
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
    this.progress = { phase: 'records', done: 0, total: 0 };
    const reader = await openSnapshotReader(db).catch((error: unknown) => {
      this.progress = null;
      throw error;
    });
    const separate = reader.separate;
    try {
      const marks = await reader.marks();
      this.progress.total = marks.maxRecordId || 1;

      const roster = new Map<number, TeacherRow>();
      await reader.eachTeacher(marks.maxTeacherId, (raw) => roster.set(raw[0], teacherFromRaw(raw)));

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
        this.progress.total = (await reader.countRecords()) || 1;
        // Only what exists on asOf: records dated after it are left out (the engine would ignore them too).
        await reader.eachActiveRecord(marks.maxRecordId, asOf, RECORD_CHUNK, take, (k) => {
          if (this.progress) this.progress.done = k;
        });
      } else {
        let after = 0;
        for (;;) {
          const rows = await reader.recordChunk(after, marks.maxRecordId, RECORD_CHUNK);
          if (rows.length === 0) break;
          for (const r of rows) if (r[5] === null && !(r[2] > asOf)) take(r);
          after = rows[rows.length - 1][0];
          this.progress.done = after;
          await yieldToLoop();
        }
      }
      await reader.finish();

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
      this.progress = null;
      await reader.close();
    }
  }
}

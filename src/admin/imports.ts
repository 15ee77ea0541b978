/**
 * Console imports: an uploaded file is kept in a temp file under a random id, checked with a dry run (the
 * importers' own row validation, nothing written), then committed from the same file when the officer
 * confirms. Both passes run in the background and report progress; the pages poll.
 *
 * The importers hold one transaction over the whole file, so they get a connection of their own (the
 * bot's connection must never run inside it); one import at a time.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { closeDatabase, openDatabase, type Db } from '../../db/client.js';
import { dialectOf } from '../../db/handle.js';
import type { Clock } from '../clock.js';
import { importFile, ImportFileError, type ImportLimits, type ImportResult, type RowSource } from '../import/index.js';
import type { Logger } from '../logger.js';
import type { PolicyPreset } from '../policy/schema.js';

export type ImportKind = 'teachers' | 'records';
export type JobPhase = 'validating' | 'validated' | 'importing' | 'done' | 'failed' | 'discarded';

export interface ImportJob {
  id: string;
  kind: ImportKind;
  fileName: string;
  path: string;
  size: number;
  actor: string;
  createdAt: Date;
  phase: JobPhase;
  rows: number;
  source: RowSource | null;
  check: ImportResult | null;
  result: ImportResult | null;
  error: string | null;
}

export interface ImportJobsDeps {
  db: Db;
  databasePath: string;
  presets: ReadonlyMap<string, PolicyPreset>;
  clock: Clock;
  timeZone: string;
  defaultPolicy: string;
  logger: Logger;
  /** Called after a commit wrote rows (e.g. to refresh caches). */
  onCommitted?: (job: ImportJob) => void;
  /** What reading one file may cost (default DEFAULT_IMPORT_LIMITS). */
  limits?: ImportLimits;
}

/** Problems kept per job for the report (and its CSV download). */
export const KEEP_ERRORS = 5000;
const KEEP_JOBS = 20;
const EXTENSIONS = new Set(['.csv', '.txt', '.xlsx', '.xlsm', '.xls']);

export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>();
  private dir: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ImportJobsDeps) {}

  /** Keeps the upload (already in memory) in a temp file and starts the dry run. */
  start(kind: ImportKind, fileName: string, bytes: Uint8Array, actor: string): ImportJob {
    const { id, path } = this.newUpload(fileName);
    writeFileSync(path, bytes, { mode: 0o600 });
    return this.track(id, kind, fileName, path, bytes.byteLength, actor);
  }

  /**
   * Takes over an upload already on disk (streamed there by the console) and starts the dry run. The file
   * is moved into the upload directory and belongs to the job from then on (removed when it is done).
   */
  startFile(kind: ImportKind, fileName: string, uploadedPath: string, actor: string): ImportJob {
    const { id, path } = this.newUpload(fileName);
    try {
      renameSync(uploadedPath, path);
    } catch {
      // Another file system (the OS temp dir): copy, then drop the original.
      copyFileSync(uploadedPath, path);
      rmSync(uploadedPath, { force: true });
    }
    return this.track(id, kind, fileName, path, statSync(path).size, actor);
  }

  /**
   * A fresh path in the upload directory (same disk as the database, never a RAM-backed /tmp) for the console
   * to stream an upload to before handing it to startFile; the caller deletes it if the upload is refused.
   */
  reserve(): string {
    this.dir ??= this.uploadDir();
    return join(this.dir, `${randomBytes(16).toString('base64url')}.part`);
  }

  private newUpload(fileName: string): { id: string; path: string } {
    this.dir ??= this.uploadDir();
    const id = randomBytes(16).toString('base64url');
    const ext = extname(fileName).toLowerCase();
    return { id, path: join(this.dir, `${id}${EXTENSIONS.has(ext) ? ext : '.csv'}`) };
  }

  private track(id: string, kind: ImportKind, fileName: string, path: string, size: number, actor: string): ImportJob {
    const job: ImportJob = {
      id,
      kind,
      fileName: fileName.slice(0, 200) || 'upload',
      path,
      size,
      actor,
      createdAt: this.deps.clock.now(),
      phase: 'validating',
      rows: 0,
      source: null,
      check: null,
      result: null,
      error: null,
    };
    this.jobs.set(id, job);
    this.trim();
    this.enqueue(job, true, false);
    return job;
  }

  get(id: string): ImportJob | null {
    return this.jobs.get(id) ?? null;
  }

  list(): ImportJob[] {
    return [...this.jobs.values()].reverse();
  }

  /** Imports the checked file for real (skipInvalid: the good rows of a file with bad ones). */
  commit(id: string, skipInvalid: boolean): ImportJob | null {
    const job = this.jobs.get(id);
    if (!job || job.phase !== 'validated') return null;
    job.phase = 'importing';
    job.rows = 0;
    this.enqueue(job, false, skipInvalid);
    return job;
  }

  discard(id: string): void {
    const job = this.jobs.get(id);
    if (!job || job.phase === 'validating' || job.phase === 'importing') return;
    if (job.phase === 'validated') job.phase = 'discarded';
    rmSync(job.path, { force: true });
  }

  /** Waits for every queued pass (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  /** Removes the uploads still waiting (on shutdown). */
  close(): void {
    for (const job of this.jobs.values()) rmSync(job.path, { force: true });
  }

  /**
   * Uploads wait for their commit next to the database (same disk, same permissions, and gone with a test's temp
   * directory), in `.admin-uploads/`; files a day old are left-overs of a restart and are removed. An in-memory
   * database has no directory: the system temp dir then.
   */
  private uploadDir(): string {
    if (this.deps.databasePath === ':memory:') return mkdtempSync(join(tmpdir(), 'xueshi-admin-uploads-'));
    const dir = join(dirname(this.deps.databasePath), '.admin-uploads');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const dayAgo = Date.now() - 24 * 3600_000;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      try {
        if (statSync(path).mtimeMs < dayAgo) rmSync(path, { force: true });
      } catch {
        // gone already
      }
    }
    return dir;
  }

  private trim(): void {
    const done = [...this.jobs.values()].filter((j) => j.phase !== 'validating' && j.phase !== 'importing');
    for (const job of done.slice(0, Math.max(0, this.jobs.size - KEEP_JOBS))) {
      rmSync(job.path, { force: true });
      this.jobs.delete(job.id);
    }
  }

  private enqueue(job: ImportJob, dryRun: boolean, skipInvalid: boolean): void {
    this.queue = this.queue.then(() => this.run(job, dryRun, skipInvalid)).catch(() => undefined);
  }

  private async run(job: ImportJob, dryRun: boolean, skipInvalid: boolean): Promise<void> {
    const { deps } = this;
    // The importers span the file with one transaction: on SQLite never on the connection the bot and pages share
    // (a second connection to the file). On PostgreSQL the pool gives the import's transaction a client of its own.
    const separate = dialectOf(deps.db) === 'sqlite' && deps.databasePath !== ':memory:';
    const db = separate ? openDatabase(deps.databasePath) : deps.db;
    try {
      const setting = { presets: deps.presets, clock: deps.clock, defaultPolicy: deps.defaultPolicy, timeZone: deps.timeZone, limits: deps.limits };
      const result = await importFile(db, setting, {
        kind: job.kind,
        path: job.path,
        name: job.fileName,
        dryRun,
        skipInvalid,
        actor: job.actor,
        keepErrors: KEEP_ERRORS,
        progressEvery: 2000,
        onProgress: (rows: number) => {
          job.rows = rows;
        },
        onSource: (source: RowSource) => {
          job.source = source;
        },
      });
      if (dryRun) {
        job.check = result;
        job.phase = 'validated';
      } else {
        job.result = result;
        job.phase = 'done';
        rmSync(job.path, { force: true });
        if (result.committed) deps.onCommitted?.(job);
      }
    } catch (error) {
      job.phase = 'failed';
      job.error = error instanceof ImportFileError ? error.message : (error as Error).message;
      if (!(error instanceof ImportFileError)) deps.logger.error({ err: error, file: job.fileName }, 'console import failed');
      rmSync(job.path, { force: true });
    } finally {
      job.source = null;
      if (separate) closeDatabase(db);
    }
  }
}

/** Bytes read so far as a percentage, when the size is known. */
export function percentRead(job: ImportJob): number | null {
  const p = job.source?.progress();
  if (!p || !p.totalBytes) return null;
  return Math.min(100, Math.round((p.bytesRead / p.totalBytes) * 100));
}

/**
 * The console's batch exports of 学时证明: an officer asks for one school or all, the batch (batch.ts, the CLI's
 * code) runs in the background off the request path, one at a time, and the page polls its progress. Each export
 * lands in the exports folder next to the database as one ZIP (the PDFs and the 培训档案 workbook) plus the
 * workbook on its own; the scheduler's file pruning removes them after the retention.
 *
 * Jobs are kept in memory (the last few): after a restart the files stay until pruned, the list starts empty.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesRootFor, type Config } from '../config.js';
import type { Db } from '../../db/client.js';
import { transaction } from '../../db/statements.js';
import { certificateConsole as m } from '../bot/i18n/zh-CN.certificates.js';
import { dateIn } from '../time/zone.js';
import { type Clock } from '../clock.js';
import { audit } from '../ledger/audit.js';
import type { Logger } from '../logger.js';
import type { PolicyPreset } from '../policy/schema.js';
import { exportCertificates, safeFileName } from './batch.js';
import { policiesOf, teacherCount } from './store.js';

export type ExportPhase = 'queued' | 'running' | 'done' | 'failed';

export interface CertificateExport {
  id: string;
  /** The schools asked for; `all` tells "every school" from a list that happens to hold one. */
  schools: string[];
  all: boolean;
  actor: string;
  createdAt: Date;
  phase: ExportPhase;
  done: number;
  total: number;
  zipPath: string | null;
  workbookPath: string | null;
  bytes: number;
  error: string | null;
}

export interface CertificateExportsDeps {
  db: Db;
  presets: ReadonlyMap<string, PolicyPreset>;
  clock: Clock;
  timeZone: string;
  /** Where exports go (exportsDirFor); null: a temp dir (an in-memory database without FILES_DIR). */
  exportsDir: string | null;
  officeName: string;
  sealPath?: string;
  baseUrl: string;
  logger: Logger;
}

/** Jobs listed on the page; older finished ones are forgotten (their files stay until pruned). */
const KEEP_JOBS = 20;

/** exports/ in the files folder (FILES_DIR, else beside the SQLite database: data/xueshi.db → data/exports). */
export const exportsDirFor = (config: Pick<Config, 'FILES_DIR' | 'DATABASE_PATH'>) => join(filesRootFor(config), 'exports');

export class CertificateExports {
  private readonly jobs = new Map<string, CertificateExport>();
  private queue: Promise<unknown> = Promise.resolve();
  private dir: string | null = null;

  constructor(private readonly deps: CertificateExportsDeps) {}

  /**
   * Queues an export of `schools` (already checked against the roster) and returns its job at once. Refuses,
   * with the sentence to show, what cannot be issued: no teachers, a policy not configured, a missing seal.
   */
  async start(schools: string[], all: boolean, actor: string): Promise<CertificateExport | { refused: string }> {
    const { deps } = this;
    const total = await teacherCount(deps.db, schools);
    if (total === 0) return { refused: m.noTeachers };
    const missing = (await policiesOf(deps.db, schools)).filter((p) => !deps.presets.has(p));
    if (missing.length) return { refused: m.policyMissing(m.list(missing)) };
    if (deps.sealPath && !existsSync(deps.sealPath)) return { refused: m.sealMissing };
    const job: CertificateExport = {
      id: randomBytes(12).toString('base64url'),
      schools,
      all,
      actor,
      createdAt: deps.clock.now(),
      phase: 'queued',
      done: 0,
      total,
      zipPath: null,
      workbookPath: null,
      bytes: 0,
      error: null,
    };
    this.jobs.set(job.id, job);
    this.trim();
    await transaction(deps.db, (tx) => audit(tx, actor, 'certificate.export', { school: all ? m.allSchools : m.list(schools), total: job.total }));
    this.queue = this.queue.then(() => this.run(job)).catch(() => undefined);
    return job;
  }

  get(id: string): CertificateExport | null {
    return this.jobs.get(id) ?? null;
  }

  /** Newest first. */
  list(): CertificateExport[] {
    return [...this.jobs.values()].reverse();
  }

  /** Waits for every queued export (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  label(job: CertificateExport): string {
    return job.all ? m.allSchools : m.list(job.schools);
  }

  private exportsDir(): string {
    if (this.dir) return this.dir;
    this.dir = this.deps.exportsDir ?? mkdtempSync(join(tmpdir(), 'xueshi-exports-'));
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    return this.dir;
  }

  private trim(): void {
    const finished = [...this.jobs.values()].filter((j) => j.phase === 'done' || j.phase === 'failed');
    for (const job of finished.slice(0, Math.max(0, this.jobs.size - KEEP_JOBS))) this.jobs.delete(job.id);
  }

  private async run(job: CertificateExport): Promise<void> {
    const { deps } = this;
    job.phase = 'running';
    const now = deps.clock.now();
    const today = dateIn(now, deps.timeZone);
    try {
      // The job id in the name: two exports of one school on one day never overwrite each other.
      const base = m.fileBase(safeFileName(this.label(job).slice(0, 40)), today, job.id.slice(0, 6));
      const result = await exportCertificates(deps.db, deps.presets, job.schools, this.exportsDir(), base, {
        officeName: deps.officeName,
        sealPath: deps.sealPath,
        baseUrl: deps.baseUrl,
        today,
        now,
        issuedBy: job.actor,
        workbookEntry: m.workbookEntry,
        onIssued: (t, serial) =>
          transaction(deps.db, (tx) => audit(tx, job.actor, 'certificate.issue', { serial, employeeNo: t.employeeNo, year: null, batch: true })),
        onProgress: (done, total) => {
          job.done = done;
          job.total = total;
        },
      });
      job.zipPath = result.zipPath;
      job.workbookPath = result.workbookPath;
      job.bytes = result.bytes;
      job.phase = 'done';
    } catch (error) {
      job.phase = 'failed';
      job.error = m.failed;
      deps.logger.error({ err: error, schools: job.schools.length }, 'console certificate export failed');
    }
  }
}

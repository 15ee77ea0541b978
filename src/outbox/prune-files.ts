/**
 * Files the server writes and nothing else removes: reply attachments (data/files/<sha256>, the 学时证明 PDFs sent
 * in chat), the terminal's copies of them (data/files/console/) and the console's certificate exports
 * (data/exports/; the composition root says where, so the outbox need not know the certificates feature). The
 * scheduler removes those older than FILES_RETENTION_DAYS; an attachment stays, whatever its age, while a pending
 * or failed outbox row names it (a retry or a resend needs the bytes). Age is the file's modification time
 * against the transport clock: files are stamped in real time, not on a pinned business clock.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { filesInMemory, type Config } from '../config.js';
import { filesDirFor } from './attachments.js';
import { unsentAttachmentHashes } from './store.js';
import type { Db } from '../../db/client.js';

export interface FileRetention {
  filesDir: string;
  exportsDir: string;
  retentionMs: number;
}

export interface PruneReport {
  attachments: number;
  copies: number;
  exports: number;
}

const DAY_MS = 24 * 3600_000;
const ATTACHMENT = /^[0-9a-f]{64}$/;
/** storeAttachment's write-then-rename leftovers after a crash. */
const PARTIAL = /^[0-9a-f]{64}\.[0-9a-f]+\.tmp$/;

/** Where this configuration's files are and how long they are kept; `exportsDir` is the console's export folder. */
export function fileRetentionFor(
  config: Pick<Config, 'DATABASE_PATH' | 'DATABASE_URL' | 'FILES_DIR' | 'FILES_RETENTION_DAYS'>,
  exportsDir: string,
): FileRetention | undefined {
  if (filesInMemory(config)) return undefined;
  return { filesDir: filesDirFor(config), exportsDir, retentionMs: config.FILES_RETENTION_DAYS * DAY_MS };
}

/** Plain files of `dir` last written before `cutoff` (ms); none when the folder does not exist. */
function filesOlderThan(dir: string, cutoff: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
  } catch {
    return [];
  }
  return names.filter((name) => {
    try {
      return statSync(join(dir, name)).mtimeMs < cutoff;
    } catch {
      return false; // removed meanwhile
    }
  });
}

export async function pruneFiles(db: Db, r: FileRetention, now: Date): Promise<PruneReport> {
  const cutoff = now.getTime() - r.retentionMs;
  const report: PruneReport = { attachments: 0, copies: 0, exports: 0 };
  const old = filesOlderThan(r.filesDir, cutoff).filter((n) => ATTACHMENT.test(n) || PARTIAL.test(n));
  // Asked only when something is old enough: the query reads every unsent row.
  const unsent = old.length ? await unsentAttachmentHashes(db) : new Set<string>();
  for (const name of old) {
    if (unsent.has(name)) continue;
    rmSync(join(r.filesDir, name), { force: true });
    report.attachments++;
  }
  const copies = join(r.filesDir, 'console');
  for (const name of filesOlderThan(copies, cutoff)) {
    rmSync(join(copies, name), { force: true });
    report.copies++;
  }
  for (const name of filesOlderThan(r.exportsDir, cutoff)) {
    rmSync(join(r.exportsDir, name), { force: true });
    report.exports++;
  }
  return report;
}

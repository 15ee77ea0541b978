/**
 * Files sent with a reply (a 学时证明 PDF). The bytes live content-addressed under a folder of the data
 * directory and the outbox row's reply names them by hash: written and synced before the row commits, so a
 * crash or a retry finds the same bytes, and writing the same bytes twice is harmless.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FileAttachment } from '../core/messages.js';
import { filesRootFor, type Config } from '../config.js';

/** files/ in the files folder (FILES_DIR, else beside the SQLite database: DATABASE_PATH=data/xueshi.db → data/files). */
export const filesDirFor = (config: Pick<Config, 'FILES_DIR' | 'DATABASE_PATH'>) => join(filesRootFor(config), 'files');

export const attachmentPath = (dir: string, file: Pick<FileAttachment, 'sha256'>) => join(dir, file.sha256);

export function storeAttachment(dir: string, bytes: Buffer, name: string, mime: string): FileAttachment {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file: FileAttachment = { name, mime, sha256, size: bytes.length };
  const path = attachmentPath(dir, file);
  if (existsSync(path)) return file;
  mkdirSync(dir, { recursive: true });
  // Write-then-rename: a reader never sees half a file under its final name.
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return file;
}

/** The stored bytes, checked against the hash the row names; throws when missing or altered. */
export function readAttachment(dir: string, file: FileAttachment): Buffer {
  const bytes = readFileSync(attachmentPath(dir, file));
  if (createHash('sha256').update(bytes).digest('hex') !== file.sha256) throw new Error(`attachment ${file.sha256} does not match its hash`);
  return bytes;
}

/**
 * The evidence store on disk: content-addressed (`<dir>/<sha256[0..2]>/<sha256>`), outside anything the HTTP
 * server serves (the server serves no folder at all; files leave only through readEvidence). A download is
 * streamed into `<dir>/.incoming/`, hashed and sniffed on the way, cut off past the size limit, and moved into
 * place only when whole and accepted: a crash leaves at most a temp file, which the next start sweeps.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SNIFF_BYTES, sniffMime, type EvidenceMime } from './check.js';
import { filesRootFor, type Config } from '../../config.js';

/** EVIDENCE_DIR, else evidence/ in the files folder (FILES_DIR, else beside the SQLite database: data/evidence). */
export function evidenceDirFor(config: Pick<Config, 'EVIDENCE_DIR' | 'FILES_DIR' | 'DATABASE_PATH'>): string {
  return config.EVIDENCE_DIR ?? join(filesRootFor(config), 'evidence');
}

export const storedPath = (dir: string, sha256: string) => join(dir, sha256.slice(0, 2), sha256);
const incomingDir = (dir: string) => join(dir, '.incoming');

export type Received =
  | { ok: true; sha256: string; size: number; mime: EvidenceMime; tempPath: string }
  | { ok: false; reason: 'too_big' | 'bad_type' | 'empty'; size: number };

/**
 * Reads a download into a temp file, never holding more than one chunk: stops as soon as the bytes are too many
 * or the first ones are not a type we accept (leaving the loop cancels the body, which closes the download). A
 * read error (connection lost) throws, the temp file removed; the caller retries.
 */
export async function receive(body: AsyncIterable<Uint8Array>, o: { dir: string; maxBytes: number }): Promise<Received> {
  mkdirSync(incomingDir(o.dir), { recursive: true });
  const tempPath = join(incomingDir(o.dir), `${randomBytes(12).toString('hex')}.part`);
  const file = await open(tempPath, 'wx', 0o600);
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  let mime: EvidenceMime | null = null;
  let kept = false;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > o.maxBytes) {
        return { ok: false, reason: 'too_big', size };
      }
      if (!mime) {
        head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
        if (head.length >= SNIFF_BYTES) mime = sniffMime(head);
        if (!mime && head.length >= SNIFF_BYTES) {
          return { ok: false, reason: 'bad_type', size };
        }
      }
      hash.update(chunk);
      await file.write(chunk);
    }
    if (size === 0) return { ok: false, reason: 'empty', size };
    // A file shorter than SNIFF_BYTES: decide on what there is.
    mime ??= sniffMime(head);
    if (!mime) return { ok: false, reason: 'bad_type', size };
    await file.sync();
    kept = true;
    return { ok: true, sha256: hash.digest('hex'), size, mime, tempPath };
  } finally {
    await file.close();
    if (!kept) rmSync(tempPath, { force: true });
  }
}

/** Moves an accepted temp file to its content address (the same bytes already there: the copy is dropped). */
export function keep(dir: string, received: { sha256: string; tempPath: string }): string {
  const path = storedPath(dir, received.sha256);
  if (existsSync(path)) {
    rmSync(received.tempPath, { force: true });
    return path;
  }
  mkdirSync(dirname(path), { recursive: true });
  renameSync(received.tempPath, path);
  return path;
}

/** The stored bytes as a stream, or null when the file is missing (deleted by hand, disk replaced). */
export function openStored(dir: string, sha256: string): { stream: ReadStream; size: number } | null {
  const path = storedPath(dir, sha256);
  try {
    const { size } = statSync(path);
    return { stream: createReadStream(path), size };
  } catch {
    return null;
  }
}

/** Removes temp files older than `olderThanMs` (downloads cut off by a crash). */
export function sweepIncoming(dir: string, now: number, olderThanMs: number): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(incomingDir(dir));
  } catch {
    return 0;
  }
  for (const name of names) {
    const path = join(incomingDir(dir), name);
    try {
      if (now - statSync(path).mtimeMs > olderThanMs) {
        rmSync(path, { force: true });
        removed++;
      }
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}

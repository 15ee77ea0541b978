/**
 * A console file upload, received as a stream: the multipart body is parsed part by part (busboy) and the file
 * part is written straight to a temp file on disk, so a 100 MB upload never sits in memory. The caller has
 * already checked the session and the Origin before calling this (nothing of the body is read before then).
 *
 * The form's CSRF token must arrive before the file (the console's form puts its hidden `_csrf` field first, and
 * browsers send fields in document order): a file part with no valid token before it is refused unread. Bytes
 * past `maxBytes` stop the upload at once; the partial file is deleted.
 */
import busboy from 'busboy';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { sameSecret } from '../../admin/auth.js';

export type UploadRefusal = 'csrf' | 'tooBig' | 'noFile' | 'malformed';

export type UploadOutcome =
  | { ok: true; fields: Record<string, string>; file: { path: string; name: string; size: number } }
  | { ok: false; reason: UploadRefusal };

export interface UploadOptions {
  /** The request body (read only here): node's own request stream when served by node, else the fetch body. */
  incoming?: Readable;
  body?: WebReadableStream<Uint8Array> | ReadableStream<Uint8Array> | null;
  headers: { 'content-type'?: string; 'content-length'?: string };
  /** The signed-in officer's CSRF token. */
  csrfToken: string;
  maxBytes: number;
  /** Where the file goes (created with mode 0600); removed again on any refusal. */
  path: string;
  /** The name of the file field. */
  fileField?: string;
}

/** Room for the form's small fields and multipart framing on top of the file itself. */
export const FORM_OVERHEAD_BYTES = 64 * 1024;

export function receiveUpload(o: UploadOptions): Promise<UploadOutcome> {
  const fileField = o.fileField ?? 'file';
  const declared = Number(o.headers['content-length']);
  if (declared > o.maxBytes + FORM_OVERHEAD_BYTES) return Promise.resolve({ ok: false, reason: 'tooBig' });
  if (!o.incoming && !o.body) return Promise.resolve({ ok: false, reason: 'noFile' });
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': o.headers['content-type'] ?? '' },
      // Browsers send the file name as raw UTF-8 (学时记录.csv), not latin1.
      defParamCharset: 'utf8',
      limits: { files: 1, fileSize: o.maxBytes, fields: 16, fieldSize: 4096, parts: 20, headerPairs: 20 },
    });
  } catch {
    return Promise.resolve({ ok: false, reason: 'malformed' });
  }
  const source = o.incoming ?? Readable.fromWeb(o.body as WebReadableStream<Uint8Array>);

  return new Promise<UploadOutcome>((resolve) => {
    const fields: Record<string, string> = {};
    let settled = false;
    let out: WriteStream | null = null;
    let file: { name: string; size: number; written: Promise<void> } | null = null;

    const fail = (reason: UploadRefusal) => {
      if (settled) return;
      settled = true;
      // Stop reading: whatever the client still sends is not parsed, not stored (the server drains or cuts it).
      source.unpipe(parser);
      source.pause();
      parser.removeAllListeners();
      parser.on('error', () => undefined);
      const removed = () => {
        rmSync(o.path, { force: true });
        resolve({ ok: false, reason });
      };
      if (!out || out.closed) return removed();
      out.once('close', removed);
      out.destroy();
    };

    parser.on('field', (name, value) => {
      if (name.length <= 64) fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== fileField || file) {
        stream.resume();
        return;
      }
      if (!fields._csrf || !sameSecret(fields._csrf, o.csrfToken)) {
        stream.resume();
        return fail('csrf');
      }
      const sink = createWriteStream(o.path, { mode: 0o600 });
      out = sink;
      const entry = { name: info.filename ?? '', size: 0, written: Promise.resolve() };
      file = entry;
      entry.written = new Promise<void>((done, broke) => {
        sink.on('finish', done);
        sink.on('error', broke);
      });
      entry.written.catch(() => fail('malformed'));
      stream.on('data', (chunk: Buffer) => {
        entry.size += chunk.length;
      });
      stream.on('limit', () => {
        stream.unpipe(sink);
        stream.resume();
        fail('tooBig');
      });
      stream.pipe(sink);
    });
    parser.on('error', () => fail('malformed'));
    parser.on('partsLimit', () => fail('malformed'));
    parser.on('close', () => {
      if (settled) return;
      const got = file;
      if (!got) return fail(fields._csrf && sameSecret(fields._csrf, o.csrfToken) ? 'noFile' : 'csrf');
      got.written.then(
        () => {
          if (settled) return;
          if (got.size === 0) return fail('noFile');
          settled = true;
          resolve({ ok: true, fields, file: { path: o.path, name: got.name, size: got.size } });
        },
        () => undefined,
      );
    });
    source.on('error', () => fail('malformed'));
    source.pipe(parser);
  });
}

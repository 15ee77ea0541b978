/**
 * An evidence file as an HTTP answer, for whichever page shows it (the console's /admin/evidence/:id, the
 * approvers' page): its checked type, a file name with the right extension, and headers that keep a browser from
 * treating it as anything else — nosniff, a CSP that allows no script, nothing cached, framed only by our pages.
 */
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { EXTENSION_OF, type EvidenceMime } from '../declarations/evidence/check.js';
import type { EvidenceRead } from '../declarations/evidence/read.js';
import { a, attachment } from './admin/context.js';

export const EVIDENCE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/** The name to save it under: what the sender called it (or 证明材料-<id>), ending as its content really is. */
export function evidenceFileName(read: Extract<EvidenceRead, { ok: true }>): string {
  const ext = EXTENSION_OF[read.mime as EvidenceMime] ?? 'bin';
  const given = (read.evidence.fileName ?? '').replace(/[\\/\u0000-\u001f]/g, '').trim();
  const base = given ? given.slice(0, given.length - extname(given).length) || given : a.evidenceFile(read.evidence.id);
  return `${base}.${ext}`;
}

export function evidenceResponse(read: Extract<EvidenceRead, { ok: true }>, o: { download?: boolean } = {}): Response {
  const headers: Record<string, string> = {
    'Content-Type': read.mime,
    'Content-Length': String(read.size),
    'Content-Disposition': attachment(evidenceFileName(read), o.download ? 'attachment' : 'inline'),
    'X-Content-Type-Options': 'nosniff',
    // Images open in a sandbox (no script, no plugins); a PDF needs the browser's viewer, which a sandbox blocks.
    'Content-Security-Policy': read.mime === 'application/pdf' ? EVIDENCE_CSP : `${EVIDENCE_CSP}; sandbox`,
    'Cache-Control': 'no-store, private',
    'X-Frame-Options': 'SAMEORIGIN',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
  return new Response(Readable.toWeb(read.stream) as ReadableStream<Uint8Array>, { status: 200, headers });
}

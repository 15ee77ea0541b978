import { randomBytes } from 'node:crypto';
import { systemClock } from '../../src/clock.js';
import { evidenceDirFor } from '../../src/declarations/evidence/files.js';
import { EvidenceWorker, type EvidenceWorkerOptions } from '../../src/declarations/evidence/worker.js';
import type { DingtalkHarness } from './fakes/dingtalk-harness.js';

/** Files that start the way real ones do (the checks read the first bytes), filled to `size` with noise. */
const file = (head: Buffer, size: number) => Buffer.concat([head, randomBytes(Math.max(0, size - head.length))]);

export const jpeg = (size: number) => file(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]), size);
export const png = (size: number) => file(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]), size);
export const pdf = (size: number) => file(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), size);

/**
 * The harness builds the DingTalk adapter outside the app, so the app's evidence worker has no DingTalk source:
 * this one has it, wired as app.ts wires it in production. Started; the caller stops it.
 */
export function dingtalkEvidenceWorker(h: DingtalkHarness, o: Partial<EvidenceWorkerOptions> = {}): EvidenceWorker {
  const worker = new EvidenceWorker({
    db: h.app.db,
    sources: [h.adapter.resources!],
    dir: evidenceDirFor(h.app.config),
    maxBytes: h.app.config.MAX_EVIDENCE_BYTES,
    clock: systemClock,
    pollMs: 20,
    ...o,
  });
  worker.start();
  return worker;
}

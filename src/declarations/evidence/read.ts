import type { ReadStream } from 'node:fs';
import type { Db } from '../../../db/client.js';
import type { Role } from '../../ledger/roles.js';
import { canView } from '../service.js';
import { openStored } from './files.js';
import { findEvidence, type EvidenceRow } from './store.js';

/** Who asks: a teacher on the roster (null for the console's ADMIN_TOKEN session, which is an officer's). */
export interface EvidenceViewer {
  teacherId: number | null;
  roles: ReadonlySet<Role>;
}

export type EvidenceRead =
  | { ok: true; evidence: EvidenceRow; mime: string; size: number; stream: ReadStream }
  /** One answer for "no such id", "not yours to see", "not stored (yet)" and "bytes missing": nothing to tell apart. */
  | { ok: false };

/**
 * A stored evidence file for someone allowed to see it: the core's canView (the teacher, an approver of the
 * declaration, an officer) is asked before the file's details or bytes are touched. A file no declaration has
 * taken yet is its sender's (and officers') only.
 */
export async function readEvidence(db: Db, evidenceId: number, viewer: EvidenceViewer, dir: string): Promise<EvidenceRead> {
  if (!Number.isSafeInteger(evidenceId) || evidenceId <= 0) return { ok: false };
  const evidence = await findEvidence(db, evidenceId);
  if (!evidence || !(await mayView(db, evidence, viewer))) return { ok: false };
  if (evidence.status !== 'stored' || !evidence.sha256 || !evidence.mime) return { ok: false };
  const file = openStored(dir, evidence.sha256);
  if (!file) return { ok: false };
  return { ok: true, evidence, mime: evidence.mime, size: file.size, stream: file.stream };
}

async function mayView(db: Db, evidence: EvidenceRow, viewer: EvidenceViewer): Promise<boolean> {
  if (evidence.declarationId === null) return viewer.roles.has('officer') || viewer.teacherId === evidence.teacherId;
  // The ADMIN_TOKEN session has no roster id: 0 matches no teacher, so only its officer role counts.
  return canView(db, evidence.declarationId, { teacherId: viewer.teacherId ?? 0, roles: viewer.roles });
}

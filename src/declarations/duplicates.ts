import type { Db } from '../../db/client.js';
import { audit } from '../ledger/audit.js';
import { projectKeyOf } from './rules.js';
import {
  clearFieldFlags,
  declarationsWithCertificate,
  declarationsWithEvidenceHash,
  evidenceHashesOf,
  findDeclaration,
  flagsOf,
  insertFlag,
  overlappingDeclarations,
  recordsWithin,
  type DeclarationFlagRow,
  type DeclarationRow,
} from './store.js';

/**
 * 重复参训: flags put before the approver with the earlier item. An exact repeat (same teacher, project, dates and
 * hours) is refused before it gets here; these are the near misses a person must judge: the same certificate
 * number (any teacher), the same project overlapping dates of the teacher's own record or other declaration,
 * and the same evidence file.
 */
export async function flagFieldDuplicates(db: Db, d: DeclarationRow): Promise<DeclarationFlagRow[]> {
  await clearFieldFlags(db, d.id);
  if (d.certificateNo) {
    for (const other of await declarationsWithCertificate(db, d.certificateNo, d.id)) {
      await insertFlag(db, { declarationId: d.id, kind: 'certificate_no', otherDeclarationId: other.id, detail: d.certificateNo });
    }
  }
  for (const other of await overlappingDeclarations(db, d, d.id)) {
    await insertFlag(db, { declarationId: d.id, kind: 'overlap_declaration', otherDeclarationId: other.id });
  }
  for (const record of await recordsWithin(db, d.teacherId, d.startDate, d.endDate)) {
    if (record.id === d.recordId || projectKeyOf(record.project) !== d.projectKey) continue;
    await insertFlag(db, { declarationId: d.id, kind: 'overlap_record', otherRecordId: record.id });
  }
  await flagEvidenceDuplicates(db, d.id, await evidenceHashesOf(db, d.id));
  return flagsOf(db, d.id);
}

/**
 * The evidence part calls this once a file is stored and hashed (downloads finish after submission): every
 * other live declaration holding a file with the same sha256 is flagged on this one. Idempotent; audited once
 * per new flag. Returns the flags added.
 */
export async function flagEvidenceDuplicates(db: Db, declarationId: number, sha256s: readonly string[]): Promise<number> {
  const d = await findDeclaration(db, declarationId);
  if (!d || d.state === 'withdrawn') return 0;
  let added = 0;
  for (const hit of await declarationsWithEvidenceHash(db, sha256s, declarationId)) {
    if (await insertFlag(db, { declarationId, kind: 'evidence_hash', otherDeclarationId: hit.declarationId, detail: hit.sha256 })) {
      added++;
      await audit(db, 'system', 'declaration_flag', { declarationId, kind: 'evidence_hash', otherDeclarationId: hit.declarationId, sha256: hit.sha256 });
    }
  }
  return added;
}

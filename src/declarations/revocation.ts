import type { Db } from '../../db/client.js';
import { audit } from '../ledger/audit.js';
import { notifyRecordRevoked } from './notify.js';
import { findDeclarationByRecord, stepCount, updateDeclaration, type RecordRow } from './store.js';

/**
 * A ledger record was revoked through the correction path (撤销记录, chat, CLI or console). When it came from
 * a declaration, the declaration is marked (it stays 已认定, with the revocation shown), the mark audited, and
 * the teacher told. Runs in the revocation's transaction.
 */
export function onRecordRevoked(db: Db, record: RecordRow, reason: string, actor: string, now: Date): void {
  if (record.source !== 'declaration') return;
  const d = findDeclarationByRecord(db, record.id);
  if (!d || d.recordRevokedAt) return;
  const declaration = updateDeclaration(db, d.id, { recordRevokedAt: now, recordRevokeReason: reason, updatedAt: now });
  audit(db, actor, 'declaration_record_revoked', { declarationId: d.id, teacherId: d.teacherId, recordId: record.id, reason });
  notifyRecordRevoked(db, declaration, reason, stepCount(db, d.id), now);
}

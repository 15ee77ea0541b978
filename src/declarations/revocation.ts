import type { Db } from '../../db/client.js';
import { audit } from '../ledger/audit.js';
import type { RecordHooks } from '../ledger/corrections.js';
import { notifyRecordCorrected, notifyRecordRevoked } from './notify.js';
import { findDeclarationByRecord, findExactRepeat, stepCount, updateDeclaration, type DeclarationRow, type RecordRow } from './store.js';

/**
 * A ledger record was revoked through the correction path (撤销记录, chat, CLI or console). When it came from
 * a declaration, the declaration is marked (it stays 已认定, with the revocation shown), the mark audited, and
 * the teacher told. Runs in the revocation's transaction.
 */
export async function onRecordRevoked(db: Db, record: RecordRow, reason: string, actor: string, now: Date): Promise<void> {
  if (record.source !== 'declaration') return;
  const d = await findDeclarationByRecord(db, record.id);
  if (!d || d.recordRevokedAt) return;
  const declaration = await updateDeclaration(db, d.id, { recordRevokedAt: now, recordRevokeReason: reason, updatedAt: now });
  await audit(db, actor, 'declaration_record_revoked', { declarationId: d.id, teacherId: d.teacherId, recordId: record.id, reason });
  await notifyRecordRevoked(db, declaration, reason, await stepCount(db, d.id), now);
}

/**
 * The live declaration that correcting this record to `after` would make its declaration an exact repeat of (same
 * teacher, project, dates and now hours: the index declarations_exact_repeat forbids it), with that declaration.
 * Asked before correcting, so the officer is refused in words rather than the write failing.
 */
export async function repeatMadeByCorrection(
  db: Db,
  record: RecordRow,
  after: Pick<RecordRow, 'hours'>,
): Promise<{ declaration: DeclarationRow; other: DeclarationRow } | null> {
  if (record.source !== 'declaration') return null;
  const d = await findDeclarationByRecord(db, record.id);
  if (!d || d.hours === after.hours) return null;
  const other = await findExactRepeat(db, { ...d, hours: after.hours }, d.id);
  return other ? { declaration: d, other } : null;
}

/**
 * A ledger record made from a declaration was corrected (更正记录, chat, CLI or console): the declaration takes
 * the record's hours and category, so its page, 我的申报 and the export say what the ledger counts. The change is
 * audited on the declaration and the teacher told. Runs in the correction's transaction.
 */
export async function onRecordCorrected(
  db: Db,
  record: RecordRow,
  after: Pick<RecordRow, 'hours' | 'category'>,
  reason: string,
  actor: string,
  now: Date,
): Promise<void> {
  if (record.source !== 'declaration') return;
  const d = await findDeclarationByRecord(db, record.id);
  if (!d || (d.hours === after.hours && d.category === after.category)) return;
  const declaration = await updateDeclaration(db, d.id, { hours: after.hours, category: after.category, updatedAt: now });
  await audit(db, actor, 'declaration_record_corrected', {
    declarationId: d.id,
    teacherId: d.teacherId,
    recordId: record.id,
    before: { hours: d.hours, category: d.category },
    after: { hours: after.hours, category: after.category },
    reason,
  });
  await notifyRecordCorrected(db, declaration, { hours: d.hours, category: d.category }, reason, await stepCount(db, d.id), now);
}

/** What every correction path (chat, CLI, console) passes to the ledger's revokeRecord and correctRecord. */
export const declarationRecordHooks: RecordHooks = {
  repeatMadeByCorrection,
  onRevoked: onRecordRevoked,
  onCorrected: onRecordCorrected,
};

import type { Db } from '../../../db/client.js';
import { databaseOf } from '../../../db/handle.js';
import type { IncomingMessage } from '../../core/messages.js';
import { evidenceOfDeclaration, evidenceOfMessage, insertPending, type EvidenceRow } from './store.js';

const DUE_AT_ONCE = new Date(0);

/** How many times evidence was registered on each database: the worker looks only when this moved. */
const registrations = new WeakMap<Db, number>();

export function evidenceRegistrations(db: Db): number {
  return registrations.get(databaseOf(db)) ?? 0;
}

/**
 * The message's pictures and files as pending evidence of `teacherId` (it runs inside the event's transaction;
 * the download happens later in the worker). A redelivered message finds its rows and adds none.
 * Returns the rows in the order of the message's attachments.
 */
export async function registerEvidence(db: Db, message: IncomingMessage, teacherId: number, now: Date): Promise<EvidenceRow[]> {
  const attachments = message.attachments ?? [];
  if (attachments.length === 0) return [];
  const messageId = message.messageId ?? message.eventId;
  // Counted before the insert commits (it runs in the event's transaction): a rolled-back one costs the
  // worker one needless look, never a missed one.
  registrations.set(databaseOf(db), evidenceRegistrations(db) + 1);
  await insertPending(
    db,
    attachments.map((a) => ({
      teacherId,
      platform: message.platform,
      messageId,
      accountId: message.accountId,
      platformKey: a.key,
      kind: a.kind,
      fileName: a.name ?? null,
      // Due at once on the worker's clock, whatever clock the caller's `now` is on (a pinned business clock,
      // XUESHI_NOW, may run ahead of real time); the worker's retries are timed on its own clock.
      nextAttemptAt: DUE_AT_ONCE,
      createdAt: now,
    })),
  );
  return evidenceOfMessage(db, message.platform, messageId, [...new Set(attachments.map((a) => a.key))]);
}

/** The evidence rows of a declaration (any status), oldest first. */
export async function evidenceFor(db: Db, declarationId: number): Promise<EvidenceRow[]> {
  return evidenceOfDeclaration(db, declarationId);
}

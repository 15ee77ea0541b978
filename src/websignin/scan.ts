/**
 * Signing in by scanning the projector's QR code: the scan opens a URL naming the session and the code shown,
 * the platform's web login says who is holding the phone, and the sign-in is the very domain call a chat
 * `签到 <码>` makes (signInFromChat: same code check, same refusals, same wrong-code lock per account).
 *
 * Between the scan and the login's return, a pending scan is kept under a random `state` (see pending.ts). The
 * code is judged at the moment of the scan when the login comes back within SCAN_GRACE_MS — a rotating code
 * changes every 30 s and a login can take longer than that — and at the moment of return after that.
 */
import type { Db } from '../../db/client.js';
import { transaction } from '../../db/statements.js';
import { findTeacherByAccount, type TeacherRow } from '../ledger/store.js';
import { signInFromChat, type SignInOutcome } from '../sessions/signin.js';
import { type Action } from '../sessions/model.js';
import type { WebPlatform } from './identity.js';
import { PendingLogins } from './pending.js';

/** How long after the scan the code still counts as shown at the scan. */
export const SCAN_GRACE_MS = 2 * 60_000;

export interface PendingScan {
  sessionId: number;
  code: string;
  action: Action;
  platform: WebPlatform;
  /** Business time of the scan (the code is judged then, within the grace). */
  scannedAt: Date;
  /** The browser's cookie nonce. */
  browser: string;
}

export class PendingScans extends PendingLogins<PendingScan> {}

export type ScanOutcome = { kind: 'unbound' } | { kind: 'done'; teacher: TeacherRow; outcome: SignInOutcome; at: Date };

/** Signs the account behind a login in to the scanned session's current code window. */
export async function signInByScan(
  db: Db,
  input: { platform: WebPlatform; accountId: string; scan: PendingScan; now: Date; timeZone: string },
): Promise<ScanOutcome> {
  const teacher = await findTeacherByAccount(db, input.platform, input.accountId);
  if (!teacher) return { kind: 'unbound' };
  const late = input.now.getTime() - input.scan.scannedAt.getTime();
  const at = late >= 0 && late <= SCAN_GRACE_MS ? input.scan.scannedAt : input.now;
  const outcome = await transaction(db, (tx) =>
    signInFromChat(tx, {
      platform: input.platform,
      accountId: input.accountId,
      teacher,
      arg: input.scan.code,
      action: input.scan.action,
      now: at,
      timeZone: input.timeZone,
    }),
  );
  return { kind: 'done', teacher, outcome, at };
}

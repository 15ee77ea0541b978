/**
 * Signing in by scanning the projector's QR code: the scan opens a URL naming the session and the code shown,
 * the platform's web login says who is holding the phone, and the sign-in is the very domain call a chat
 * `签到 <码>` makes (signInFromChat: same code check, same refusals, same wrong-code lock per account).
 *
 * Between the scan and the login's return, a pending scan is kept under a random `state` (in memory: a restart
 * only means scanning again), bound to the browser by a cookie nonce and used once. The code is judged at the
 * moment of the scan when the login comes back within SCAN_GRACE_MS — a rotating code changes every 30 s and a
 * login can take longer than that — and at the moment of return after that.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { sameSecret } from '../admin/auth.js';
import { findTeacherByAccount, type TeacherRow } from '../ledger/teachers.js';
import { signInFromChat, type Action, type SignInOutcome } from '../sessions/sessions.js';
import type { WebPlatform } from './identity.js';

/** How long after the scan the code still counts as shown at the scan. */
export const SCAN_GRACE_MS = 2 * 60_000;
/** How long a pending scan waits for the login to come back. */
export const PENDING_TTL_MS = 10 * 60_000;
/** Pending scans kept at most (a flood of scans cannot grow memory without bound). */
export const MAX_PENDING = 10_000;

export interface PendingScan {
  sessionId: number;
  code: string;
  action: Action;
  platform: WebPlatform;
  /** Business time of the scan (the code is judged then, within the grace). */
  scannedAt: Date;
  /** The browser's cookie nonce. */
  browser: string;
  /** Real time after which the pending scan is dropped. */
  expiresAtMs: number;
}

export class PendingScans {
  private readonly byState = new Map<string, PendingScan>();

  constructor(private readonly realNow: () => number = Date.now) {}

  add(scan: Omit<PendingScan, 'expiresAtMs'>): string {
    this.prune();
    while (this.byState.size >= MAX_PENDING) this.byState.delete(this.byState.keys().next().value!);
    const state = randomBytes(24).toString('base64url');
    this.byState.set(state, { ...scan, expiresAtMs: this.realNow() + PENDING_TTL_MS });
    return state;
  }

  /** The pending scan of `state` if this browser started it; it is used up either way (single use). */
  take(state: string | undefined, browser: string | undefined): PendingScan | null {
    if (!state) return null;
    const scan = this.byState.get(state);
    if (!scan) return null;
    this.byState.delete(state);
    if (scan.expiresAtMs < this.realNow()) return null;
    if (!browser || !sameSecret(browser, scan.browser)) return null;
    return scan;
  }

  get size(): number {
    return this.byState.size;
  }

  private prune(): void {
    const now = this.realNow();
    for (const [state, scan] of this.byState) if (scan.expiresAtMs < now) this.byState.delete(state);
  }
}

export type ScanOutcome = { kind: 'unbound' } | { kind: 'done'; teacher: TeacherRow; outcome: SignInOutcome; at: Date };

/** Signs the account behind a login in to the scanned session's current code window. */
export function signInByScan(db: Db, input: { platform: WebPlatform; accountId: string; scan: PendingScan; now: Date; timeZone: string }): ScanOutcome {
  const teacher = findTeacherByAccount(db, input.platform, input.accountId);
  if (!teacher) return { kind: 'unbound' };
  const late = input.now.getTime() - input.scan.scannedAt.getTime();
  const at = late >= 0 && late <= SCAN_GRACE_MS ? input.scan.scannedAt : input.now;
  const outcome = db.transaction(() =>
    signInFromChat(db, {
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

/** Which app a phone's browser is, from its user agent (Feishu/Lark and DingTalk say so). */
export function platformOfAgent(userAgent: string | undefined): WebPlatform | null {
  if (!userAgent) return null;
  if (/\b(Lark|Feishu)\//i.test(userAgent)) return 'feishu';
  if (/\bDingTalk\//i.test(userAgent)) return 'dingtalk';
  return null;
}

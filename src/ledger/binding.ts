import { createHash, randomInt } from 'node:crypto';
import { normaliseEmployeeNo } from './employee-no.js';
import { asciiDigits } from '../core/text.js';
import type { Db } from '../../db/client.js';
import { bindAccount } from './accounts.js';
import { audit } from './audit.js';
import {
  accountByPlatformId,
  bindFailures,
  findTeacherByEmployeeNo,
  hasStaffRole,
  insertBindFailure,
  liveBindCode,
  markBindCodeUsed,
  replaceBindCode,
  type TeacherRow,
} from './store.js';

/**
 * Who may become whom through `绑定`. Three rules against someone who knows (or guesses) the roster:
 * - every failure gets the same answer by the same path (an unknown 工号 and a wrong name are not told apart);
 * - failures are limited per chat account, per chat and per target 工号, so neither one account nor many
 *   rotating accounts (nor a group full of them) can walk the roster;
 * - officers and school leaders (who see more than their own figures) also need a one-time code that an
 *   officer issued, in chat (`绑定码`) or from the CLI (`bind-code`).
 */
export const BIND_WINDOW_MS = 30 * 60_000;
export const BIND_LIMITS = { account: 5, chat: 10, employeeNo: 5 } as const;
export const BIND_CODE_TTL_MS = 24 * 60 * 60_000;
const CODE_DIGITS = 8;

export interface BindRequest {
  platform: string;
  accountId: string;
  chatId: string;
  employeeNo: string;
  name: string;
  code?: string;
  now: Date;
}

export type BindAttemptOutcome =
  | { kind: 'locked' }
  | { kind: 'refused' }
  | { kind: 'bound'; teacher: TeacherRow; alreadyBound: boolean }
  | { kind: 'teacher_bound_elsewhere'; teacher: TeacherRow }
  | { kind: 'account_bound_to_other' };

/** Officers and leaders need a code: a bound account of theirs sees a whole school's or the county's figures. */
export function needsBindCode(db: Db, teacher: TeacherRow): Promise<boolean> {
  return hasStaffRole(db, teacher.id);
}

export async function attemptBind(db: Db, req: BindRequest): Promise<BindAttemptOutcome> {
  // Normalised, so `t001` and `T001` are one 工号 for the lockout counter too.
  const employeeNo = normaliseEmployeeNo(req.employeeNo);
  if (await isLockedOut(db, req.platform, req.accountId, req.chatId, employeeNo, req.now)) return { kind: 'locked' };

  // One path for every refusal: the lookups below always all run, and any miss ends in the same outcome.
  const teacher = await findTeacherByEmployeeNo(db, employeeNo);
  // An unknown 工号 runs the same role and code queries (against no one), so the answer takes no less time.
  const subjectId = teacher?.id ?? -1;
  const nameOk = teacher !== null && teacher.name === req.name.trim();
  const codeNeeded = await hasStaffRole(db, subjectId);
  const code = await validCode(db, subjectId, req.code ?? '', req.now);
  // Saying 绑定 again from the account already bound to this person proves nothing new and needs no code.
  const alreadyMine = (await isBoundTo(db, req.platform, req.accountId, subjectId)) && nameOk;
  if (!teacher || !nameOk || (codeNeeded && !code && !alreadyMine)) {
    // Old failures no longer count; dropping them keeps the table small.
    await insertBindFailure(
      db,
      { platform: req.platform, accountId: req.accountId, chatId: req.chatId, employeeNo, at: req.now },
      new Date(req.now.getTime() - BIND_WINDOW_MS),
    );
    return { kind: 'refused' };
  }

  const outcome = await bindAccount(db, req.platform, req.accountId, teacher.id);
  if (!outcome.ok) {
    return outcome.reason === 'teacher_bound_elsewhere' ? { kind: 'teacher_bound_elsewhere', teacher } : { kind: 'account_bound_to_other' };
  }
  if (code && !outcome.alreadyBound) {
    await markBindCodeUsed(db, code, req.now);
    await audit(db, `${req.platform}:${req.accountId}`, 'bind_code_used', { teacherId: teacher.id });
  }
  return { kind: 'bound', teacher, alreadyBound: outcome.alreadyBound };
}

async function isBoundTo(db: Db, platform: string, accountId: string, teacherId: number): Promise<boolean> {
  return (await accountByPlatformId(db, platform, accountId))?.teacherId === teacherId;
}

/** True when any of the three counters has reached its limit within the window. */
async function isLockedOut(db: Db, platform: string, accountId: string, chatId: string, employeeNo: string, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - BIND_WINDOW_MS);
  const failures = await bindFailures(db, { platform, accountId, chatId, employeeNo }, since);
  return failures.account >= BIND_LIMITS.account || failures.chat >= BIND_LIMITS.chat || failures.employeeNo >= BIND_LIMITS.employeeNo;
}

/* ------------------------------------------------------------ one-time codes */

function hashCode(teacherId: number, code: string): string {
  return createHash('sha256').update(`${teacherId}:${code}`).digest('hex');
}

/** Digits only, whatever the phone keyboard added (full-width digits, spaces, dashes). */
function normaliseCode(raw: string): string {
  return asciiDigits(raw).replace(/[\s-]/g, '');
}

/** The stored hash of an unused, unexpired code of this teacher matching `raw`, or null. */
async function validCode(db: Db, teacherId: number, raw: string, now: Date): Promise<string | null> {
  const code = normaliseCode(raw);
  if (!/^\d+$/.test(code)) return null;
  const hash = hashCode(teacherId, code);
  return liveBindCode(db, hash, teacherId, now);
}

export interface IssuedBindCode {
  code: string;
  expiresAt: Date;
}

/**
 * A fresh single-use code for one roster entry; any earlier unused code of theirs stops working, so only the
 * latest one handed over is live. The code itself is returned once and never stored.
 */
export async function issueBindCode(db: Db, teacher: TeacherRow, actor: string, now: Date): Promise<IssuedBindCode> {
  const code = Array.from({ length: CODE_DIGITS }, () => randomInt(10)).join('');
  const expiresAt = new Date(now.getTime() + BIND_CODE_TTL_MS);
  // The same 8 digits drawn twice for one person (1 in 10⁸) just renews that row.
  await replaceBindCode(
    db,
    { codeHash: hashCode(teacher.id, code), teacherId: teacher.id, createdBy: actor, createdAt: now, expiresAt, usedAt: null },
    new Date(now.getTime() - BIND_CODE_TTL_MS),
  );
  await audit(db, actor, 'bind_code_issue', { teacherId: teacher.id, employeeNo: teacher.employeeNo, expiresAt: expiresAt.toISOString() });
  return { code, expiresAt };
}

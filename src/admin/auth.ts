/**
 * Officer console sign-in, as data: one-time login links (sent by the `后台` command), server-side sessions
 * and the per-address limit on failed attempts. Secrets (link tokens, session ids) are random 32-byte values
 * of which only the SHA-256 is stored, so a copy of the database does not let anyone in.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { databaseOf } from '../../db/handle.js';
import { audit } from '../ledger/audit.js';
import { findTeacherById, type TeacherRow } from '../ledger/store.js';
import {
  adminSessionByHash,
  claimLoginToken,
  failedAttemptTimes,
  insertAdminSession,
  insertLoginAttempt,
  insertLoginToken,
  isOfficer,
  loginTokenByHash,
  revokeAdminSession,
  touchAdminSession,
  type LoginTokenRow,
} from './store.js';

export const LOGIN_LINK_TTL_MS = 10 * 60_000;
export const SESSION_TTL_MS = 8 * 3600_000;
export const ATTEMPT_WINDOW_MS = 10 * 60_000;
export const MAX_FAILED_ATTEMPTS = 10;
/** Actor name of sessions opened with ADMIN_TOKEN (no roster entry behind them). */
export const TOKEN_ACTOR = 'admin:ADMIN_TOKEN';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
export const newSecret = () => randomBytes(32).toString('base64url');

/** Constant-time equality of two strings (compared as SHA-256, so lengths may differ). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/* ------------------------------------------------------------------ link base URL */

const baseUrls = new WeakMap<Db, string>();

/** The server's public address, registered per database by the HTTP layer (config PUBLIC_URL / PUBLIC_BASE_URL, else the real port). */
export function setConsoleBaseUrl(db: Db, url: string): void {
  baseUrls.set(databaseOf(db), url.replace(/\/+$/, ''));
}

/** The registered public address ('' when none: links are then relative). */
export function consoleBaseUrl(db: Db): string {
  return baseUrls.get(databaseOf(db)) ?? '';
}

export function loginUrl(db: Db, token: string): string {
  return `${consoleBaseUrl(db)}/admin/login?token=${encodeURIComponent(token)}`;
}

/* ------------------------------------------------------------------ one-time links */

/** A fresh login link for an officer: valid LOGIN_LINK_TTL_MS, single use. Runs in the command's transaction. */
export async function issueLoginLink(db: Db, teacher: TeacherRow, now: Date): Promise<{ token: string; url: string; expiresAt: Date }> {
  const token = newSecret();
  const expiresAt = new Date(now.getTime() + LOGIN_LINK_TTL_MS);
  await insertLoginToken(db, { tokenHash: sha256(token), teacherId: teacher.id, createdAt: now, expiresAt }, new Date(now.getTime() - 24 * 3600_000));
  await audit(db, `admin:${teacher.employeeNo}`, 'admin_link_issued', { teacherId: teacher.id, expiresAt: expiresAt.toISOString() });
  return { token, url: loginUrl(db, token), expiresAt };
}

export type LinkRefusal = 'invalid' | 'expired' | 'used' | 'notOfficer';
export type LinkCheck = { ok: true; teacher: TeacherRow } | { ok: false; reason: LinkRefusal };

async function judge(db: Db, row: LoginTokenRow | undefined, now: Date, consuming: boolean): Promise<LinkCheck> {
  if (!row) return { ok: false, reason: 'invalid' };
  if (row.usedAt && !consuming) return { ok: false, reason: 'used' };
  if (row.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  const teacher = await findTeacherById(db, row.teacherId);
  if (!teacher || !(await isOfficer(db, teacher.id))) return { ok: false, reason: 'notOfficer' };
  return { ok: true, teacher };
}

/** What a link is worth, without using it (the confirmation page). */
export async function checkLoginLink(db: Db, token: string, now: Date): Promise<LinkCheck> {
  if (!token) return { ok: false, reason: 'invalid' };
  return judge(db, await loginTokenByHash(db, sha256(token)), now, false);
}

/** Uses a link: an atomic compare-and-set on `used_at`, so two tabs (or two servers) cannot both win. */
export async function consumeLoginLink(db: Db, token: string, now: Date): Promise<LinkCheck> {
  if (!token) return { ok: false, reason: 'invalid' };
  const hash = sha256(token);
  const row = await loginTokenByHash(db, hash);
  if (!row) return { ok: false, reason: 'invalid' };
  if (row.usedAt) return { ok: false, reason: 'used' };
  if (!(await claimLoginToken(db, hash, now))) return { ok: false, reason: 'used' };
  return judge(db, row, now, true);
}

/* ------------------------------------------------------------------ sessions */

export interface ConsoleUser {
  idHash: string;
  teacher: TeacherRow | null;
  /** For the audit log: admin:<工号> or admin:ADMIN_TOKEN. */
  actor: string;
  name: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function openSession(
  db: Db,
  input: { teacher: TeacherRow | null; ip: string; userAgent: string | null; now: Date },
): Promise<{ cookieValue: string; user: ConsoleUser }> {
  const cookieValue = newSecret();
  const idHash = sha256(cookieValue);
  const csrfToken = newSecret();
  const actor = input.teacher ? `admin:${input.teacher.employeeNo}` : TOKEN_ACTOR;
  const expiresAt = new Date(input.now.getTime() + SESSION_TTL_MS);
  await insertAdminSession(
    db,
    {
      idHash,
      teacherId: input.teacher?.id ?? null,
      actor,
      csrfToken,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
      createdAt: input.now,
      lastSeenAt: input.now,
      expiresAt,
    },
    new Date(input.now.getTime() - 7 * 24 * 3600_000),
  );
  await audit(db, actor, 'admin_login', { via: input.teacher ? 'link' : 'ADMIN_TOKEN', ip: input.ip });
  return { cookieValue, user: { idHash, teacher: input.teacher, actor, name: input.teacher?.name ?? '', csrfToken, expiresAt } };
}

/**
 * The signed-in officer behind a cookie, or null: unknown, expired, signed out — or no longer an officer (the
 * role is checked on every request, so taking it away takes effect at once).
 */
export async function sessionUser(db: Db, cookieValue: string | undefined, now: Date): Promise<ConsoleUser | null> {
  if (!cookieValue || cookieValue.length > 200) return null;
  const row = await adminSessionByHash(db, sha256(cookieValue));
  if (!row || row.revokedAt || row.expiresAt.getTime() <= now.getTime()) return null;
  let teacher: TeacherRow | null = null;
  if (row.teacherId !== null) {
    teacher = await findTeacherById(db, row.teacherId);
    if (!teacher || !(await isOfficer(db, teacher.id))) {
      await revokeAdminSession(db, row.idHash, now);
      return null;
    }
  }
  if (now.getTime() - row.lastSeenAt.getTime() > 60_000) {
    await touchAdminSession(db, row.idHash, now);
  }
  return { idHash: row.idHash, teacher, actor: row.actor, name: teacher?.name ?? '', csrfToken: row.csrfToken, expiresAt: row.expiresAt };
}

export async function closeSession(db: Db, user: ConsoleUser, now: Date): Promise<void> {
  await revokeAdminSession(db, user.idHash, now);
  await audit(db, user.actor, 'admin_logout', {});
}

/* ------------------------------------------------------------------ attempts */

/**
 * When a throttle key (a client address, or ADMIN_TOKEN_KEY) that failed `limit` times within ATTEMPT_WINDOW_MS
 * may try again, or null if it may now. Only failures count, so an office behind one NAT address can sign in all
 * day, while guessing links or the token stops after ten tries.
 */
export async function loginBlockedUntil(db: Db, ip: string, now: Date, limit = MAX_FAILED_ATTEMPTS): Promise<Date | null> {
  const since = new Date(now.getTime() - ATTEMPT_WINDOW_MS);
  const failures = await failedAttemptTimes(db, ip, since);
  if (failures.length < limit) return null;
  return new Date(failures[failures.length - limit].getTime() + ATTEMPT_WINDOW_MS);
}

/**
 * Throttle key (kept in the attempts table's `ip` column) of all wrong ADMIN_TOKEN guesses together, from any
 * address: many addresses cannot add up to unlimited guessing. While it is over ADMIN_TOKEN_MAX_FAILURES only
 * the token form pauses; officers' one-time links still work.
 */
export const ADMIN_TOKEN_KEY = 'account:ADMIN_TOKEN';
export const ADMIN_TOKEN_MAX_FAILURES = 50;

export async function recordAttempt(db: Db, ip: string, ok: boolean, now: Date): Promise<void> {
  await insertLoginAttempt(db, ip, ok, now, new Date(now.getTime() - 24 * 3600_000));
}

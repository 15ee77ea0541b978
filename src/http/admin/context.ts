/** What the console's routes share: dependencies, the signed-in officer, client address, flash notes. */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Db } from '../../../db/client.js';
import type { ComplianceCache } from '../../admin/compliance/cache.js';
import type { ConsoleUser } from '../../admin/auth.js';
import type { ImportJobs } from '../../admin/imports.js';
import type { CertificateExports } from '../../certificates/exports.js';
import { messagesFor } from '../../bot/i18n/index.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { PolicyPreset } from '../../policy/schema.js';
import { clientAddress } from '../client-address.js';
import type { ProxyList } from '../../core/proxy-list.js';

export interface AdminDeps {
  db: Db;
  /** Business clock: link expiry, sessions, "today". */
  clock: Clock;
  presets: ReadonlyMap<string, PolicyPreset>;
  config: Pick<
    Config,
    'ADMIN_TOKEN' | 'PUBLIC_BASE_URL' | 'PUBLIC_URL' | 'PORT' | 'TIMEZONE' | 'DEFAULT_POLICY' | 'DATABASE_PATH' | 'DATABASE_URL' | 'FILES_DIR' | 'EVIDENCE_DIR' | 'MAX_UPLOAD_BYTES' | 'TRUSTED_PROXIES' | 'OFFICE_NAME' | 'OFFICE_SEAL_PATH'
  >;
  logger: Logger;
  /** Tell the sender that messages were queued (broadcasts, reminders, sign-in cards). */
  onEnqueued?: () => void;
}

export interface AdminServices extends AdminDeps {
  cache: ComplianceCache;
  imports: ImportJobs;
  certificates: CertificateExports;
  baseUrl: string;
  secureCookies: boolean;
  /** TRUSTED_PROXIES, parsed. */
  proxies: ProxyList | null;
}

export type AdminEnv = { Variables: { user: ConsoleUser } };
export type AdminContext = Context<AdminEnv>;

export const t = messagesFor('zh-CN');
export const a = t.admin;

export const SESSION_COOKIE = 'xueshi_admin';
const FLASH_COOKIE = 'xueshi_flash';

/** The client's address for the login rate limit: X-Forwarded-For only as far as TRUSTED_PROXIES vouch for it. */
export function clientIp(c: Context, proxies: ProxyList | null): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return clientAddress(incoming?.socket?.remoteAddress, c.req.header('x-forwarded-for'), proxies).slice(0, 64);
}

/**
 * A one-line note for the next page (after a redirect): kept in a short-lived cookie, never in the URL. `path` is
 * the pages it is for (the console, or the approval page).
 */
export function flash(c: Context, kind: 'ok' | 'err', text: string, secure: boolean, path = '/admin'): void {
  setCookie(c, FLASH_COOKIE, Buffer.from(JSON.stringify({ kind, text }), 'utf8').toString('base64url'), {
    path,
    httpOnly: true,
    sameSite: 'Lax',
    secure,
    maxAge: 60,
  });
}

export interface Flash {
  kind: 'ok' | 'err';
  text: string;
}

export function takeFlash(c: Context, path = '/admin'): Flash | null {
  const raw = getCookie(c, FLASH_COOKIE);
  if (!raw) return null;
  deleteCookie(c, FLASH_COOKIE, { path });
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Flash;
    return (value.kind === 'ok' || value.kind === 'err') && typeof value.text === 'string' ? { kind: value.kind, text: value.text.slice(0, 500) } : null;
  } catch {
    return null;
  }
}

/** Form fields as strings (repeated fields joined with ","). */
export async function formOf(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string').join(',');
  }
  return out;
}

/** Content-Disposition for a download (or, `inline`, a file shown in place) with a Chinese file name (RFC 6266 / 5987). */
export function attachment(name: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

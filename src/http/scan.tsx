/** @jsxImportSource hono/jsx */
/**
 * Scan-to-sign-in pages. The projector's QR encodes `${PUBLIC_BASE_URL}/s/<sessionId>/<code>` (`/out` at the end
 * in the sign-out window). Opened inside Feishu or DingTalk (told by the user agent), the page goes straight to
 * that platform's web login, which passes without a tap in its own app; in any other browser it offers the two
 * logins (one tap). The platform comes back to /s/auth/<platform>, and the result page says what a chat
 * `签到 <码>` would have said. The code stays typeable in chat.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/client.js';
import { messagesFor } from '../bot/i18n/index.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { signInReply } from '../sessions/replies.js';
import { getSession } from '../sessions/store.js';
import { type Action } from '../sessions/model.js';
import { dateOf } from '../time/zone.js';
import { chooseProvider, type IdentityProvider, type WebPlatform } from '../websignin/identity.js';
import type { PlatformDefinition } from '../platforms/platform.js';
import { PendingScans, signInByScan } from '../websignin/scan.js';
import { clientAddress } from './client-address.js';
import { parseProxyList } from '../core/proxy-list.js';
import { LoginButtons } from './login-buttons.js';
import { browserId, guardPages, returnedLogin, webLogins } from './web-login.js';
import { PageShell } from './page-shell.js';
import type { Child } from 'hono/jsx';

export interface ScanRoutesDeps {
  db: Db;
  clock: Clock;
  config: Config;
  logger: Logger;
  /** The chat platforms whose web logins the page offers (the registry's). */
  platforms: readonly PlatformDefinition[];
  /** Real time, for the pending logins' lifetime and the rate limit. */
  realNow?: () => number;
}

const t = messagesFor('zh-CN');
const s = t.scan;
const COOKIE = 'xueshi_scan';
/** Scan starts per client address per minute: a whole room behind one school address stays well under it. */
export const SCANS_PER_MINUTE = 120;

/** The path a QR code encodes for a session's code (base URL in front). */
export function scanPath(sessionId: number, code: string, action: Action): string {
  return `/s/${sessionId}/${code}${action === 'out' ? '/out' : ''}`;
}

/** The scan pages load nothing but their inline style and images, and post nowhere. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function mountScanRoutes(app: Hono, deps: ScanRoutesDeps): void {
  const { config } = deps;
  const baseUrl = (config.PUBLIC_BASE_URL ?? `http://127.0.0.1:${config.PORT}`).replace(/\/+$/, '');
  const secure = baseUrl.startsWith('https:');
  const realNow = deps.realNow ?? Date.now;
  const pending = new PendingScans(realNow);
  const proxies = config.TRUSTED_PROXIES ? parseProxyList(config.TRUSTED_PROXIES) : null;
  const providers = webLogins(config, deps.platforms);
  const redirectUri = (p: WebPlatform) => `${baseUrl}/s/auth/${p}`;

  // A fixed one-minute window per address, bounded in size.
  let window = { start: 0, counts: new Map<string, number>() };
  const allowed = (c: Context): boolean => {
    const now = realNow();
    if (now - window.start >= 60_000 || window.counts.size > 50_000) window = { start: now, counts: new Map() };
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
    const who = clientAddress(incoming?.socket?.remoteAddress, c.req.header('x-forwarded-for'), proxies);
    const n = (window.counts.get(who) ?? 0) + 1;
    window.counts.set(who, n);
    return n <= SCANS_PER_MINUTE;
  };

  guardPages(app, '/s', CSP);

  app.get('/s/auth/:platform', async (c) => {
    const back = await returnedLogin(c, { providers, pending, cookie: COOKIE, redirectUri, words: s, refuse: notice, logger: deps.logger, what: 'scan sign-in' });
    if (back instanceof Response) return back;
    const { login: scan, accountId } = back;
    const platform = scan.platform;
    const now = deps.clock.now();
    const result = await signInByScan(deps.db, { platform, accountId, scan, now, timeZone: config.TIMEZONE });
    if (result.kind === 'unbound') return notice(c, 403, s.unboundTitle, s.unbound(s.platformName[platform]));
    const reply = signInReply(t, result.outcome, config.TIMEZONE, dateOf(now, config.TIMEZONE), scan.action);
    const kind = result.outcome.kind;
    const title =
      kind === 'signed_in' || kind === 'signed_out' || kind === 'already_signed_in' || kind === 'already_signed_out'
        ? s.headline[kind]
        : scan.action === 'in'
          ? s.headline.refusedIn
          : s.headline.refusedOut;
    deps.logger.info({ platform, teacherId: result.teacher.id, sessionId: scan.sessionId, outcome: kind }, 'scan sign-in');
    return page(c, 200, <Result title={title} text={reply.text} ok={reply.tone === 'success' || reply.tone === 'info'} name={result.teacher.name} />);
  });

  const start = (action: Action) => async (c: Context) => {
    const id = c.req.param('id') ?? '';
    const code = c.req.param('code') ?? '';
    const session = /^\d{1,12}$/.test(id) && /^\d{4,8}$/.test(code) ? await getSession(deps.db, Number(id)) : null;
    if (!session) return notice(c, 404, s.notFoundTitle, s.notFound);
    if (!allowed(c)) return notice(c, 429, s.tooManyTitle, s.tooMany);
    const verb = s.verbs[action];
    if (providers.size === 0) return notice(c, 200, s.pageTitle, s.noPlatform(verb, code));
    const platform = chooseProvider(providers, c.req.query('via'), c.req.header('user-agent'));
    if (!platform) {
      return page(c, 200, <Choose title={session.title} verb={verb} code={code} path={scanPath(session.id, code, action)} providers={[...providers.values()]} />);
    }
    const browser = browserId(c, COOKIE, '/s', secure);
    const state = pending.add({ sessionId: session.id, code, action, platform, scannedAt: deps.clock.now(), browser });
    return c.redirect(providers.get(platform)!.authorizeUrl(redirectUri(platform), state), 302);
  };
  app.get('/s/:id/:code', start('in'));
  app.get('/s/:id/:code/out', start('out'));
}

/* ---------------------------------------------------------------- views */

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;background:#f4f6fa;color:#1d2433;
  min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px}
.card{background:#fff;border-radius:16px;box-shadow:0 4px 24px rgba(15,42,74,.08);padding:28px 22px;max-width:420px;width:100%;text-align:center}
.icon{font-size:56px;line-height:1;margin-bottom:12px}
h1{font-size:24px;margin:0 0 12px}
p{font-size:17px;line-height:1.6;margin:0 0 14px;white-space:pre-line}
.who{color:#5b6478;font-size:15px}
.btn{display:block;margin:12px 0;padding:14px;border-radius:10px;font-size:18px;text-decoration:none;color:#fff;background:#3370ff}
.btn.ding{background:#0089ff}
.small{font-size:14px;color:#5b6478}
`;

/** Every scan page is one card. */
function Shell(props: { title: string; children: Child }) {
  return (
    <PageShell title={props.title} style={STYLE}>
      <div class="card">{props.children}</div>
    </PageShell>
  );
}

function page(c: Context, status: 200 | 400 | 403 | 404 | 429 | 502, node: unknown) {
  return c.html(html`<!DOCTYPE html>${node}`, status);
}

function notice(c: Context, status: 200 | 400 | 403 | 404 | 429 | 502, title: string, text: string) {
  return page(
    c,
    status,
    <Shell title={title}>
      <div class="icon">{status === 200 ? 'ℹ️' : '⚠️'}</div>
      <h1>{title}</h1>
      <p>{text}</p>
    </Shell>,
  );
}

function Result(props: { title: string; text: string; ok: boolean; name: string }) {
  return (
    <Shell title={props.title}>
      <div class="icon">{props.ok ? '✅' : '⚠️'}</div>
      <h1 id="result">{props.title}</h1>
      <p id="detail">{props.text}</p>
      <p class="who">{props.name}</p>
    </Shell>
  );
}

function Choose(props: { title: string; verb: string; code: string; path: string; providers: IdentityProvider[] }) {
  return (
    <Shell title={s.pageTitle}>
      <h1>{s.pageTitle}</h1>
      <p>{s.choose(props.verb, props.title)}</p>
      <LoginButtons path={props.path} providers={props.providers} />
      <p class="small">{s.typeInstead(props.verb, props.code)}</p>
    </Shell>
  );
}

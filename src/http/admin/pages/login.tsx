/** @jsxImportSource hono/jsx */
/**
 * Signing in and out. A link from `后台` is looked at on GET (nothing used up: chat apps fetch links to draw
 * previews) and used on POST, from the "进入后台" button. ADMIN_TOKEN signs in through a form. Both POSTs check
 * the Origin (there is no session, hence no CSRF token, yet), and every failure counts against the address.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { setCookie, deleteCookie } from 'hono/cookie';
import { ADMIN_TOKEN_KEY, ADMIN_TOKEN_MAX_FAILURES, checkLoginLink, closeSession, consumeLoginLink, loginBlockedUntil, openSession, recordAttempt, sameSecret, type LinkRefusal } from '../../../admin/auth.js';
import { a, clientIp, formOf, SESSION_COOKIE, type AdminEnv, type AdminServices } from '../context.js';
import { Alert, Field, FormError } from '../components.js';
import { Bare, Notice } from '../layout.js';
import { originAllowed } from '../security.js';
import { SESSION_TTL_MS } from '../../../admin/auth.js';
import { transaction } from '../../../../db/statements.js';

const REFUSAL_TEXT: Record<LinkRefusal, string> = {
  invalid: a.login.invalid,
  expired: a.login.expired,
  used: a.login.used,
  notOfficer: a.login.notOfficer,
};
const REFUSAL_STATUS: Record<LinkRefusal, 403 | 410> = { invalid: 403, expired: 410, used: 410, notOfficer: 403 };

// Referrer-Policy stays same-origin (set for every console page): the token in a link URL never leaves our own
// origin, and with no-referrer the browser would send `Origin: null` on the form below.
function page(c: Context, node: unknown, status: 200 | 403 | 410 | 429 = 200) {
  return c.html(html`<!DOCTYPE html>${node}`, status);
}

function refused(c: Context, reason: LinkRefusal) {
  return page(c, <Notice title={a.login.refusedTitle} text={REFUSAL_TEXT[reason]} icon="🔒" link={{ href: '/admin/login', label: a.login.backToLogin }} />, REFUSAL_STATUS[reason]);
}

function tooMany(c: Context, until: Date, now: Date) {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  c.header('Retry-After', String(Math.ceil((until.getTime() - now.getTime()) / 1000)));
  return page(c, <Notice title={a.login.tooManyTitle} text={a.login.tooMany(minutes)} icon="⏳" />, 429);
}

function LoginForm(props: { svc: AdminServices; error?: string; note?: string }) {
  return (
    <Bare title={a.login.title}>
      <h1>{a.login.title}</h1>
      {props.note ? <Alert kind="info">{props.note}</Alert> : null}
      <p>{a.login.intro}</p>
      <div class="sep" />
      {props.svc.config.ADMIN_TOKEN ? (
        <form method="post" action="/admin/login" class="form">
          <h2>{a.login.tokenHeading}</h2>
          <FormError error={props.error} />
          <Field label={a.login.tokenLabel} hint={a.login.tokenHint}>
            <input type="password" name="token" autocomplete="current-password" required />
          </Field>
          <button class="btn btn-primary btn-block" type="submit">
            {a.login.tokenSubmit}
          </button>
        </form>
      ) : (
        <p class="small">{a.login.noToken}</p>
      )}
    </Bare>
  );
}

export function mountLogin(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const startSession = async (c: Context, teacher: Parameters<typeof openSession>[1]['teacher']) => {
    const now = svc.clock.now();
    const input = { teacher, ip: clientIp(c, svc.proxies), userAgent: c.req.header('user-agent') ?? null, now };
    const { cookieValue } = await transaction(svc.db, (tx) => openSession(tx, input));
    setCookie(c, SESSION_COOKIE, cookieValue, {
      path: '/admin',
      httpOnly: true,
      sameSite: 'Lax',
      secure: svc.secureCookies,
      maxAge: Math.floor(SESSION_TTL_MS / 1000),
    });
    return c.redirect('/admin', 303);
  };

  admin.get('/login', async (c) => {
    svc.cache.warm();
    const token = c.req.query('token');
    if (token === undefined) {
      const note = c.req.query('ended') ? a.login.sessionEnded : c.req.query('out') ? a.login.loggedOut : undefined;
      return page(c, <LoginForm svc={svc} note={note} />);
    }
    const now = svc.clock.now();
    const ip = clientIp(c, svc.proxies);
    // A valid link is a 256-bit secret nobody guesses: it works even from an address blocked for failures (an
    // attacker sharing the office's address must not lock officers out). Anything else from there waits.
    const check = await checkLoginLink(svc.db, token, now);
    if (!check.ok) {
      const blocked = await loginBlockedUntil(svc.db, ip, now);
      if (blocked) return tooMany(c, blocked, now);
      await transaction(svc.db, (tx) => recordAttempt(tx, ip, false, now));
      return refused(c, check.reason);
    }
    return page(
      c,
      <Bare title={a.login.confirmTitle}>
        <h1>{a.login.confirmTitle}</h1>
        <p>{a.login.confirmText(a.person(check.teacher.name, check.teacher.employeeNo))}</p>
        <form method="post" action="/admin/login/link" class="form" style="margin-top:16px">
          <input type="hidden" name="token" value={token} />
          <button class="btn btn-primary btn-block" type="submit">
            {a.login.confirmButton}
          </button>
        </form>
        <p class="small" style="margin-top:14px">
          {a.login.confirmHint}
        </p>
      </Bare>,
    );
  });

  admin.post('/login/link', async (c) => {
    if (!originAllowed(c, svc)) return csrfRefusal(c);
    const now = svc.clock.now();
    const ip = clientIp(c, svc.proxies);
    const form = await formOf(c);
    const token = form.token ?? '';
    const blocked = await loginBlockedUntil(svc.db, ip, now);
    if (blocked && !(await checkLoginLink(svc.db, token, now)).ok) return tooMany(c, blocked, now);
    const used = await transaction(svc.db, (tx) => consumeLoginLink(tx, token, now));
    await transaction(svc.db, (tx) => recordAttempt(tx, ip, used.ok, now));
    if (!used.ok) return refused(c, used.reason);
    return startSession(c, used.teacher);
  });

  admin.post('/login', async (c) => {
    if (!originAllowed(c, svc)) return csrfRefusal(c);
    const now = svc.clock.now();
    const ip = clientIp(c, svc.proxies);
    const blocked = (await loginBlockedUntil(svc.db, ip, now)) ?? (await loginBlockedUntil(svc.db, ADMIN_TOKEN_KEY, now, ADMIN_TOKEN_MAX_FAILURES));
    if (blocked) return tooMany(c, blocked, now);
    const form = await formOf(c);
    const expected = svc.config.ADMIN_TOKEN;
    const ok = Boolean(expected) && sameSecret(form.token ?? '', expected!);
    await transaction(svc.db, (tx) => recordAttempt(tx, ip, ok, now));
    if (!ok) {
      await transaction(svc.db, (tx) => recordAttempt(tx, ADMIN_TOKEN_KEY, false, now));
      return page(c, <LoginForm svc={svc} error={a.login.badToken} />, 403);
    }
    return startSession(c, null);
  });

  admin.post('/logout', async (c) => {
    await transaction(svc.db, (tx) => closeSession(tx, c.get('user'), svc.clock.now()));
    deleteCookie(c, SESSION_COOKIE, { path: '/admin', secure: svc.secureCookies });
    return c.redirect('/admin/login?out=1', 303);
  });
}

export function csrfRefusal(c: Context) {
  return c.html(html`<!DOCTYPE html>${<Notice title={a.errors.csrfTitle} text={a.errors.csrf} icon="⚠️" link={{ href: '/admin', label: a.errors.back }} />}`, 403);
}

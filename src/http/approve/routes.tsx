/** @jsxImportSource hono/jsx */
/**
 * The approval page for school leaders (and officers) away from the console: `/approve/<id>`, opened from the
 * approval card (on DingTalk an action card's button, whose only power is to open a link). The platform's web
 * login says who is holding the phone (inside the Feishu or DingTalk app it passes without a tap); the account
 * must be bound to the roster, and the person must be an approver of that declaration. The page shows the
 * details, the duplicate warnings and the evidence (served by `/approve/<id>/evidence/<evidenceId>` after the
 * same checks), and 通过 / 退回 (reason) / 转交 as forms: POSTs from our own origin carrying the session's CSRF
 * token, decided by the same code as the chat commands (decide.ts).
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { Db } from '../../../db/client.js';
import { transaction } from '../../../db/statements.js';
import { sameSecret } from '../../admin/auth.js';
import { messagesFor } from '../../bot/i18n/index.js';
import type { Clock } from '../../clock.js';
import { publicUrl, type Config } from '../../config.js';
import { mayDecideNow } from '../../declarations/approval/cards.js';
import { decide, forwardCandidates, mayViewAsApprover, type Decision } from '../../declarations/approval/decide.js';
import { getDeclaration } from '../../declarations/service.js';
import { stepNames } from '../../declarations/approval/names.js';
import { findTeacherByAccount, rolesOf } from '../../ledger/store.js';
import type { Logger } from '../../logger.js';
import type { PolicyPreset } from '../../policy/schema.js';
import { chooseProvider, type WebPlatform } from '../../websignin/identity.js';
import type { PlatformDefinition } from '../../platforms/platform.js';
import { browserId, guardPages, returnedLogin, webLogins } from '../web-login.js';
import { PendingLogins } from '../../websignin/pending.js';
import { WebSessions } from '../../websignin/web-sessions.js';
import { flash, formOf, takeFlash } from '../admin/context.js';
import { originAllowed } from '../admin/security.js';
import { ApprovalPage, ChooseView, NoticeView } from './views.js';
import { mountApprovalEvidence } from './evidence.js';
import type { Refusal, SignedIn } from './types.js';
import { evidenceDirFor } from '../../declarations/evidence/files.js';

export interface ApproveRoutesDeps {
  db: Db;
  clock: Clock;
  presets: ReadonlyMap<string, PolicyPreset>;
  config: Config;
  logger: Logger;
  /** The chat platforms whose web logins the page offers (the registry's). */
  platforms: readonly PlatformDefinition[];
  /** Tell the sender that notices were queued. */
  onEnqueued?: () => void;
  /** Real time, for login and session lifetimes. */
  realNow?: () => number;
}

const w = messagesFor('zh-CN').declarations.approval.web;
const t = messagesFor('zh-CN');
const SESSION_COOKIE = 'xueshi_approve';
const BROWSER_COOKIE = 'xueshi_approve_b';
const PATH = '/approve';

/** The page loads its inline style and its own evidence images, and posts only to itself. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

type Status = 200 | 400 | 401 | 403 | 404 | 502;

function page(c: Context, status: Status, node: unknown) {
  return c.html(html`<!DOCTYPE html>${node}`, status);
}

export const notice = (c: Context, status: Status, title: string, text: string) => page(c, status, <NoticeView title={title} text={text} />);

export function mountApproveRoutes(app: Hono, deps: ApproveRoutesDeps): void {
  const { db, config } = deps;
  const baseUrl = publicUrl(config, config.PORT);
  const secure = baseUrl.startsWith('https:');
  const realNow = deps.realNow ?? Date.now;
  const providers = webLogins(config, deps.platforms);
  const pending = new PendingLogins<{ path: string; platform: WebPlatform; browser: string }>(realNow);
  const sessions = new WebSessions(realNow);
  const redirectUri = (p: WebPlatform) => `${baseUrl}${PATH}/auth/${p}`;

  const signedIn = async (c: Context): Promise<SignedIn | null> => {
    const session = sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session) return null;
    const teacher = await findTeacherByAccount(db, session.platform, session.accountId);
    if (!teacher || teacher.id !== session.teacherId) return null;
    return { session, teacher, officer: (await rolesOf(db, teacher)).has('officer') };
  };
  const idOf = (c: Context): number | null => {
    const raw = c.req.param('id') ?? '';
    return /^\d{1,9}$/.test(raw) ? Number(raw) : null;
  };
  /** Signed in and an approver of this declaration, or why not. */
  const approverOf = async (c: Context, id: number): Promise<SignedIn | Refusal> => {
    const who = await signedIn(c);
    if (!who) return { refused: 401, title: w.expiredTitle, text: w.expired };
    if (!(await mayViewAsApprover(deps, id, { teacherId: who.teacher.id, officer: who.officer }))) return { refused: 403, title: w.forbiddenTitle, text: w.forbidden };
    return who;
  };

  guardPages(app, PATH, CSP);
  app.use(`${PATH}/*`, bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('too large', 413) }));

  app.get(`${PATH}/auth/:platform`, async (c) => {
    const back = await returnedLogin(c, { providers, pending, cookie: BROWSER_COOKIE, redirectUri, words: w, refuse: notice, logger: deps.logger, what: 'approval page' });
    if (back instanceof Response) return back;
    const { login, accountId } = back;
    const platform = login.platform;
    const teacher = await findTeacherByAccount(db, platform, accountId);
    if (!teacher) return notice(c, 403, w.unboundTitle, w.unbound(w.platformName[platform] ?? platform));
    const { cookieValue } = sessions.open({ teacherId: teacher.id, platform, accountId });
    setCookie(c, SESSION_COOKIE, cookieValue, { path: PATH, httpOnly: true, sameSite: 'Lax', secure });
    deps.logger.info({ platform, teacherId: teacher.id }, 'approval page: signed in');
    return c.redirect(login.path, 303);
  });

  app.get(`${PATH}/:id`, async (c) => {
    const id = idOf(c);
    if (id === null) return notice(c, 404, w.notFoundTitle, w.notFound);
    const path = `${PATH}/${id}`;
    if (!await signedIn(c)) {
      if (providers.size === 0) return notice(c, 200, w.chooseTitle, w.noPlatform);
      const platform = chooseProvider(providers, c.req.query('via'), c.req.header('user-agent'));
      if (!platform) return page(c, 200, <ChooseView path={path} providers={[...providers.values()]} />);
      const browser = browserId(c, BROWSER_COOKIE, PATH, secure);
      const state = pending.add({ path, platform, browser });
      return c.redirect(providers.get(platform)!.authorizeUrl(redirectUri(platform), state), 302);
    }
    const who = await approverOf(c, id);
    if ('refused' in who) return notice(c, who.refused, who.title, who.text);
    const view = await getDeclaration(db, id);
    if (!view) return notice(c, 404, w.notFoundTitle, w.notFound);
    const me = { teacherId: who.teacher.id, officer: who.officer };
    return page(
      c,
      200,
      <ApprovalPage
        view={view}
        me={who.teacher}
        canDecide={mayDecideNow(view, me)}
        candidates={await forwardCandidates(deps, view, who.teacher.id)}
        csrfToken={who.session.csrfToken}
        timeZone={config.TIMEZONE}
        flash={takeFlash(c, PATH)}
        evidenceHref={(evidenceId) => `${path}/evidence/${evidenceId}`}
        names={await stepNames(db, view)}
      />,
    );
  });

  app.post(`${PATH}/:id`, async (c) => {
    const id = idOf(c);
    if (id === null) return notice(c, 404, w.notFoundTitle, w.notFound);
    if (!originAllowed(c, { baseUrl })) return notice(c, 403, w.expiredTitle, w.expired);
    const who = await approverOf(c, id);
    if ('refused' in who) return notice(c, who.refused, who.title, who.text);
    const form = await formOf(c);
    if (!form._csrf || !sameSecret(form._csrf, who.session.csrfToken)) return notice(c, 403, w.expiredTitle, w.expired);
    const decision = decisionOf(form);
    if (!decision) {
      flash(c, 'err', w.badAction, secure, PATH);
      return c.redirect(`${PATH}/${id}`, 303);
    }
    const label = `${who.session.platform}:${who.session.accountId}`;
    const ctx = { presets: deps.presets, now: deps.clock.now(), t, timeZone: config.TIMEZONE };
    const result = await transaction(db, (tx) => decide({ ...ctx, db: tx }, id, decision, { label, teacher: who.teacher, officer: who.officer }));
    if (result.ok) deps.onEnqueued?.();
    deps.logger.info({ declarationId: id, teacherId: who.teacher.id, action: decision.kind, ok: result.ok, reason: result.ok ? undefined : result.reason }, 'approval page decision');
    flash(c, result.ok ? 'ok' : 'err', result.text, secure, PATH);
    return c.redirect(`${PATH}/${id}`, 303);
  });

  mountApprovalEvidence(app, {
    db,
    dir: evidenceDirFor(config),
    approverOf,
    idOf,
    notFound: (c) => notice(c, 404, w.notFoundTitle, w.notFound),
    refuse: (c, r) => notice(c, r.refused, r.title, r.text),
  });
}

function decisionOf(form: Record<string, string>): Decision | null {
  switch (form.action) {
    case 'approve':
      return { kind: 'approve' };
    case 'return':
      return { kind: 'return', reason: (form.reason ?? '').trim() };
    case 'forward': {
      const employeeNo = (form.employeeNo ?? '').trim() || (form.to ?? '').trim();
      return employeeNo ? { kind: 'forward', employeeNo } : null;
    }
    default:
      return null;
  }
}

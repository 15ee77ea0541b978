/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import QRCode from 'qrcode';
import type { Db } from '../../db/client.js';
import { messagesFor } from '../bot/i18n/index.js';
import type { Clock } from '../clock.js';
import { msUntilNextStep, projectorKeyMatches, rotatingCode, stepOf } from '../sessions/code.js';
import { rangeText } from '../sessions/replies.js';
import { getSession } from '../sessions/store.js';
import { liveCounts } from '../sessions/report.js';
import { windowState, type SessionRow } from '../sessions/model.js';
import { dateOf, whenIn } from '../time/zone.js';
import { scanPath } from './scan.js';
import { PageShell } from './page-shell.js';
import type { Child } from 'hono/jsx';

export interface SessionRoutesDeps {
  db: Db;
  clock: Clock;
  timeZone: string;
  /** PUBLIC_BASE_URL: the QR code is a link to this server's scan-to-sign-in page. */
  baseUrl: string;
}

export const PROJECTOR_PATH = '/sessions/:id/checkin';

type Phase = 'before' | 'checkin' | 'between' | 'checkout' | 'ended' | 'cancelled';

export interface ProjectorState {
  id: number;
  title: string;
  window: string;
  phase: Phase;
  /** What to say instead of (or under) the code. */
  message: string | null;
  code: string | null;
  /** What to tell people to send ("扫码，或向学时助手发送「签到 123456」"); 签退 in the sign-out window. */
  hint: string | null;
  /**
   * The QR code as inline SVG, encoding the scan-to-sign-in link `${baseUrl}/s/<id>/<code>` (`/out` in the
   * sign-out window): a phone's Feishu or DingTalk scanner opens it and signs the teacher in.
   */
  qrSvg: string | null;
  signedIn: number;
  signedOut: number;
  expected: number;
  hasCheckout: boolean;
  /** When the shown code changes (rotating mode), so the page refreshes right on time. */
  nextChangeInMs: number | null;
}

const t = messagesFor('zh-CN');

function phaseOf(session: SessionRow, now: Date): Phase {
  if (session.status === 'cancelled') return 'cancelled';
  if (session.status === 'closed') return 'ended';
  const checkin = windowState(session, 'checkin', now)!;
  if (checkin === 'before') return 'before';
  if (checkin === 'open') return 'checkin';
  const checkout = windowState(session, 'checkout', now);
  if (checkout === 'before') return 'between';
  if (checkout === 'open') return 'checkout';
  return 'ended';
}

export async function projectorState(db: Db, session: SessionRow, now: Date, timeZone: string, baseUrl: string): Promise<ProjectorState> {
  const p = t.sessions.projector;
  const phase = phaseOf(session, now);
  const today = dateOf(now, timeZone);
  const live = phase !== 'ended' && phase !== 'cancelled';
  let code: string | null = null;
  if (live && session.mode === 'rotating') code = rotatingCode(session.secret, stepOf(now.getTime()));
  if (live && session.mode === 'static') code = session.staticCode;
  const message =
    phase === 'cancelled' ? p.cancelled
    : phase === 'ended' ? p.ended
    : session.mode === 'button' ? p.button
    : phase === 'before' ? p.before(whenIn(session.checkinStart, timeZone, today))
    : phase === 'between' ? p.between(whenIn(session.checkoutStart!, timeZone, today))
    : null;
  const counts = await liveCounts(db, session);
  const verb = t.scan.verbs[phase === 'checkout' ? 'out' : 'in'];
  return {
    id: session.id,
    title: session.title,
    window: p.window(rangeText(session, 'checkin', timeZone)!, rangeText(session, 'checkout', timeZone)),
    phase,
    message,
    code,
    hint: code ? p.instruction(verb, code) : null,
    qrSvg: code ? await QRCode.toString(baseUrl.replace(/\/+$/, '') + scanPath(session.id, code, phase === 'checkout' ? 'out' : 'in'), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) : null,
    ...counts,
    hasCheckout: session.checkoutStart !== null,
    nextChangeInMs: code && session.mode === 'rotating' ? msUntilNextStep(now.getTime()) : null,
  };
}

const SECURITY_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  // The key is in the URL: never send it on to anyone.
  'Referrer-Policy': 'no-referrer',
  'X-Robots-Tag': 'noindex, nofollow',
  'X-Content-Type-Options': 'nosniff',
  // Never inside another site's frame (clickjacking, or lifting the code onto a page of someone else's).
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

function withHeaders(c: Context): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
}

/** Looks the session up and checks the link key; the failure pages say nothing about the session. */
async function authorise(c: Context, deps: SessionRoutesDeps): Promise<SessionRow | Response> {
  withHeaders(c);
  const p = t.sessions.projector;
  const id = c.req.param('id') ?? '';
  const session = /^\d{1,12}$/.test(id) ? await getSession(deps.db, Number(id)) : null;
  const json = c.req.path.endsWith('.json');
  if (!session) return json ? c.json({ error: 'not found' }, 404) : c.html(html`<!DOCTYPE html>${<Notice title={p.notFoundTitle} text={p.notFound} />}`, 404);
  if (!projectorKeyMatches(session.secret, c.req.query('key'))) {
    return json ? c.json({ error: 'forbidden' }, 403) : c.html(html`<!DOCTYPE html>${<Notice title={p.forbiddenTitle} text={p.forbidden} />}`, 403);
  }
  return session;
}

export function mountSessionRoutes(app: Hono, deps: SessionRoutesDeps): void {
  app.get('/sessions/:id/checkin.json', async (c) => {
    const session = await authorise(c, deps);
    if (session instanceof Response) return session;
    return c.json(await projectorState(deps.db, session, deps.clock.now(), deps.timeZone, deps.baseUrl));
  });
  app.get(PROJECTOR_PATH, async (c) => {
    const session = await authorise(c, deps);
    if (session instanceof Response) return session;
    const state = await projectorState(deps.db, session, deps.clock.now(), deps.timeZone, deps.baseUrl);
    return c.html(html`<!DOCTYPE html>${<Projector state={state} />}`);
  });
}

/* ---------------------------------------------------------------- views */

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;background:#0f2a4a;color:#fff;
  min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;text-align:center;padding:2vh 2vw}
h1{font-size:4.2vh;margin:0 0 1vh}
.window{font-size:2.6vh;opacity:.85;margin-bottom:3vh}
.main{display:flex;gap:5vw;align-items:center;justify-content:center;flex-wrap:wrap}
.label{font-size:3vh;opacity:.8}
.code{font-family:"DIN Alternate","Roboto Mono",Menlo,Consolas,monospace;font-size:22vh;font-weight:700;letter-spacing:2vw;line-height:1}
.qr{background:#fff;padding:1.5vh;border-radius:1.5vh;width:40vh;height:40vh}
.qr svg{width:100%;height:100%}
.hint{font-size:2.6vh;margin-top:2vh;opacity:.9}
.message{font-size:5vh;margin:4vh 0}
.count{font-size:4.5vh;margin-top:3vh;font-weight:600}
.bar{height:.8vh;background:rgba(255,255,255,.2);width:60vw;margin:2vh auto 0;border-radius:.4vh;overflow:hidden}
.bar i{display:block;height:100%;background:#4cc38a;width:100%}
.notice{max-width:40em;font-size:3vh}
[hidden]{display:none!important}
`;

/** Polls checkin.json every 3 s (and right when the code turns over) and swaps the code, QR and count in place. */
const SCRIPT = `
(function(){
  var url = location.pathname + '.json' + location.search;
  var $ = function(id){ return document.getElementById(id); };
  var deadline = 0, period = 30000;
  function show(s){
    $('code').textContent = s.code || '';
    $('qr').innerHTML = s.qrSvg || '';
    $('codeBlock').hidden = !s.code;
    $('message').textContent = s.message || '';
    $('message').hidden = !s.message;
    $('hint').textContent = s.hint || '';
    $('count').textContent = $('count').getAttribute('data-fmt').replace('{a}', s.signedIn).replace('{b}', s.expected);
    $('countOut').textContent = s.hasCheckout ? $('countOut').getAttribute('data-fmt').replace('{n}', s.signedOut) : '';
    deadline = s.nextChangeInMs ? Date.now() + s.nextChangeInMs : 0;
    $('bar').hidden = !deadline;
  }
  function tick(){
    if (deadline) { var left = Math.max(0, deadline - Date.now()); $('barFill').style.width = (left / period * 100) + '%'; }
  }
  function poll(){
    fetch(url, {cache: 'no-store'}).then(function(r){ return r.ok ? r.json() : null; }).then(function(s){
      if (s) show(s);
      var wait = 3000;
      if (deadline) wait = Math.min(wait, Math.max(200, deadline - Date.now() + 150));
      setTimeout(poll, wait);
    }).catch(function(){ setTimeout(poll, 3000); });
  }
  var first = document.body.getAttribute('data-next');
  if (first) { deadline = Date.now() + Number(first); }
  setInterval(tick, 250);
  setTimeout(poll, deadline ? Math.min(3000, deadline - Date.now() + 150) : 3000);
})();
`;

function Layout(props: { title: string; children: Child; next?: number | null; refresh?: boolean }) {
  const head = (
    <>
      <meta name="referrer" content="no-referrer" />
      {/* Without JavaScript the page reloads itself; with it, the script refreshes in place. */}
      {props.refresh ? <noscript dangerouslySetInnerHTML={{ __html: '<meta http-equiv="refresh" content="5">' }} /> : null}
    </>
  );
  return (
    <PageShell title={props.title} style={STYLE} head={head} body={{ 'data-next': props.next ? String(props.next) : undefined }}>
      {props.children}
    </PageShell>
  );
}

function Notice(props: { title: string; text: string }) {
  return (
    <Layout title={props.title}>
      <h1>{props.title}</h1>
      <p class="notice">{props.text}</p>
    </Layout>
  );
}

function Projector({ state }: { state: ProjectorState }) {
  const p = t.sessions.projector;
  return (
    <Layout title={p.pageTitle(state.title)} next={state.nextChangeInMs} refresh>
      <h1>{state.title}</h1>
      <div class="window">{state.window}</div>
      <div id="message" class="message" hidden={!state.message}>
        {state.message ?? ''}
      </div>
      <div id="codeBlock" class="main" hidden={!state.code}>
        <div>
          <div class="label">{p.codeLabel}</div>
          <div id="code" class="code">
            {state.code ?? ''}
          </div>
          <div id="hint" class="hint">
            {state.hint ?? ''}
          </div>
          <div id="bar" class="bar" hidden={!state.nextChangeInMs}>
            <i id="barFill" style={`width:${state.nextChangeInMs ? Math.round((state.nextChangeInMs / 30_000) * 100) : 0}%`} />
          </div>
          {state.nextChangeInMs ? <div class="hint">{p.changesEvery}</div> : null}
        </div>
        <div id="qr" class="qr" dangerouslySetInnerHTML={{ __html: state.qrSvg ?? '' }} />
      </div>
      <div id="count" class="count" data-fmt={p.count(-1, -2).replace('-1', '{a}').replace('-2', '{b}')}>
        {p.count(state.signedIn, state.expected)}
      </div>
      <div id="countOut" class="hint" data-fmt={p.countOut(-1).replace('-1', '{n}')}>
        {state.hasCheckout ? p.countOut(state.signedOut) : ''}
      </div>
      <script dangerouslySetInnerHTML={{ __html: SCRIPT }} />
    </Layout>
  );
}

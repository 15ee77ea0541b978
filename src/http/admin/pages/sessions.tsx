/** @jsxImportSource hono/jsx */
/** Training sessions: create, list with live counts, one session's attendance, the projector link. */
import { transaction } from '../../../../db/statements.js';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { stateOf } from '../../../cli/attendance-export.js';
import { dateIn, dateTimeIn, hhmmIn } from '../../../time/zone.js';
import { EVERYONE } from '../../../sessions/audience.js';
import { problemText, projectorPath, rangeText, signInCard } from '../../../sessions/replies.js';
import { attendanceReport, liveCounts } from '../../../sessions/report.js';
import { audienceOf, hasCheckout, type SessionMode } from '../../../sessions/model.js';
import { createSession, setSessionStatus, type SessionDraft } from '../../../sessions/service.js';
import { dueNow } from '../../../broadcasts/broadcasts.js';
import { evaluationNote, openSessionEvaluation } from '../../../surveys/service.js';
import { getSession, listSessions } from '../../../sessions/store.js';
import { sendSignInCards } from '../../../sessions/notify.js';
import { parseAudience, parseDate, parseHours, parseTimeRange, type ParseResult } from '../../../sessions/syntax.js';
import { a, flash, formOf, t, takeFlash, type AdminEnv, type AdminServices } from '../context.js';
import { Choices, CsrfField, DataTable, Field, FormError, Panel, PostButton } from '../components.js';
import { Page, PageHead } from '../layout.js';
import { sessionPhase, type SessionPhase } from '../../../sessions/phase.js';

/** 未开始 / 进行中 / 已截止 / 已结束 / 已取消, from the session's windows and the business clock. */
function PhaseBadge({ phase }: { phase: SessionPhase }) {
  return <span class={`badge ${phase}`}>{a.sessions.states[phase]}</span>;
}

const m = a.sessions;

type Form = Record<string, string>;

function CreateForm(props: { svc: AdminServices; user: Parameters<typeof CsrfField>[0]['user']; values: Form; error?: string }) {
  const v = props.values;
  const preset = props.svc.presets.get(props.svc.config.DEFAULT_POLICY);
  const categories = preset ? preset.categories.map((c) => c.key) : [];
  const audience = v.audience || 'all';
  const mode = v.mode || 'rotating';
  return (
    <form method="post" action="/admin/sessions" class="form">
      <CsrfField user={props.user} />
      <FormError error={props.error} />
      <div class="form-row">
        <Field label={m.titleLabel} style="grid-column: span 2">
          <input type="text" name="title" value={v.title ?? ''} maxlength={100} required />
        </Field>
        <Field label={m.category}>
          <select name="category" required>
            {categories.map((c) => (
              <option value={c} selected={c === v.category}>
                {c}
              </option>
            ))}
          </select>
        </Field>
        <Field label={m.hours}>
          <input type="number" name="hours" min="0.5" max="24" step="0.5" value={v.hours ?? '3'} required />
        </Field>
      </div>
      <div class="form-row">
        <Field label={m.date}>
          <input type="date" name="date" value={v.date ?? ''} required />
        </Field>
        <Field label={m.checkin} group>
          <div class="actions" style="flex-wrap:nowrap">
            <input type="time" name="checkinStart" value={v.checkinStart ?? ''} required />
            <span class="muted">{m.to}</span>
            <input type="time" name="checkinEnd" value={v.checkinEnd ?? ''} required />
          </div>
        </Field>
        <Field label={m.checkout} group>
          <div class="actions" style="flex-wrap:nowrap">
            <input type="time" name="checkoutStart" value={v.checkoutStart ?? ''} />
            <span class="muted">{m.to}</span>
            <input type="time" name="checkoutEnd" value={v.checkoutEnd ?? ''} />
          </div>
        </Field>
      </div>
      <Field label={m.audience} group>
        <Choices
          name="audience"
          options={[
            ['all', m.audienceAll],
            ['schools', m.audienceSchools],
            ['roles', m.audienceRoles],
          ]}
          checked={[audience]}
        />
        <div data-show-when="audience=schools">
          <input type="text" name="schools" value={v.schools ?? ''} placeholder={m.schoolsHint} />
        </div>
        <div data-show-when="audience=roles">
          <input type="text" name="roles" value={v.roles ?? ''} placeholder={m.rolesHint} />
        </div>
      </Field>
      <Field label={m.mode} group>
        <Choices name="mode" options={(['rotating', 'static', 'button'] as const).map((key) => [key, m.modes[key]] as const)} checked={[mode]} />
        <div data-show-when="mode=static">
          <input type="text" name="code" value={v.code ?? ''} placeholder={m.staticCode} inputmode="numeric" pattern="[0-9]{4,8}" />
        </div>
      </Field>
      <div>
        <button class="btn btn-primary" type="submit">
          {m.submit}
        </button>
      </div>
    </form>
  );
}

/** The form's fields → a draft, or the first problem in the words the chat command uses. */
function draftOf(form: Form, today: string): ParseResult<SessionDraft> {
  const hours = parseHours(form.hours ?? '');
  if (!hours.ok) return hours;
  const date = parseDate(form.date ?? '', today);
  if (!date.ok) return date;
  const checkin = parseTimeRange(`${form.checkinStart ?? ''}-${form.checkinEnd ?? ''}`);
  if (!checkin.ok) return checkin;
  let checkout = null;
  if (form.checkoutStart || form.checkoutEnd) {
    const parsed = parseTimeRange(`${form.checkoutStart ?? ''}-${form.checkoutEnd ?? ''}`);
    if (!parsed.ok) return parsed;
    checkout = parsed.value;
  }
  let audience: ParseResult<SessionDraft['audience']> = { ok: true, value: EVERYONE };
  // The chat syntax's own parser (学校:… / 角色:…), so the console and 新建培训 read audiences alike.
  if (form.audience === 'schools') audience = parseAudience(`schools:${form.schools ?? ''}`);
  if (form.audience === 'roles') audience = parseAudience(`roles:${form.roles ?? ''}`);
  if (!audience.ok) return audience;
  const mode: SessionMode = form.mode === 'static' || form.mode === 'button' ? form.mode : 'rotating';
  return {
    ok: true,
    value: {
      title: form.title ?? '',
      category: form.category ?? '',
      hours: hours.value,
      date: date.value,
      checkin: checkin.value,
      checkout,
      audience: audience.value,
      mode,
      staticCode: mode === 'static' && form.code?.trim() ? form.code.trim() : null,
    },
  };
}

export function mountSessions(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const tz = svc.config.TIMEZONE;

  const listPage = async (user: Parameters<typeof CsrfField>[0]['user'], values: Form, error?: string, flashNote?: ReturnType<typeof takeFlash>) => {
    const sessions = await listSessions(svc.db, { limit: 30 });
    const live = new Map<number, Awaited<ReturnType<typeof liveCounts>>>();
    for (const s of sessions) live.set(s.id, await liveCounts(svc.db, s));
    return html`<!DOCTYPE html>${(
      <Page title={m.title} nav="sessions" user={user} flash={flashNote}>
        <PageHead title={m.title} />
        <Panel title={m.create}>
          <CreateForm svc={svc} user={user} values={values} error={error} />
        </Panel>
        <Panel title={m.list}>
          <DataTable
            rows={sessions}
            empty={m.none}
            wrap
            head={
              <>
                <th>{m.id}</th>
                <th>{m.titleLabel}</th>
                <th>{m.when}</th>
                <th>{m.category}</th>
                <th>{m.mode}</th>
                <th>{m.statusCol}</th>
                <th class="num">{`${m.signedIn} / ${m.expected}`}</th>
                <th />
              </>
            }
            row={(s) => {
              const counts = live.get(s.id)!;
              return (
                <tr>
                  <td class="mono">{`#${s.id}`}</td>
                  <td class="strong">
                    <a href={`/admin/sessions/${s.id}`}>{s.title}</a>
                  </td>
                  <td class="nowrap small">{`${s.date} ${rangeText(s, 'checkin', tz)}`}</td>
                  <td class="small">{a.categoryHours(s.category, s.hours)}</td>
                  <td class="small">{m.modeShort[s.mode]}</td>
                  <td>
                    <PhaseBadge phase={sessionPhase(s, svc.clock.now())} />
                  </td>
                  <td class="num">{m.liveCount(counts.signedIn, counts.expected)}</td>
                  <td class="nowrap">
                    <a class="btn btn-small" href={`/admin/sessions/${s.id}`}>
                      {m.detail}
                    </a>
                  </td>
                </tr>
              );
            }}
          />
        </Panel>
      </Page>
    )}`;
  };

  admin.get('/sessions', async (c) => {
    const today = dateIn(svc.clock.now(), tz);
    return c.html(await listPage(c.get('user'), { date: today }, undefined, takeFlash(c)));
  });

  admin.post('/sessions', async (c) => {
    const user = c.get('user');
    const form = await formOf(c);
    const now = svc.clock.now();
    const draft = draftOf(form, dateIn(now, tz));
    if (!draft.ok) return c.html(await listPage(user, form, problemText(t, draft.problem)), 400);
    // One transaction: the session and its sign-in cards are written together (and, on SQLite, never inside an
    // event's transaction that happens to be open on the same connection).
    const created = await transaction(svc.db, async (tx) => {
      const outcome = await createSession(tx, draft.value, { now, timeZone: tz, createdBy: user.actor, presets: svc.presets, defaultPolicy: svc.config.DEFAULT_POLICY });
      if (!outcome.ok || outcome.session.mode !== 'button') return { outcome, cards: null };
      const session = outcome.session;
      return { outcome, cards: await sendSignInCards(tx, session, now, () => signInCard(t, session, tz)) };
    });
    if (!created.outcome.ok) return c.html(await listPage(user, form, problemText(t, created.outcome.problem)), 400);
    const session = created.outcome.session;
    let note = m.created(session.id);
    if (created.cards) {
      svc.onEnqueued?.();
      note += m.cards(created.cards.queued, created.cards.unbound.length);
    }
    flash(c, 'ok', note, svc.secureCookies);
    return c.redirect(`/admin/sessions/${session.id}`, 303);
  });

  admin.get('/sessions/:id/live.json', async (c) => {
    const session = await getSession(svc.db, Number(c.req.param('id')) || 0);
    if (!session) return c.json({ error: 'not found' }, 404);
    return c.json(await liveCounts(svc.db, session));
  });

  admin.get('/sessions/:id', async (c) => {
    const user = c.get('user');
    const session = await getSession(svc.db, Number(c.req.param('id')) || 0);
    if (!session) {
      flash(c, 'err', m.notFound, svc.secureCookies);
      return c.redirect('/admin/sessions', 303);
    }
    const report = await attendanceReport(svc.db, session);
    const checkout = hasCheckout(session);
    const projector = session.mode === 'button' ? null : projectorPath(session);
    const lines = report.lines.slice(0, 1000);
    const time = (d: Date | null) => (d ? (dateIn(d, tz) === session.date ? hhmmIn(d, tz) : dateTimeIn(d, tz)) : '');
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={session.title} nav="sessions" user={user} flash={takeFlash(c)}>
          <PageHead
            title={`#${session.id} ${session.title}`}
            sub={`${session.date} · ${m.window(rangeText(session, 'checkin', tz)!, rangeText(session, 'checkout', tz))} · ${a.categoryHours(session.category, session.hours)}`}
            crumbs={[{ href: '/admin/sessions', label: m.title }, { label: `#${session.id}` }]}
          >
            {projector ? (
              <a class="btn btn-primary" href={projector} target="_blank" rel="noopener">
                {m.projector}
              </a>
            ) : null}
            <a class="btn" href={`/admin/exports/attendance/${session.id}.csv`}>
              {m.exportCsv}
            </a>
            <a class="btn" href={`/admin/exports/attendance/${session.id}.xlsx`}>
              {m.exportXlsx}
            </a>
            {session.status === 'open' ? (
              <PostButton action={`/admin/sessions/${session.id}/close`} user={user} class="btn btn-danger" confirm={m.closeConfirm} label={m.close} />
            ) : null}
          </PageHead>
          <div class="grid grid-2-1" style="margin-bottom:18px">
            <div class="panel" data-live-url={`/admin/sessions/${session.id}/live.json`} data-live-every="3000">
              <div class="panel-head">
                <h2>{m.live}</h2>
                <PhaseBadge phase={sessionPhase(session, svc.clock.now())} />
              </div>
              <div class="bigstat">
                <div>
                  <div class="live-num">
                    <span data-live-key="signedIn">{report.signedIn}</span>
                    <span class="muted" style="font-size:20px">
                      {' / '}
                      <span data-live-key="expected">{report.expected}</span>
                    </span>
                  </div>
                  <div class="l">{`${m.signedIn} / ${m.expected}`}</div>
                </div>
                {checkout ? (
                  <div>
                    <div class="live-num" data-live-key="signedOut">
                      {report.signedOut}
                    </div>
                    <div class="l">{m.signedOut}</div>
                  </div>
                ) : null}
              </div>
              <div class="meter">
                <i data-live-width="signedIn/expected" style={`width:${report.expected ? Math.min(100, (report.signedIn / report.expected) * 100) : 0}%`} />
              </div>
            </div>
            <Panel title={m.projector}>
              {projector ? (
                <>
                  <p class="muted small">{m.projectorHint}</p>
                  <div class="code-box">{`${svc.baseUrl}${projector}`}</div>
                </>
              ) : (
                <p class="muted">{m.modes.button}</p>
              )}
              <dl class="kv" style="margin-top:12px">
                <dt>{m.audience}</dt>
                <dd>{t.sessions.audience(audienceOf(session))}</dd>
                <dt>{m.mode}</dt>
                <dd>
                  {m.modeShort[session.mode]}
                  {session.mode === 'static' && session.staticCode ? <span class="mono">{` ${session.staticCode}`}</span> : null}
                </dd>
              </dl>
            </Panel>
          </div>
          <Panel title={m.bySchool}>
            <DataTable
              rows={report.bySchool}
              head={
                <>
                  <th>{m.school}</th>
                  <th class="num">{m.expected}</th>
                  <th class="num">{m.signedIn}</th>
                  {checkout ? <th class="num">{m.signedOut}</th> : null}
                  <th class="num">{m.absent}</th>
                </>
              }
              row={(s) => (
                <tr>
                  <td class="strong">{s.school}</td>
                  <td class="num">{s.expected}</td>
                  <td class="num">{s.signedIn}</td>
                  {checkout ? <td class="num">{s.signedOut}</td> : null}
                  <td class="num" style={s.absent.length ? 'color:var(--behind)' : undefined}>
                    {s.absent.length}
                  </td>
                </tr>
              )}
            />
          </Panel>
          <Panel title={m.attendance}>
            <DataTable
              rows={lines}
              wrap
              head={
                <>
                  <th>{a.school.employeeNo}</th>
                  <th>{m.name}</th>
                  <th>{m.school}</th>
                  <th>{m.checkedIn}</th>
                  {checkout ? <th>{m.checkedOut}</th> : null}
                  <th>{m.statusCol}</th>
                </>
              }
              row={(l) => (
                <tr>
                  <td class="mono">{l.member.employeeNo}</td>
                  <td>{l.member.name}</td>
                  <td>{l.member.school}</td>
                  <td class="nowrap">{time(l.checkedInAt)}</td>
                  {checkout ? <td class="nowrap">{time(l.checkedOutAt)}</td> : null}
                  <td>
                    <span class={`badge ${l.checkedInAt ? (l.credit.state === 'cancelled' ? 'warn' : 'done') : ''}`}>{stateOf(l, checkout)}</span>
                  </td>
                </tr>
              )}
            />
          </Panel>
        </Page>
      )}`,
    );
  });

  admin.post('/sessions/:id/close', async (c) => {
    const session = await getSession(svc.db, Number(c.req.param('id')) || 0);
    if (!session) return c.redirect('/admin/sessions', 303);
    const now = svc.clock.now();
    const deps = { now, sendAt: dueNow(svc.clock), timeZone: svc.config.TIMEZONE };
    // Closed and its evaluation opened together (an event's transaction on the same connection waits its turn).
    const evaluation = await transaction(svc.db, async (tx) =>
      (await setSessionStatus(tx, session, 'closed', c.get('user').actor)) ? await openSessionEvaluation({ ...deps, db: tx }, session) : null,
    );
    if (evaluation) flash(c, 'ok', [m.closed, evaluationNote(evaluation)].filter(Boolean).join(' '), svc.secureCookies);
    return c.redirect(`/admin/sessions/${session.id}`, 303);
  });
}

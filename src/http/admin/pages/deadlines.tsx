/** @jsxImportSource hono/jsx */
/** Deadlines: create one; which schools filed, which did not, and a reminder to the ones that did not — now. */
import type { Hono } from 'hono';
import { transaction } from '../../../../db/statements.js';
import { html } from 'hono/html';
import type { ConsoleUser } from '../../../admin/auth.js';
import { createDeadlineFromForm, remindNow, type DeadlineFormErrors } from '../../../admin/deadlines.js';
import { dateIn, dateTimeIn } from '../../../time/zone.js';
import { formatDue } from '../../../deadlines/reminders.js';
import { DEFAULT_DUE_TIME } from '../../../deadlines/service.js';
import { DEFAULT_OFFSETS, DEFAULT_OVERDUE_EVERY_DAYS, daysLeft } from '../../../deadlines/slots.js';
import { MAX_TITLE_CHARS } from '../../../deadlines/parse.js';
import { exampleDate } from '../../../time/parse.js';
import { activeDeadlines, filingSchools, filingStatus, getDeadline, leadersBySchool, reachableSchools, type SchoolStatus } from '../../../deadlines/store.js';
import { a, flash, t, takeFlash, type AdminEnv, type AdminServices, type Flash } from '../context.js';
import { Alert, Choices, CsrfField, DataTable, Field, FormError, Panel, PostButton } from '../components.js';
import { Page, PageHead } from '../layout.js';
import { teacherNamer } from '../../../bot/teacher-names.js';

const m = a.deadlines;
const f = t.deadlines.form;

/** What the form shows again after a refusal: text fields as typed, the schools that were ticked. */
type FormValues = Record<string, string | string[]>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
const many = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []);

function CreateForm(props: { user: ConsoleUser; values: FormValues; errors: DeadlineFormErrors; schools: string[]; today: string; timeZone: string }) {
  const v = props.values;
  const e = props.errors;
  const audience = one(v.audience) || 'all';
  const invalid = (field: keyof DeadlineFormErrors) => (e[field] ? 'true' : undefined);
  return (
    <form method="post" action="/admin/deadlines" class="form">
      <CsrfField user={props.user} />
      <FormError error={Object.keys(e).length ? m.invalid : undefined} />
      <div class="form-row">
        <Field label={m.titleLabel} error={e.title} style="grid-column: span 2">
          <input type="text" name="title" value={one(v.title)} maxlength={MAX_TITLE_CHARS} placeholder={m.titlePlaceholder} required aria-invalid={invalid('title')} />
        </Field>
        <Field label={m.dueDate} hint={f.dateHint} error={e.date}>
          {/* Text, not type=date: the field takes what the chat takes (5月31日, 明天, 下周五, 月底 …). */}
          <input type="text" name="date" value={one(v.date)} placeholder={f.datePlaceholder(exampleDate(props.today))} maxlength={40} required aria-invalid={invalid('date')} />
        </Field>
        <Field label={m.dueTime} hint={m.dueTimeHint(props.timeZone, DEFAULT_DUE_TIME)} error={e.time}>
          <input type="text" name="time" value={one(v.time)} placeholder={f.timePlaceholder} maxlength={20} aria-invalid={invalid('time')} />
        </Field>
      </div>
      <Field label={m.audience} group error={e.audience ?? e.schools}>
        <Choices
          name="audience"
          options={[
            ['all', m.audienceAll(props.schools.length)],
            ['schools', m.audienceSchools],
          ]}
          checked={[audience]}
        />
        {props.schools.length ? (
          <Choices type="checkbox" name="schools" options={props.schools.map((s) => [s, s] as const)} checked={many(v.schools)} showWhen="audience=schools" />
        ) : (
          <span class="hint">{m.noSchoolsYet}</span>
        )}
      </Field>
      <Field label={m.offsets} hint={m.offsetsHint(DEFAULT_OVERDUE_EVERY_DAYS)} error={e.offsets}>
        <input type="text" name="offsets" value={v.offsets === undefined ? DEFAULT_OFFSETS.join(',') : one(v.offsets)} inputmode="numeric" aria-invalid={invalid('offsets')} />
      </Field>
      <div>
        <button class="btn btn-primary" type="submit">
          {m.submit}
        </button>
      </div>
    </form>
  );
}

export function mountDeadlines(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const tz = svc.config.TIMEZONE;

  const listPage = async (user: ConsoleUser, values: FormValues, errors: DeadlineFormErrors, note?: Flash | null) => {
    const now = svc.clock.now();
    const list = await activeDeadlines(svc.db, now);
    // The schools an "all schools" deadline addresses (the training office does not file to itself).
    const schools = await filingSchools(svc.db);
    const statuses = new Map<number, SchoolStatus[]>();
    for (const d of list) statuses.set(d.id, await filingStatus(svc.db, d, schools));
    return html`<!DOCTYPE html>${(
      <Page title={m.title} nav="deadlines" user={user} flash={note}>
        <PageHead title={m.title} sub={m.intro} />
        <Panel title={m.create}>
          <CreateForm user={user} values={values} errors={errors} schools={schools} today={dateIn(now, tz)} timeZone={tz} />
        </Panel>
        <Panel>
          <DataTable
            rows={list}
            empty={m.none}
            head={
              <>
                <th>{m.item}</th>
                <th>{m.due}</th>
                <th>{m.left}</th>
                <th>{m.filed}</th>
                <th style="width:28%" />
                <th />
              </>
            }
            row={(d) => {
              const rows = statuses.get(d.id)!;
              const filed = rows.filter((r) => r.filing).length;
              const days = daysLeft(d, now, tz);
              const pct = rows.length ? (filed / rows.length) * 100 : 0;
              return (
                <tr>
                  <td class="strong">
                    <a href={`/admin/deadlines/${d.id}`}>{d.title}</a>
                    <span class="sub">{` #${d.id}`}</span>
                  </td>
                  <td class="nowrap">{formatDue(d.dueAt, tz)}</td>
                  <td>
                    <span class={`badge ${days < 0 ? 'behind' : days <= 3 ? 'warn' : 'onPace'}`}>{t.deadlines.daysLeft(days)}</span>
                  </td>
                  <td class="num">{`${filed} / ${rows.length}`}</td>
                  <td>
                    <div class={`meter ${filed === rows.length ? 'done' : ''}`}>
                      <i style={`width:${pct.toFixed(1)}%`} />
                    </div>
                  </td>
                  <td>
                    <a class="btn btn-small" href={`/admin/deadlines/${d.id}`}>
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

  admin.get('/deadlines', async (c) => c.html(await listPage(c.get('user'), {}, {}, takeFlash(c))));

  admin.post('/deadlines', async (c) => {
    const user = c.get('user');
    const body = await c.req.parseBody({ all: true });
    const outcome = await transaction(svc.db, (tx) => createDeadlineFromForm(tx, { t, body, now: svc.clock.now(), timeZone: tz, actor: user.actor }));
    if (!outcome.ok) {
      const values: FormValues = {};
      for (const [k, v] of Object.entries(body)) {
        if (typeof v === 'string') values[k] = v;
        else if (Array.isArray(v)) values[k] = v.filter((x): x is string => typeof x === 'string');
      }
      return c.html(await listPage(user, values, outcome.errors), 400);
    }
    flash(c, 'ok', outcome.note, svc.secureCookies);
    return c.redirect('/admin/deadlines', 303);
  });

  admin.get('/deadlines/:id', async (c) => {
    const user = c.get('user');
    const deadline = await getDeadline(svc.db, Number(c.req.param('id')) || 0);
    if (!deadline) {
      flash(c, 'err', m.notFound, svc.secureCookies);
      return c.redirect('/admin/deadlines', 303);
    }
    const now = svc.clock.now();
    const rows = await filingStatus(svc.db, deadline);
    const leaders = await leadersBySchool(svc.db);
    const reachable = await reachableSchools(svc.db, leaders);
    const filed = rows.filter((r) => r.filing);
    const unfiled = rows.filter((r) => !r.filing);
    const days = daysLeft(deadline, now, tz);
    const nameOf = await teacherNamer(svc.db, t);
    const names = (school: string) => a.list((leaders.get(school) ?? []).map(nameOf)) || '—';
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={deadline.title} nav="deadlines" user={user} flash={takeFlash(c)}>
          <PageHead
            title={deadline.title}
            sub={`${m.due} ${formatDue(deadline.dueAt, tz)} · ${t.deadlines.daysLeft(days)} · ${m.filed} ${filed.length} / ${rows.length}`}
            crumbs={[{ href: '/admin/deadlines', label: m.title }, { label: `#${deadline.id}` }]}
          >
            {unfiled.length > 0 && !deadline.cancelledAt ? (
              <PostButton action={`/admin/deadlines/${deadline.id}/remind`} user={user} class="btn btn-primary" confirm={m.remindConfirm} label={m.remind} />
            ) : null}
          </PageHead>
          <div class="grid grid-2">
            <Panel title={a.counted(m.unfiledList, unfiled.length)}>
              {unfiled.length === 0 ? (
                <Alert kind="ok">{m.allFiled}</Alert>
              ) : (
                <DataTable
                  rows={unfiled}
                  head={
                    <>
                      <th>{m.school}</th>
                      <th>{m.leaders}</th>
                      <th>{m.reachable}</th>
                    </>
                  }
                  row={(r) => (
                    <tr>
                      <td class="strong">{r.school}</td>
                      <td class="small">{names(r.school)}</td>
                      <td>{reachable.has(r.school) ? <span class="badge done">✓</span> : <span class="badge warn" title={m.unreachable}>{m.unreachable}</span>}</td>
                    </tr>
                  )}
                />
              )}
            </Panel>
            <Panel title={a.counted(m.filedList, filed.length)}>
              <DataTable
                rows={filed}
                empty="—"
                head={
                  <>
                    <th>{m.school}</th>
                    <th>{m.filedAt}</th>
                  </>
                }
                row={(r) => (
                  <tr>
                    <td class="strong">{r.school}</td>
                    <td class="nowrap">{dateTimeIn(r.filing!.filedAt, tz)}</td>
                  </tr>
                )}
              />
            </Panel>
          </div>
        </Page>
      )}`,
    );
  });

  admin.post('/deadlines/:id/remind', async (c) => {
    const deadline = await getDeadline(svc.db, Number(c.req.param('id')) || 0);
    if (!deadline) return c.redirect('/admin/deadlines', 303);
    const r = await remindNow(svc.db, { t, presets: svc.presets, deadline, clock: svc.clock, timeZone: tz, actor: c.get('user').actor });
    if (r.messages > 0) svc.onEnqueued?.();
    flash(c, r.unfiled === 0 || r.schools > 0 ? 'ok' : 'err', r.unfiled === 0 ? m.nothingToRemind : m.reminded(r.messages, r.schools, r.unreachable.length), svc.secureCookies);
    return c.redirect(`/admin/deadlines/${deadline.id}`, 303);
  });
}

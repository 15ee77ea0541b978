/** @jsxImportSource hono/jsx */
/** Deadlines: which schools filed, which did not, and a reminder to the ones that did not — now. */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { remindNow } from '../../../admin/deadlines.js';
import { dateTimeIn } from '../../../clock.js';
import { formatDue } from '../../../deadlines/reminders.js';
import { daysLeft } from '../../../deadlines/slots.js';
import { activeDeadlines, filingStatus, getDeadline, leadersBySchool, listSchools, reachableSchools } from '../../../deadlines/store.js';
import { a, flash, t, takeFlash, type AdminEnv, type AdminServices } from '../context.js';
import { Alert, DataTable, Panel, PostButton } from '../components.js';
import { Page, PageHead } from '../layout.js';

const m = a.deadlines;

export function mountDeadlines(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const tz = svc.config.TIMEZONE;

  admin.get('/deadlines', (c) => {
    const user = c.get('user');
    const now = svc.clock.now();
    const list = activeDeadlines(svc.db, now);
    const schools = listSchools(svc.db);
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={m.title} nav="deadlines" user={user} flash={takeFlash(c)}>
          <PageHead title={m.title} sub={m.intro} />
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
                const rows = filingStatus(svc.db, d, schools);
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
      )}`,
    );
  });

  admin.get('/deadlines/:id', (c) => {
    const user = c.get('user');
    const deadline = getDeadline(svc.db, Number(c.req.param('id')) || 0);
    if (!deadline) {
      flash(c, 'err', m.notFound, svc.secureCookies);
      return c.redirect('/admin/deadlines', 303);
    }
    const now = svc.clock.now();
    const rows = filingStatus(svc.db, deadline);
    const leaders = leadersBySchool(svc.db);
    const reachable = reachableSchools(svc.db, leaders);
    const filed = rows.filter((r) => r.filing);
    const unfiled = rows.filter((r) => !r.filing);
    const days = daysLeft(deadline, now, tz);
    const names = (school: string) => (leaders.get(school) ?? []).map((l) => l.name).join('、') || '—';
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
            <Panel title={`${m.unfiledList}（${unfiled.length}）`}>
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
            <Panel title={`${m.filedList}（${filed.length}）`}>
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

  admin.post('/deadlines/:id/remind', (c) => {
    const deadline = getDeadline(svc.db, Number(c.req.param('id')) || 0);
    if (!deadline) return c.redirect('/admin/deadlines', 303);
    const r = remindNow(svc.db, { t, presets: svc.presets, deadline, clock: svc.clock, timeZone: tz, actor: c.get('user').actor });
    if (r.messages > 0) svc.onEnqueued?.();
    flash(c, r.unfiled === 0 || r.schools > 0 ? 'ok' : 'err', r.unfiled === 0 ? m.nothingToRemind : m.reminded(r.messages, r.schools, r.unreachable.length), svc.secureCookies);
    return c.redirect(`/admin/deadlines/${deadline.id}`, 303);
  });
}

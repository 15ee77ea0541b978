/** @jsxImportSource hono/jsx */
/** The compliance dashboard (/admin/): totals, charts, schools, owed minimums. */
import { html } from 'hono/html';
import type { Hono } from 'hono';
import { behindShare, overview, type Filter } from '../../../admin/compliance/overview.js';
import { ProgressHistogram, SchoolBars, StatusRing } from '../charts.js';
import { a, takeFlash, type AdminEnv, type AdminServices } from '../context.js';
import { Alert, DataTable, Field, Panel, Stat } from '../components.js';
import { Legend, Page, PageHead, Pager, SortTh, StackBar } from '../layout.js';
import { asOfChoice, withAsOf } from '../as-of.js';
import { AsOfNote, Building, CHART_ROWS, Kpis, OwedTable, PAGE_SIZE, dirOf, schoolHref, schoolList, schoolSorters } from './compliance-parts.js';
import { mountSchool } from './school.js';
import { mountTeacher } from './teacher.js';

/** The compliance pages: the dashboard, a school's teachers, one teacher. */
export function mountCompliance(admin: Hono<AdminEnv>, svc: AdminServices): void {
  mountDashboard(admin, svc);
  mountSchool(admin, svc);
  mountTeacher(admin, svc);
}

function mountDashboard(admin: Hono<AdminEnv>, svc: AdminServices): void {
  admin.get('/', async (c) => {
    const user = c.get('user');
    const q = c.req.query();
    const filter: Filter = { school: q.school || null, policyId: q.policy && svc.presets.has(q.policy) ? q.policy : null };
    const today = svc.cache.today();
    const choice = asOfChoice(c, today);
    const read = await svc.cache.readAt(choice.asOf);
    const flashNote = takeFlash(c);
    if (!read.snapshot) {
      return c.html(
        html`<!DOCTYPE html>${(
          <Page title={a.dashboard.title} nav="dashboard" user={user} flash={flashNote} refreshSeconds={2}>
            <PageHead title={a.dashboard.title} />
            <AsOfNote choice={choice} todayHref="/admin" />
            <Building svc={svc} />
          </Page>
        )}`,
      );
    }
    const snapshot = read.snapshot;
    const o = overview(snapshot, filter);
    const sort = q.sort && schoolSorters[q.sort] ? q.sort : 'rate';
    const dir = dirOf(q.dir, sort === 'school' ? 'asc' : 'desc');
    const sorted = [...o.schools].sort((x, y) => (dir === 'asc' ? 1 : -1) * schoolSorters[sort](x, y) || x.school.localeCompare(y.school, 'zh-CN'));
    const worst = [...o.schools]
      .filter((s) => s.teachers - s.none > 0)
      .sort((x, y) => behindShare(y) - behindShare(x) || y.behind - x.behind)
      .slice(0, CHART_ROWS);
    const pages = Math.max(1, Math.ceil(sorted.length / PAGE_SIZE));
    const page = Math.min(pages, Math.max(1, Number(q.page) || 1));
    const rows = sorted.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const base = new URLSearchParams();
    if (filter.school) base.set('school', filter.school);
    if (filter.policyId) base.set('policy', filter.policyId);
    if (choice.past) base.set('asOf', choice.asOf);
    const sortBase = new URLSearchParams(base);
    sortBase.set('sort', sort);
    sortBase.set('dir', dir);
    const topLabels = o.labels.slice(0, 3);
    const allSchools = schoolList(snapshot);
    const th = (label: string, key: string, num = true) => <SortTh label={label} sortKey={key} sort={sort} dir={dir} base={base} path="/admin" num={num} />;

    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={a.dashboard.title} nav="dashboard" user={user} flash={flashNote} refreshSeconds={read.stale ? 5 : undefined}>
          <PageHead title={a.dashboard.title} sub={a.dashboard.subtitle(snapshot.asOf)}>
            <form method="get" action="/admin" class="inline-form">
              <Field label={a.dashboard.filterSchool}>
                <select name="school">
                  <option value="">{a.dashboard.allSchools}</option>
                  {allSchools.map((s) => (
                    <option value={s} selected={s === filter.school}>
                      {s}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={a.dashboard.filterPolicy}>
                <select name="policy">
                  <option value="">{a.dashboard.allPolicies}</option>
                  {[...svc.presets.values()].map((p) => (
                    <option value={p.id} selected={p.id === filter.policyId}>
                      {p.name}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label={a.dashboard.asOfLabel}>
                <input type="date" name="asOf" value={snapshot.asOf} max={today} />
              </Field>
              <button class="btn btn-primary" type="submit">
                {a.dashboard.apply}
              </button>
              {filter.school || filter.policyId || choice.past ? (
                <a class="btn" href="/admin">
                  {a.dashboard.clear}
                </a>
              ) : null}
            </form>
          </PageHead>
          <AsOfNote choice={choice} todayHref="/admin" />
          {read.stale && !choice.past ? <Alert kind="info">{a.dashboard.stale(snapshot.asOf)}</Alert> : null}
          {o.total.teachers === 0 && !filter.school && !filter.policyId ? <Alert kind="info">{a.dashboard.noData}</Alert> : null}
          <Kpis tally={o.total} foot={a.dashboard.schoolsCount(o.schools.length)} />
          <div class="grid grid-2-1" style="margin-bottom:18px">
            <Panel title={a.dashboard.bySchoolChart} head={<Legend />}>
              {worst.length ? <SchoolBars schools={worst} link={(school) => withAsOf(schoolHref(school), choice)} /> : <div class="empty">—</div>}
              <div class="note small muted" style="margin-top:6px">
                {a.dashboard.bySchoolChartNote(worst.length, o.schools.length)}
              </div>
            </Panel>
            <Panel title={a.dashboard.histogram}>
              <ProgressHistogram buckets={o.histogram} />
              <div class="small muted">{a.dashboard.histogramNote}</div>
            </Panel>
          </div>
          <div class="grid grid-2-1" style="margin-bottom:18px">
            <Panel title={a.dashboard.owedTitle}>
              <OwedTable owed={o.total.owed} labels={o.labels} />
            </Panel>
            <Panel class="ring-panel">
              <div class="ring">
                <StatusRing done={o.total.done} onPace={o.total.onPace} behind={o.total.behind} none={o.total.none} />
              </div>
              <div>
                <div class="bigstat">
                  <Stat label={a.dashboard.schoolsLabel} value={a.int(o.schools.length)} />
                  <Stat label={a.dashboard.halfBehind} value={a.int(o.total.farBehind)} colour="var(--behind)" />
                </div>
                <div class="small muted" style="margin:-8px 0 12px">{a.dashboard.halfBehindNote}</div>
                <Legend />
              </div>
            </Panel>
          </div>
          <Panel title={a.dashboard.schoolsTitle} head={<span class="note">{a.dashboard.pageOf(page, pages, sorted.length)}</span>}>
            <DataTable
              rows={rows}
              wrap
              head={
                <>
                  {th(a.dashboard.school, 'school', false)}
                  {th(a.dashboard.total, 'teachers')}
                  {th(a.status.behind, 'behind')}
                  {th(a.status.onPace, 'onPace')}
                  {th(a.status.done, 'done')}
                  {th(a.dashboard.behindRate, 'rate')}
                  <th>{a.dashboard.split}</th>
                  {topLabels.map((l) => (
                    <th class="num">{a.dashboard.owedColumn(l)}</th>
                  ))}
                </>
              }
              row={(s) => (
                <tr>
                  <td class="strong">
                    <a href={withAsOf(schoolHref(s.school), choice)}>{s.school}</a>
                  </td>
                  <td class="num">{a.int(s.teachers)}</td>
                  <td class="num" style="color:var(--behind)">
                    {a.int(s.behind)}
                  </td>
                  <td class="num">{a.int(s.onPace)}</td>
                  <td class="num">{a.int(s.done)}</td>
                  <td class="num strong">{a.pct(s.behind, s.teachers - s.none)}</td>
                  <td>
                    <StackBar done={s.done} onPace={s.onPace} behind={s.behind} none={s.none} />
                  </td>
                  {topLabels.map((l) => {
                    const owed = s.owed.get(l);
                    return (
                      <td class="num" title={owed ? a.hoursText(owed.hours) : undefined}>
                        {owed ? a.people(owed.teachers) : <span class="faint">—</span>}
                      </td>
                    );
                  })}
                </tr>
              )}
            />
            {pages > 1 ? <Pager page={page} pages={pages} text={a.dashboard.pageOf(page, pages, sorted.length)} base={sortBase} path="/admin" /> : null}
          </Panel>
        </Page>
      )}`,
    );
  });
}

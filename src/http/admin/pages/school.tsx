/** @jsxImportSource hono/jsx */
/** One school's teachers and their standing (/admin/schools/:school). */
import { html } from 'hono/html';
import type { Hono } from 'hono';
import { standingsOfSchool } from '../../../admin/compliance/overview.js';
import type { ComplianceStatus, TeacherStanding } from '../../../admin/compliance/model.js';
import { boundTeacherCount, schoolRosterRows } from '../../../ledger/store.js';
import { StatusRing } from '../charts.js';
import { a, takeFlash, type AdminEnv, type AdminServices } from '../context.js';
import { DataTable, Panel } from '../components.js';
import { Legend, Meter, Page, PageHead, SortTh, StatusBadge, hrs } from '../layout.js';
import { asOfChoice, withAsOf } from '../as-of.js';
import { AsOfNote, Kpis, OwedTable, dirOf, schoolHref, teacherSorters } from './compliance-parts.js';

export function mountSchool(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const policyName = (id: string) => svc.presets.get(id)?.name ?? id;

  admin.get('/schools/:school', async (c) => {
    const user = c.get('user');
    const school = c.req.param('school');
    const q = c.req.query();
    const choice = asOfChoice(c, svc.cache.today());
    const read = await svc.cache.readAt(choice.asOf);
    if (!read.snapshot) return c.redirect(withAsOf('/admin', choice), 303);
    const roster = new Map((await schoolRosterRows(svc.db, school)).map((r) => [r[0], r]));
    if (roster.size === 0) {
      return c.html(
        html`<!DOCTYPE html>${(
          <Page title={school} nav="dashboard" user={user}>
            <PageHead title={school} crumbs={[{ href: '/admin', label: a.dashboard.title }, { label: school }]} />
            <div class="panel empty">{a.school.notFound}</div>
          </Page>
        )}`,
        404,
      );
    }
    const all = standingsOfSchool(read.snapshot, school).filter((s) => roster.has(s.id));
    const boundCount = await boundTeacherCount(svc.db, school);
    const tally = { teachers: all.length, done: 0, onPace: 0, behind: 0, none: 0 };
    for (const s of all) tally[s.status]++;
    const status = (['behind', 'onPace', 'done', 'none'] as const).includes(q.status as ComplianceStatus) ? (q.status as ComplianceStatus) : null;
    const sort = q.sort && teacherSorters[q.sort] ? q.sort : 'status';
    const dir = dirOf(q.dir, sort === 'no' || sort === 'name' || sort === 'status' ? 'asc' : 'desc');
    const no = (s: TeacherStanding) => roster.get(s.id)![1];
    const name = (s: TeacherStanding) => roster.get(s.id)![2];
    const rows = all
      .filter((s) => !status || s.status === status)
      .sort((x, y) => (dir === 'asc' ? 1 : -1) * teacherSorters[sort](x, y, { no, name }) || no(x).localeCompare(no(y)));
    const path = schoolHref(school);
    const base = new URLSearchParams();
    if (status) base.set('status', status);
    if (choice.past) base.set('asOf', choice.asOf);
    const owedTotals = new Map<string, { teachers: number; hours: number }>();
    for (const s of all) {
      for (const [label, hours] of Object.entries(s.owed ?? {})) {
        const o = owedTotals.get(label) ?? { teachers: 0, hours: 0 };
        o.teachers++;
        o.hours += hours;
        owedTotals.set(label, o);
      }
    }
    const labels = [...owedTotals.entries()].sort((x, y) => y[1].hours - x[1].hours).map(([l]) => l);
    const th = (label: string, key: string, num = false) => <SortTh label={label} sortKey={key} sort={sort} dir={dir} base={base} path={path} num={num} />;
    const tab = (key: ComplianceStatus | null, label: string, n: number) => {
      const qs = new URLSearchParams();
      if (key) qs.set('status', key);
      if (choice.past) qs.set('asOf', choice.asOf);
      return (
        <a class={`btn btn-small${status === key ? ' btn-primary' : ''}`} href={`${path}${qs.size ? `?${qs}` : ''}`}>
          {`${label} ${n}`}
        </a>
      );
    };

    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={school} nav="dashboard" user={user} flash={takeFlash(c)}>
          <PageHead
            title={a.school.title(school)}
            sub={a.dashboard.subtitle(read.snapshot.asOf)}
            crumbs={[{ href: '/admin', label: a.dashboard.title }, { label: school }]}
          >
            <a class="btn" href={withAsOf(`/admin/exports/overdue.xlsx?school=${encodeURIComponent(school)}`, choice)}>
              {a.school.exportBehind}
            </a>
          </PageHead>
          <AsOfNote choice={choice} todayHref={path} />
          <Kpis tally={tally} foot={a.school.bound(boundCount)} />
          <div class="grid grid-2-1" style="margin-bottom:18px">
            <Panel title={a.dashboard.owedTitle}>
              <OwedTable owed={owedTotals} labels={labels} />
            </Panel>
            <Panel class="ring-panel">
              <div class="ring">
                <StatusRing {...tally} />
              </div>
              <Legend />
            </Panel>
          </div>
          <Panel
            head={
              <div class="actions">
                {tab(null, a.school.all, tally.teachers)}
                {tab('behind', a.status.behind, tally.behind)}
                {tab('onPace', a.status.onPace, tally.onPace)}
                {tab('done', a.status.done, tally.done)}
                {tab('none', a.status.none, tally.none)}
              </div>
            }
          >
            <DataTable
              rows={rows}
              empty={a.school.empty}
              wrap
              head={
                <>
                  {th(a.school.employeeNo, 'no')}
                  {th(a.school.name, 'name')}
                  <th>{a.school.position}</th>
                  <th>{a.school.policy}</th>
                  {th(a.school.statusCol, 'status')}
                  {th(a.school.earned, 'earned', true)}
                  <th class="num">{a.school.required}</th>
                  {th(a.school.expected, 'gap', true)}
                  {th(a.school.progress, 'progress', true)}
                  <th>{a.school.owed}</th>
                </>
              }
              row={(s) => {
                const r = roster.get(s.id)!;
                return (
                  <tr>
                    <td class="mono">{r[1]}</td>
                    <td class="strong">
                      <a href={withAsOf(`/admin/teachers/${s.id}`, choice)}>{r[2]}</a>
                    </td>
                    <td>
                      {r[3]}
                      {r[4] ? <span class="sub">{a.school.homeroomTag}</span> : null}
                    </td>
                    <td class="small">{policyName(s.policyId)}</td>
                    <td>
                      <StatusBadge status={s.status} />
                    </td>
                    <td class="num">{hrs(s.earned)}</td>
                    <td class="num">{s.required === null ? <span class="faint">—</span> : hrs(s.required)}</td>
                    <td class="num">{s.expected === null ? <span class="faint">—</span> : hrs(s.expected)}</td>
                    <td style="min-width:130px">
                      <Meter value={s.progress} status={s.status} />
                    </td>
                    <td class="small">
                      {s.owed
                        ? Object.entries(s.owed).map(([label, h]) => (
                            <div>
                              {label} <span class="strong">{hrs(h)}</span>
                            </div>
                          ))
                        : <span class="faint">—</span>}
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
}

/** @jsxImportSource hono/jsx */
/** Compliance dashboard, a school's teachers, one teacher. */
import { html } from 'hono/html';
import type { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import { accounts } from '../../../../db/schema.js';
import { behindShare, overview, standingsOfSchool, type Filter, type SchoolTally } from '../../../admin/compliance/overview.js';
import { standingOf, type ComplianceStatus, type Snapshot, type TeacherStanding } from '../../../admin/compliance/model.js';
import { hoursSummary, recentRecords } from '../../../ledger/summary.js';
import { findTeacherById, rolesOf } from '../../../ledger/teachers.js';
import { ProgressHistogram, SchoolBars, StatusRing } from '../charts.js';
import { a, t, takeFlash, type AdminEnv, type AdminServices } from '../context.js';
import { recordHref } from './records.js';
import { Alert, DataTable, Field, Panel, Stat } from '../components.js';
import { Legend, Meter, Page, PageHead, Pager, SortTh, StackBar, StatusBadge, hrs } from '../layout.js';
import { asOfChoice, withAsOf, type AsOfChoice } from '../as-of.js';

const PAGE_SIZE = 50;
const CHART_ROWS = 12;

export const schoolHref = (school: string) => `/admin/schools/${encodeURIComponent(school)}`;

type Dir = 'asc' | 'desc';
const dirOf = (v: string | undefined, fallback: Dir): Dir => (v === 'asc' || v === 'desc' ? v : fallback);

function Building(props: { svc: AdminServices }) {
  const p = props.svc.cache.progress;
  const pct = p && p.total > 0 ? Math.min(99, Math.round((p.done / p.total) * 100)) : 0;
  return (
    <div class="panel">
      <h2>{a.dashboard.building}</h2>
      <p class="muted" style="margin-top:8px">{a.dashboard.buildingProgress(p?.phase ?? 'records', pct)}</p>
      <div class="meter" style="max-width:420px">
        <i style={`width:${pct}%`} />
      </div>
    </div>
  );
}

/** Says which date the figures are for when it is not today, or why the asked date was not used. */
function AsOfNote(props: { choice: AsOfChoice; todayHref: string }) {
  if (props.choice.problem) return <Alert kind="err">{props.choice.problem}</Alert>;
  if (!props.choice.past) return null;
  return (
    <Alert kind="info">
      {a.dashboard.asOfPast(props.choice.asOf)}{' '}
      <a href={props.todayHref}>{a.dashboard.asOfToday}</a>
    </Alert>
  );
}

function Kpis(props: { tally: { teachers: number; done: number; onPace: number; behind: number; none: number }; foot?: string }) {
  const s = props.tally;
  const counted = s.teachers - s.none;
  return (
    <div class="kpis">
      <div class="kpi">
        <div class="label">{a.dashboard.teachers}</div>
        <div class="value">{a.int(s.teachers)}</div>
        <div class="foot">{props.foot ?? a.dashboard.noneCount(s.none)}</div>
      </div>
      {(['behind', 'onPace', 'done'] as const).map((k) => (
        <div class={`kpi ${k}`}>
          <div class="label">
            <i class={`dot ${k}`} />
            {a.status[k]}
          </div>
          <div class="value">{a.int(s[k])}</div>
          <div class="foot">{a.dashboard.share(s[k], counted)}</div>
        </div>
      ))}
      <div class="kpi none">
        <div class="label">
          <i class="dot none" />
          {a.status.none}
        </div>
        <div class="value">{a.int(s.none)}</div>
        <div class="foot">{a.dashboard.share(s.none, s.teachers)}</div>
      </div>
    </div>
  );
}

function OwedTable(props: { owed: Map<string, { teachers: number; hours: number }>; labels: string[] }) {
  if (props.labels.length === 0) return <p class="muted">{a.dashboard.owedNone}</p>;
  return (
    <DataTable
      rows={props.labels}
      head={
        <>
          <th>{a.dashboard.owedLabel}</th>
          <th class="num">{a.dashboard.owedTeachers}</th>
          <th class="num">{a.dashboard.owedHours}</th>
          <th class="num">{a.dashboard.owedAvg}</th>
        </>
      }
      row={(label) => {
        const o = props.owed.get(label)!;
        return (
          <tr>
            <td class="strong">{label}</td>
            <td class="num">{a.int(o.teachers)}</td>
            <td class="num">{hrs(o.hours)}</td>
            <td class="num">{hrs(o.teachers ? o.hours / o.teachers : 0)}</td>
          </tr>
        );
      }}
    />
  );
}

const schoolSorters: Record<string, (x: SchoolTally, y: SchoolTally) => number> = {
  school: (x, y) => x.school.localeCompare(y.school, 'zh-CN'),
  teachers: (x, y) => x.teachers - y.teachers,
  done: (x, y) => x.done - y.done,
  onPace: (x, y) => x.onPace - y.onPace,
  behind: (x, y) => x.behind - y.behind,
  rate: (x, y) => behindShare(x) - behindShare(y) || x.behind - y.behind,
};

export function mountCompliance(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const policyName = (id: string) => svc.presets.get(id)?.name ?? id;

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

  admin.get('/schools/:school', async (c) => {
    const user = c.get('user');
    const school = c.req.param('school');
    const q = c.req.query();
    const choice = asOfChoice(c, svc.cache.today());
    const read = await svc.cache.readAt(choice.asOf);
    if (!read.snapshot) return c.redirect(withAsOf('/admin', choice), 303);
    const roster = new Map(
      (
        svc.db.$client.prepare('SELECT id, employee_no, name, position, homeroom FROM teachers WHERE school = ?').raw().all(school) as [number, string, string, string, number][]
      ).map((r) => [r[0], r]),
    );
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
    const boundCount = Number(
      svc.db.$client
        .prepare('SELECT count(DISTINCT a.teacher_id) FROM accounts a JOIN teachers t ON t.id = a.teacher_id WHERE t.school = ?')
        .pluck()
        .get(school),
    );
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

  admin.get('/teachers/:id', (c) => {
    const user = c.get('user');
    const id = Number(c.req.param('id'));
    const teacher = Number.isInteger(id) ? findTeacherById(svc.db, id) : null;
    if (!teacher) {
      return c.html(
        html`<!DOCTYPE html>${(
          <Page title={a.teacher.notFound} nav="dashboard" user={user}>
            <div class="panel empty">{a.teacher.notFound}</div>
          </Page>
        )}`,
        404,
      );
    }
    const choice = asOfChoice(c, svc.cache.today());
    const asOf = choice.asOf;
    const preset = svc.presets.get(teacher.policyId);
    const summary = preset ? hoursSummary(svc.db, svc.presets, teacher, asOf) : null;
    // On a past date, records dated after it did not exist yet.
    const records = recentRecords(svc.db, teacher.id, 200).filter((r) => r.date <= asOf);
    const roleNames = [...rolesOf(svc.db, teacher)].map((r) => t.whoami.roleNames[r] ?? r).join('、');
    const bound = svc.db.select().from(accounts).where(eq(accounts.teacherId, teacher.id)).all();
    const m = a.teacher;
    const yn = (v: boolean | null) => (v === null ? m.unknown : v ? m.yes : m.no);
    // The same standing the dashboard computes, for the same date.
    const standing = summary ? standingOf(teacher, summary) : null;

    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={teacher.name} nav="dashboard" user={user} flash={takeFlash(c)}>
          <PageHead
            title={`${teacher.name}`}
            sub={`${teacher.employeeNo} · ${teacher.school}`}
            crumbs={[{ href: withAsOf('/admin', choice), label: a.dashboard.title }, { href: withAsOf(schoolHref(teacher.school), choice), label: teacher.school }, { label: teacher.name }]}
          >
            {standing ? <StatusBadge status={standing.status} /> : null}
          </PageHead>
          <AsOfNote choice={choice} todayHref={`/admin/teachers/${teacher.id}`} />
          <div class="grid grid-2-1" style="margin-bottom:18px">
            <Panel title={m.cycle} head={<span class="note">{summary?.cycleStart && summary.cycleEnd ? m.cycleRange(summary.cycleStart, summary.cycleEnd, summary.cycleInferred) : m.noCycle}</span>}>
              {summary ? (
                <>
                  <div class="bigstat">
                    <Stat label={m.earned} value={hrs(summary.earned)} />
                    <Stat label={m.required} value={summary.required === null ? '—' : hrs(summary.required)} />
                    <Stat label={m.remaining} value={summary.remaining === null ? '—' : hrs(summary.remaining)} colour={summary.remaining ? 'var(--behind)' : 'var(--done)'} />
                    <Stat
                      label={summary.pace && summary.pace.since !== summary.cycleStart ? m.expectedSince(summary.pace.since) : m.expected}
                      value={summary.pace ? hrs(summary.pace.expected) : '—'}
                    />
                  </div>
                  {standing && standing.progress !== null ? (
                    <div style="margin-top:10px">
                      <div class="small muted">{a.school.progress}</div>
                      <Meter value={standing.progress} status={standing.status} />
                    </div>
                  ) : null}
                  <h3 style="margin:18px 0 8px">{m.obligations}</h3>
                  {summary.obligations.length === 0 ? (
                    <p class="muted">{m.noObligations}</p>
                  ) : (
                    <DataTable
                      rows={summary.obligations}
                      head={
                        <>
                          <th>{m.obligation}</th>
                          <th>{m.window}</th>
                          <th class="num">{m.required}</th>
                          <th class="num">{m.earned}</th>
                          <th class="num">{m.owed}</th>
                          <th>{m.source}</th>
                        </>
                      }
                      row={(o) => (
                        <tr>
                          <td class="strong">
                            {o.label}
                            {o.inferred ? <span class="badge warn" style="margin-left:6px">{m.inferred}</span> : null}
                          </td>
                          <td class="small nowrap">{a.range(o.windowStart, o.windowEnd)}</td>
                          <td class="num">{hrs(o.required)}</td>
                          <td class="num">{hrs(o.earned)}</td>
                          <td class="num">{o.owed > 0 ? <span class="badge behind">{hrs(o.owed)}</span> : <span class="badge done">0</span>}</td>
                          <td class="quote">{`「${o.source.quote}」`}</td>
                        </tr>
                      )}
                    />
                  )}
                  {summary.notes.length ? (
                    <div style="margin-top:12px">
                      <h3 style="margin-bottom:6px">{m.notes}</h3>
                      {summary.notes.map((n) => (
                        <div class="small muted">{`· ${n}`}</div>
                      ))}
                    </div>
                  ) : null}
                </>
              ) : (
                <p class="muted">{t.errors.presetMissing(teacher.policyId)}</p>
              )}
            </Panel>
            <Panel title={m.profile}>
              <dl class="kv">
                <dt>{m.employeeNo}</dt>
                <dd class="mono">{teacher.employeeNo}</dd>
                <dt>{m.school}</dt>
                <dd>
                  <a href={schoolHref(teacher.school)}>{teacher.school}</a>
                </dd>
                <dt>{m.position}</dt>
                <dd>{teacher.position}</dd>
                <dt>{m.homeroom}</dt>
                <dd>{teacher.homeroom ? m.yes : m.no}</dd>
                <dt>{m.hireDate}</dt>
                <dd>{teacher.hireDate ?? m.unknown}</dd>
                <dt>{m.normalGraduate}</dt>
                <dd>{yn(teacher.normalGraduate)}</dd>
                <dt>{m.policy}</dt>
                <dd>{policyName(teacher.policyId)}</dd>
                <dt>{m.tier}</dt>
                <dd>{summary?.tier?.label ?? m.none}</dd>
                <dt>{m.roles}</dt>
                <dd>{roleNames}</dd>
                <dt>{m.accounts}</dt>
                <dd>{bound.length ? bound.map((b) => t.words.audit.bound[b.platform] ?? b.platform).join('、') : t.words.audit.unbound}</dd>
              </dl>
            </Panel>
          </div>
          <Panel title={m.records} head={<span class="note">{m.recordsNote(records.length)}</span>}>
            <DataTable
              rows={records}
              empty={m.noRecords}
              wrap
              head={
                <>
                  <th>{m.date}</th>
                  <th>{m.category}</th>
                  <th class="num">{m.hoursCol}</th>
                  <th>{m.project}</th>
                  <th>{m.key}</th>
                </>
              }
              row={(r) => (
                <tr>
                  <td class="nowrap">{r.date}</td>
                  <td>{r.category}</td>
                  <td class="num">{hrs(r.hours)}</td>
                  <td>{r.project}</td>
                  <td class="mono small">
                    {/* Officers correct or revoke a record from its own page (records.tsx). */}
                    <a href={recordHref(r.recordKey)} title={t.corrections.console.manage}>
                      {r.recordKey}
                    </a>
                  </td>
                </tr>
              )}
            />
          </Panel>
        </Page>
      )}`,
    );
  });
}

const STATUS_ORDER: Record<ComplianceStatus, number> = { behind: 0, onPace: 1, done: 2, none: 3 };

const teacherSorters: Record<
  string,
  (x: TeacherStanding, y: TeacherStanding, f: { no: (s: TeacherStanding) => string; name: (s: TeacherStanding) => string }) => number
> = {
  no: (x, y, f) => f.no(x).localeCompare(f.no(y)),
  name: (x, y, f) => f.name(x).localeCompare(f.name(y), 'zh-CN'),
  status: (x, y) => STATUS_ORDER[x.status] - STATUS_ORDER[y.status] || (x.progress ?? 9) - (y.progress ?? 9),
  earned: (x, y) => x.earned - y.earned,
  progress: (x, y) => (x.progress ?? -1) - (y.progress ?? -1),
  gap: (x, y) => (x.expected ?? 0) - x.earned - ((y.expected ?? 0) - y.earned),
};

/** Every school in the snapshot, sorted (for the filter). Cached per snapshot. */
const schoolLists = new WeakMap<Snapshot, { size: number; list: string[] }>();
function schoolList(snapshot: Snapshot): string[] {
  const cached = schoolLists.get(snapshot);
  if (cached && cached.size === snapshot.teachers.size) return cached.list;
  const set = new Set<string>();
  for (const s of snapshot.teachers.values()) set.add(s.school);
  const list = [...set].sort((x, y) => x.localeCompare(y, 'zh-CN'));
  schoolLists.set(snapshot, { size: snapshot.teachers.size, list });
  return list;
}

/** @jsxImportSource hono/jsx */
/** What the compliance pages share: the building banner, the as-of note, the KPI row, the owed table, sorting. */
import { behindShare, type SchoolTally } from '../../../admin/compliance/overview.js';
import type { ComplianceStatus, Snapshot, TeacherStanding } from '../../../admin/compliance/model.js';
import { a, type AdminServices } from '../context.js';
import { Alert, DataTable } from '../components.js';
import { hrs } from '../layout.js';
import type { AsOfChoice } from '../as-of.js';

export const PAGE_SIZE = 50;
export const CHART_ROWS = 12;

export const schoolHref = (school: string) => `/admin/schools/${encodeURIComponent(school)}`;

export type Dir = 'asc' | 'desc';
export const dirOf = (v: string | undefined, fallback: Dir): Dir => (v === 'asc' || v === 'desc' ? v : fallback);

export function Building(props: { svc: AdminServices }) {
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
export function AsOfNote(props: { choice: AsOfChoice; todayHref: string }) {
  if (props.choice.problem) return <Alert kind="err">{props.choice.problem}</Alert>;
  if (!props.choice.past) return null;
  return (
    <Alert kind="info">
      {a.dashboard.asOfPast(props.choice.asOf)}{' '}
      <a href={props.todayHref}>{a.dashboard.asOfToday}</a>
    </Alert>
  );
}

export function Kpis(props: { tally: { teachers: number; done: number; onPace: number; behind: number; none: number }; foot?: string }) {
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

export function OwedTable(props: { owed: Map<string, { teachers: number; hours: number }>; labels: string[] }) {
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

export const schoolSorters: Record<string, (x: SchoolTally, y: SchoolTally) => number> = {
  school: (x, y) => x.school.localeCompare(y.school, 'zh-CN'),
  teachers: (x, y) => x.teachers - y.teachers,
  done: (x, y) => x.done - y.done,
  onPace: (x, y) => x.onPace - y.onPace,
  behind: (x, y) => x.behind - y.behind,
  rate: (x, y) => behindShare(x) - behindShare(y) || x.behind - y.behind,
};

export const STATUS_ORDER: Record<ComplianceStatus, number> = { behind: 0, onPace: 1, done: 2, none: 3 };

export const teacherSorters: Record<
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
export function schoolList(snapshot: Snapshot): string[] {
  const cached = schoolLists.get(snapshot);
  if (cached && cached.size === snapshot.teachers.size) return cached.list;
  const set = new Set<string>();
  for (const s of snapshot.teachers.values()) set.add(s.school);
  const list = [...set].sort((x, y) => x.localeCompare(y, 'zh-CN'));
  schoolLists.set(snapshot, { size: snapshot.teachers.size, list });
  return list;
}

/**
 * The audit log as a person reads it: who (a name, not an account id), what (a Chinese action name), when
 * (local time) and the details with Chinese field names, teachers by name and times in TIMEZONE.
 */
import type { Db } from '../../db/client.js';
import type { Messages } from '../bot/i18n/index.js';
import { roleLabel } from '../bot/i18n/zh-CN.roles.js';
import { teacherNamer } from '../bot/teacher-names.js';
import { dateTimeIn } from '../time/zone.js';
import { accountsByAccountIds, deadlineTitlesByIds, peopleByEmployeeNos, peopleByIds, sessionTitlesByIds, type AuditRow } from './store.js';

export interface AuditView {
  when: string;
  actor: string;
  action: string;
  details: [string, string][];
}

type Detail = Record<string, unknown>;

function parse(json: string): Detail {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Detail) : { detail: json };
  } catch {
    return { detail: json };
  }
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const TIME_KEYS = new Set(['expiresAt', 'dueAt', 'until', 'at', 'filedAt']);

export async function auditViews(db: Db, rows: readonly AuditRow[], t: Messages, timeZone: string): Promise<AuditView[]> {
  const m = t.words.audit;
  const details = rows.map((r) => parse(r.detail));
  const nameOf = await teacherNamer(db, t);

  // Everything the page names, in a few queries.
  const teacherIds = new Set<number>();
  const employeeNos = new Set<string>();
  const accountKeys: { platform: string; accountId: string }[] = [];
  for (const r of rows) {
    const [kind, ...rest] = r.actor.split(':');
    const id = rest.join(':');
    if (kind === 'teacher' && /^\d+$/.test(id)) teacherIds.add(Number(id));
    else if (kind === 'admin' && id) employeeNos.add(id);
    else if (m.platforms[kind] && kind !== 'cli' && id) accountKeys.push({ platform: kind, accountId: id });
  }
  for (const d of details) {
    for (const key of ['teacherId', 'filedBy']) if (typeof d[key] === 'number') teacherIds.add(d[key] as number);
  }
  const boundTo = new Map<string, number>();
  const accountIds = [...new Set(accountKeys.map((k) => k.accountId))];
  if (accountIds.length) {
    for (const a of await accountsByAccountIds(db, accountIds)) {
      boundTo.set(`${a.platform}:${a.accountId}`, a.teacherId);
      teacherIds.add(a.teacherId);
    }
  }
  const people = new Map<number, { name: string; school: string; employeeNo: string }>();
  const byNo = new Map<string, { name: string; school: string; employeeNo: string }>();
  if (teacherIds.size) for (const p of await peopleByIds(db, [...teacherIds])) people.set(p.id, p);
  if (employeeNos.size) for (const p of await peopleByEmployeeNos(db, [...employeeNos])) byNo.set(p.employeeNo, p);
  const sessionIds = details.map((d) => d.sessionId).filter((v): v is number => typeof v === 'number');
  const sessionTitles = new Map<number, string>();
  if (sessionIds.length) for (const s of await sessionTitlesByIds(db, sessionIds)) sessionTitles.set(s.id, s.title);
  const deadlineIds = details.map((d) => d.deadlineId).filter((v): v is number => typeof v === 'number');
  const deadlineTitles = new Map<number, string>();
  if (deadlineIds.length) for (const x of await deadlineTitlesByIds(db, deadlineIds)) deadlineTitles.set(x.id, x.title);

  const teacherName = (id: number) => {
    const p = people.get(id);
    return p ? nameOf(p) : `#${id}`;
  };

  function actorName(actor: string): string {
    const [kind, ...rest] = actor.split(':');
    const id = rest.join(':');
    if (actor === 'admin:ADMIN_TOKEN') return m.actor.token;
    if (kind === 'admin') {
      const p = byNo.get(id);
      return m.actor.console(p ? nameOf(p) : id);
    }
    if (kind === 'teacher' && /^\d+$/.test(id)) return teacherName(Number(id));
    if (kind === 'cli') return id && id !== 'cli' ? m.actor.cliAs(id) : m.actor.cli;
    if (kind === 'demo') return m.actor.demo;
    if (actor === 'seed' || actor === 'test') return m.actor[actor];
    if (kind === 'system' || kind === 'scheduler') return m.actor.system;
    const platform = m.platforms[kind];
    if (platform && id) {
      const teacherId = boundTo.get(actor);
      return teacherId === undefined ? m.actor.unknownAccount(platform) : m.actor.viaPlatform(teacherName(teacherId), platform);
    }
    return actor;
  }

  function value(key: string, v: unknown): string | null {
    if (v === null || v === undefined || v === '') return null;
    if ((key === 'teacherId' || key === 'filedBy') && typeof v === 'number') return teacherName(v);
    if (key === 'sessionId' && typeof v === 'number') return m.values.session(v, sessionTitles.get(v) ?? null);
    if (key === 'deadlineId' && typeof v === 'number') return m.values.deadline(v, deadlineTitles.get(v) ?? null);
    if (key === 'role' && typeof v === 'string') return roleLabel(v);
    if (key === 'platform' && typeof v === 'string') return v === 'all' ? m.values.all : (m.platforms[v] ?? v);
    if (key === 'via' && typeof v === 'string') return m.values.via[v] ?? v;
    if (key === 'mode' && typeof v === 'string') return m.values.modes[v] ?? v;
    if (typeof v === 'boolean') return v ? m.values.yes : m.values.no;
    if (TIME_KEYS.has(key) && typeof v === 'number') return dateTimeIn(new Date(v), timeZone);
    if (typeof v === 'string' && ISO_INSTANT.test(v)) return dateTimeIn(new Date(v), timeZone);
    if (key === 'audience' && typeof v === 'object') {
      const a = v as { all?: boolean; schools?: string[]; roles?: string[] };
      if (a.all) return m.values.all;
      if (a.schools) return m.values.schools(a.schools);
      if (a.roles) return m.values.roles(a.roles.map(roleLabel));
    }
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  return rows.map((r, i) => ({
    when: dateTimeIn(r.at, timeZone),
    actor: actorName(r.actor),
    action: t.admin.audit.actions[r.action] ?? r.action,
    details: Object.entries(details[i])
      .map(([k, v]) => [m.fields[k] ?? k, value(k, v)] as [string, string | null])
      .filter((p): p is [string, string] => p[1] !== null),
  }));
}

import type { Db } from '../../db/client.js';
import type { Messages } from '../bot/i18n/index.js';
import { dateIn, zonedInstant } from '../time/zone.js';
import { describeDate, exampleDate } from '../time/parse.js';
import { isOffsetDays, normaliseDate, normaliseTime, parseDeadlineSpec, titleProblem, type DeadlineSpec, type SpecProblem } from './parse.js';
import { formatDue } from './reminders.js';
import { DEFAULT_OFFSETS, DEFAULT_OVERDUE_EVERY_DAYS, MAX_OVERDUE_ROUNDS, daysLeft } from './slots.js';
import {
  createDeadline,
  filingStatus,
  findDeadline,
  includesSchool,
  leadersBySchool,
  filingSchools,
  listSchools,
  parseOffsets,
  parseSchoolAudience,
  reachableSchools,
  type DeadlineRow,
  type Match,
} from './store.js';

export const DEFAULT_DUE_TIME = '23:59';

export function specProblemText(t: Messages, p: SpecProblem): string {
  const m = t.deadlines.create.problems;
  switch (p.kind) {
    case 'missingDate':
      return m.missingDate;
    case 'badDate':
      return m.badDate(p.value, p.reason);
    case 'badTime':
      return m.badTime(p.value);
    case 'emptyTitle':
      return m.emptyTitle;
    case 'titleTooLong':
      return m.titleTooLong(p.max);
    case 'badOffsets':
      return m.badOffsets(p.value);
    case 'emptySchools':
      return m.emptySchools;
    case 'unknownWord':
      return m.unknownWord(p.value);
  }
}

/** How 新建截止 is written, with an example whose date is still ahead of `now` (for usage errors). */
export function createUsage(t: Messages, now: Date, timeZone: string): string {
  return `${t.deadlines.help.create.usage}\n${t.deadlines.create.example(exampleDate(dateIn(now, timeZone)))}`;
}

/** Why a well-formed deadline was refused: due already, a school not on the roster, no school to file at all. */
export type CreateRefusal = 'past' | 'unknownSchools' | 'noSchools';

export type CreateOutcome =
  | { ok: true; deadline: DeadlineRow; text: string }
  | { ok: false; text: string; usageProblem?: boolean; problem?: SpecProblem; refusal?: CreateRefusal };

/**
 * 新建截止 for chat and CLI alike: parse, refuse a past due time, an empty title or an unknown school, then
 * create. Nothing is written on refusal.
 */
export async function createDeadlineFromText(
  db: Db,
  t: Messages,
  input: { text: string; now: Date; timeZone: string; createdBy: string },
): Promise<CreateOutcome> {
  const parsed = parseDeadlineSpec(input.text, dateIn(input.now, input.timeZone));
  if (!parsed.ok) {
    const understood = t.deadlines.create.understood({
      ...parsed.understood,
      date: parsed.understood.date && describeDate(parsed.understood.date),
      schools: parsed.understood.schools === 'all' ? undefined : parsed.understood.schools,
    });
    const text = [specProblemText(t, parsed.problem), understood].filter(Boolean).join('\n');
    return { ok: false, text, usageProblem: true, problem: parsed.problem };
  }
  return createDeadlineFromSpec(db, t, { spec: parsed.spec, now: input.now, timeZone: input.timeZone, createdBy: input.createdBy });
}

/** The first thing wrong with a spec's fields, by the parser's own field rules (a spec built by hand, e.g. from a form). */
export function specProblem(spec: DeadlineSpec): SpecProblem | null {
  const badTitle = titleProblem(spec.title);
  if (badTitle) return badTitle;
  if (normaliseDate(spec.date) !== spec.date) return { kind: 'badDate', value: spec.date };
  if (spec.time !== null && normaliseTime(spec.time) !== spec.time) return { kind: 'badTime', value: spec.time };
  if (spec.schools !== 'all' && spec.schools.length === 0) return { kind: 'emptySchools' };
  if (spec.offsets !== null && (spec.offsets.length === 0 || !spec.offsets.every(isOffsetDays))) return { kind: 'badOffsets', value: spec.offsets.join(',') };
  return null;
}

/**
 * Creates a deadline from its fields — what 新建截止 does once its text is parsed, and what the web console's
 * form does with its fields: refuse a past due time (local `timeZone`; no time means 23:59), a school not on the
 * roster, or "all schools" with none on it; then create it (audited as `deadline_create` by `createdBy`) and
 * answer with the same reply as the chat. Nothing is written on refusal.
 */
export async function createDeadlineFromSpec(
  db: Db,
  t: Messages,
  input: { spec: DeadlineSpec; now: Date; timeZone: string; createdBy: string },
): Promise<CreateOutcome> {
  const { spec } = input;
  const problem = specProblem(spec);
  if (problem) return { ok: false, text: specProblemText(t, problem), usageProblem: true, problem };
  const dueAt = zonedInstant(spec.date, spec.time ?? DEFAULT_DUE_TIME, input.timeZone);
  const due = formatDue(dueAt, input.timeZone);
  if (dueAt.getTime() <= input.now.getTime()) return { ok: false, text: t.deadlines.create.past(due), refusal: 'past' };
  const known = await listSchools(db);
  const filing = await filingSchools(db);
  if (spec.schools !== 'all') {
    const unknown = spec.schools.filter((s) => !known.includes(s));
    if (unknown.length > 0) return { ok: false, text: t.deadlines.create.unknownSchools(unknown, filing), refusal: 'unknownSchools' };
  } else if (filing.length === 0) {
    return { ok: false, text: t.deadlines.create.noSchools, refusal: 'noSchools' };
  }
  const offsets = spec.offsets ?? [...DEFAULT_OFFSETS];
  const deadline = await createDeadline(db, {
    title: spec.title,
    dueAt,
    audience: spec.schools === 'all' ? { all: true } : { schools: spec.schools },
    offsets,
    overdueEveryDays: DEFAULT_OVERDUE_EVERY_DAYS,
    createdBy: input.createdBy,
  });
  const schools = spec.schools === 'all' ? t.deadlines.audienceAll(filing.length) : t.deadlines.audienceSchools(spec.schools);
  return {
    ok: true,
    deadline,
    text: t.deadlines.create.created(deadline.id, deadline.title, due, schools, offsets, DEFAULT_OVERDUE_EVERY_DAYS, MAX_OVERDUE_ROUNDS),
  };
}

/** One line per choice when a title matches several deadlines. */
export function choicesText(t: Messages, query: string, match: Extract<Match, { kind: 'many' }>, timeZone: string): string {
  const lines = match.choices.slice(0, 10).map((d) => t.deadlines.match.choice(d.id, d.title, formatDue(d.dueAt, timeZone)));
  return [t.deadlines.match.ambiguous(query), ...lines].join('\n');
}

/** 报送情况: filed / not filed by school (and which unfiled schools no reminder can reach). */
export async function statusText(db: Db, t: Messages, deadline: DeadlineRow, now: Date, timeZone: string): Promise<string> {
  const m = t.deadlines.status;
  const rows = await filingStatus(db, deadline);
  const filed = rows.filter((r) => r.filing);
  const unfiled = rows.filter((r) => !r.filing).map((r) => r.school);
  const reachable = await reachableSchools(db, await leadersBySchool(db));
  const due = formatDue(deadline.dueAt, timeZone);
  const lines = [m.header(deadline.id, deadline.title, due, t.deadlines.daysLeft(daysLeft(deadline, now, timeZone)), filed.length, rows.length)];
  if (filed.length > 0) {
    lines.push(m.filedHeader);
    for (const r of filed) lines.push(m.filedLine(r.school, formatDue(r.filing!.filedAt, timeZone).slice(0, 16)));
  }
  if (unfiled.length > 0) {
    lines.push(m.unfiledHeader);
    lines.push(m.unfiledList(unfiled.map((s) => (reachable.has(s) ? s : m.unreachable(s)))));
  } else {
    lines.push(m.allFiled);
  }
  return lines.join('\n');
}

/** Active deadlines with filed counts (officer's overview). */
export async function overviewText(db: Db, t: Messages, list: DeadlineRow[], now: Date, timeZone: string): Promise<string> {
  if (list.length === 0) return t.deadlines.overview.none;
  const schools = await filingSchools(db);
  const lines = [t.deadlines.overview.header(list.length)];
  for (const d of list.slice(0, 30)) {
    const rows = await filingStatus(db, d, schools);
    const filed = rows.filter((r) => r.filing).length;
    lines.push(
      t.deadlines.overview.line(d.id, d.title, formatDue(d.dueAt, timeZone), t.deadlines.daysLeft(daysLeft(d, now, timeZone)), filed, rows.length),
    );
  }
  return lines.join('\n');
}

export function offsetsOf(d: DeadlineRow): number[] {
  return parseOffsets(d.offsets);
}

export function addressesSchool(d: DeadlineRow, school: string): boolean {
  return includesSchool(parseSchoolAudience(d.audience), school);
}

export { findDeadline };

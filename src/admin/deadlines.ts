/**
 * The console's deadline actions.
 *
 * "Send a reminder now" for one deadline: the scheduler's own reminder (same text, same key shape
 * `reminder:<id>:<school>:<slot>#t<leader>`, so filing withdraws it from the outbox like any other) to the
 * leaders of every school that has not filed, in a slot of its own (`manual-<minute>`: a double click within the
 * same minute sends nothing twice).
 *
 * "New deadline" from a form: the posted fields are checked by a zod schema built on the deadline parser's own
 * field rules, then handed to the same createDeadlineFromSpec as the chat's 新建截止 (same refusals, same audit).
 */
import { z } from 'zod';
import { type Db } from '../../db/client.js';
import { transaction } from '../../db/statements.js';
import type { Messages } from '../bot/i18n/index.js';
import { dateIn, dateTimeIn } from '../time/zone.js';
import { type Clock } from '../clock.js';
import { dateProblemReason, exampleDate, parseDateText } from '../time/parse.js';
import { dueNow } from '../broadcasts/broadcasts.js';
import { normaliseTime, normaliseTitle, parseOffsetList, titleProblem, type DeadlineSpec, type SpecProblem } from '../deadlines/parse.js';
import { formatDue, recipientOf, reminderKey, reminderOrigin, reminderReply } from '../deadlines/reminders.js';
import { createDeadlineFromSpec, specProblemText, type CreateRefusal } from '../deadlines/service.js';
import { daysLeft } from '../deadlines/slots.js';
import { filingSchools, filingStatus, leadersBySchool, parseSchoolAudience, type DeadlineRow } from '../deadlines/store.js';
import { audit } from '../ledger/audit.js';
import { accountsOf } from '../outbox/address.js';
import { enqueue } from '../outbox/store.js';
import type { PolicyPreset } from '../policy/schema.js';

export interface RemindNowResult {
  /** Schools not filed. */
  unfiled: number;
  /** Schools at least one leader of which was messaged. */
  schools: number;
  /** Leaders messaged (new outbox rows). */
  messages: number;
  /** Unfiled schools with no bound leader. */
  unreachable: string[];
}

export async function remindNow(
  db: Db,
  input: { t: Messages; presets: ReadonlyMap<string, PolicyPreset>; deadline: DeadlineRow; clock: Clock; timeZone: string; actor: string },
): Promise<RemindNowResult> {
  const { t, deadline, timeZone } = input;
  const now = input.clock.now();
  const unfiled = (await filingStatus(db, deadline))
    .filter((s) => !s.filing)
    .map((s) => s.school);
  const result: RemindNowResult = { unfiled: unfiled.length, schools: 0, messages: 0, unreachable: [] };
  if (unfiled.length === 0) return result;
  const leaders = await leadersBySchool(db);
  const bound = await accountsOf(db, unfiled.flatMap((s) => (leaders.get(s) ?? []).map((l) => l.teacherId)));
  const slot = `manual-${dateTimeIn(now, timeZone).replace(/[^0-9]/g, '')}`;
  const origin = reminderOrigin(deadline.id, slot);
  const reply = (school: string) =>
    reminderReply(t, deadline, school, daysLeft(deadline, now, timeZone), formatDue(deadline.dueAt, timeZone), recipientOf(deadline, input.presets));
  // The sender runs on real time; a business clock set ahead (XUESHI_NOW) must not hold the messages back.
  const sendAt = dueNow(input.clock);
  await transaction(db, async (tx) => {
    for (const school of unfiled) {
      const reachable = (leaders.get(school) ?? []).filter((l) => bound.has(l.teacherId));
      if (reachable.length === 0) {
        result.unreachable.push(school);
        continue;
      }
      result.schools++;
      for (const leader of reachable) {
        const account = bound.get(leader.teacherId)!;
        result.messages += await enqueue(
          tx,
          [
            {
              platform: account.platform,
              target: { type: 'user', accountId: account.accountId },
              reply: reply(school),
              idempotencyKey: reminderKey(deadline.id, school, slot, leader.teacherId),
              origin,
            },
          ],
          sendAt,
        );
      }
    }
    await audit(tx, input.actor, 'deadline_remind_now', {
      deadlineId: deadline.id,
      unfiled: unfiled.length,
      schools: result.schools,
      messages: result.messages,
      unreachable: result.unreachable.length,
    });
  });
  return result;
}

export const DEADLINE_FIELDS = ['title', 'date', 'time', 'audience', 'schools', 'offsets'] as const;
export type DeadlineField = (typeof DEADLINE_FIELDS)[number];
export type DeadlineFormErrors = Partial<Record<DeadlineField, string>>;

/** The problems of the chat syntax, in the words of a form where they differ (no "写在日期前面", no "提前:"). */
function formProblemText(t: Messages, p: SpecProblem, today: string): string {
  if (p.kind === 'emptyTitle') return t.admin.deadlines.emptyTitle;
  if (p.kind === 'badOffsets') return t.admin.deadlines.badOffsets(p.value);
  // A date refusal shows a date that is still ahead.
  if (p.kind === 'missingDate' || p.kind === 'badDate') return t.admin.withExample(specProblemText(t, p), exampleDate(today));
  return specProblemText(t, p);
}

/**
 * The new-deadline form as posted (`parseBody({ all: true })`: a checked school or several) → a DeadlineSpec.
 * Each field is checked by the deadline parser's own rules and fails with its own sentence.
 */
export function deadlineFormSchema(t: Messages, today: string) {
  const m = t.admin.deadlines;
  const text = (max: number) => z.preprocess((v) => v ?? '', z.string({ error: m.badField }).max(max, { error: m.badField }));
  const refuse = (ctx: z.RefinementCtx, p: SpecProblem) => {
    ctx.addIssue({ code: 'custom', message: formProblemText(t, p, today) });
    return z.NEVER;
  };
  return z
    .object({
      title: text(1000).transform((v, ctx) => {
        const title = normaliseTitle(v);
        const problem = titleProblem(title);
        return problem ? refuse(ctx, problem) : title;
      }),
      date: text(40).transform((v, ctx) => {
        const s = v.trim();
        if (!s) return refuse(ctx, { kind: 'missingDate' });
        const date = parseDateText(s, today);
        return date.ok ? date.date : refuse(ctx, { kind: 'badDate', value: s, reason: dateProblemReason(date.problem) });
      }),
      time: text(20).transform((v, ctx) => {
        const s = v.trim();
        if (!s) return null;
        return normaliseTime(s) ?? refuse(ctx, { kind: 'badTime', value: s });
      }),
      audience: z.enum(['all', 'schools'], { error: m.badAudience }),
      schools: z.preprocess(
        (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
        z.array(z.string({ error: m.badField }).trim().min(1, { error: m.badField }).max(200, { error: m.badField }), { error: m.badField }).max(5000, { error: m.badField }),
      ),
      offsets: text(200).transform((v, ctx) => {
        const s = v.trim();
        if (!s) return null;
        return parseOffsetList(s) ?? refuse(ctx, { kind: 'badOffsets', value: s });
      }),
    })
    .superRefine(
      (v, ctx) => {
        if (v.audience === 'schools' && Array.isArray(v.schools) && v.schools.length === 0) ctx.addIssue({ code: 'custom', path: ['schools'], message: m.noSchoolChosen });
      },
      // Also when another field is wrong, so every problem shows at once.
      { when: () => true },
    )
    .transform(
      (v): DeadlineSpec => ({
        title: v.title,
        date: v.date,
        time: v.time,
        schools: v.audience === 'all' ? 'all' : [...new Set(v.schools)],
        offsets: v.offsets,
      }),
    );
}

export type NewDeadlineOutcome = { ok: true; deadline: DeadlineRow; note: string } | { ok: false; errors: DeadlineFormErrors };

/** Where a refusal of the domain belongs on the form. */
const REFUSAL_FIELD: Record<CreateRefusal, DeadlineField> = { past: 'date', unknownSchools: 'schools', noSchools: 'audience' };
const PROBLEM_FIELD: Record<SpecProblem['kind'], DeadlineField> = {
  missingDate: 'date',
  badDate: 'date',
  badTime: 'time',
  emptyTitle: 'title',
  titleTooLong: 'title',
  badOffsets: 'offsets',
  emptySchools: 'schools',
  unknownWord: 'title',
};

/** Creates a deadline from the console's form (by `actor`, audited like 新建截止), or says what is wrong, field by field. */
export async function createDeadlineFromForm(
  db: Db,
  input: { t: Messages; body: Record<string, unknown>; now: Date; timeZone: string; actor: string },
): Promise<NewDeadlineOutcome> {
  const { t } = input;
  const today = dateIn(input.now, input.timeZone);
  const parsed = deadlineFormSchema(t, today).safeParse(input.body);
  if (!parsed.success) {
    const errors: DeadlineFormErrors = {};
    for (const issue of parsed.error.issues) {
      const field = DEADLINE_FIELDS.find((f) => f === issue.path[0]) ?? 'title';
      errors[field] ??= issue.message;
    }
    return { ok: false, errors };
  }
  const outcome = await createDeadlineFromSpec(db, t, { spec: parsed.data, now: input.now, timeZone: input.timeZone, createdBy: input.actor });
  if (!outcome.ok) {
    const field = outcome.refusal ? REFUSAL_FIELD[outcome.refusal] : outcome.problem ? PROBLEM_FIELD[outcome.problem.kind] : 'title';
    const text = outcome.problem ? formProblemText(t, outcome.problem, today) : outcome.text;
    return { ok: false, errors: { [field]: text } };
  }
  const { deadline } = outcome;
  const audience = parseSchoolAudience(deadline.audience);
  const schools = 'schools' in audience ? t.admin.list(audience.schools) : t.admin.deadlines.audienceAll((await filingSchools(db)).length);
  return { ok: true, deadline, note: t.admin.deadlines.created(deadline.id, deadline.title, formatDue(deadline.dueAt, input.timeZone), schools) };
}

/**
 * Declarations waiting too long, handled by the scheduler tick like deadline reminders:
 * - a daily reminder at 09:00 (jittered, held through quiet hours: deadlines/reminders.ts `send`) to each assignee
 *   listing what has waited `reminderAfterDays` or more at its step (the preset's rules);
 * - after `escalateAfterDays` at one step, escalation: the officers become assignees too (the core records the
 *   step 'escalate' and audits it) and get the approval request. Never during quiet hours, so those requests are
 *   not sent at night either.
 * Everything is worked out from the database and `now`: a re-run, a restart or a late tick sends nothing twice
 * (one key per assignee per day; escalation adds only officers not yet assigned).
 */
import { transaction } from '../../../db/statements.js';
import { consoleBaseUrl } from '../../admin/auth.js';
import type { Reply } from '../../core/messages.js';
import { send } from '../../deadlines/reminders.js';
import { accountsOf } from '../../outbox/address.js';
import type { TickContext } from '../../schedule/context.js';
import { inQuietHours, REMINDER_TIME } from '../../schedule/time.js';
import { localParts, zonedInstant } from '../../time/zone.js';
import { notifyDecision } from '../notify.js';
import { approvalPageUrl } from './cards.js';
import { APPROVAL_COMMANDS } from './command-names.js';
import { declarationRules } from '../rules.js';
import { escalateDeclaration, listDeclarations } from '../service.js';
import { assigneesOf, stepsOf, type DeclarationRow, type DeclarationStepRow } from '../store.js';
import type { TeacherRow } from '../../ledger/store.js';

const DAY_MS = 24 * 3600_000;

export function declarationReminderKey(date: string, teacherId: number): string {
  return `declremind:${date}#t${teacherId}`;
}

/** Since when it waits for its current approvers: the last step that handed it to them (an escalation adds, it does not restart). */
function waitingSince(steps: readonly DeclarationStepRow[], d: DeclarationRow, withEscalation: boolean): Date {
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (s.action === 'escalate' && !withEscalation) continue;
    if (s.action !== 'return' && s.action !== 'withdraw') return s.at;
  }
  return d.submittedAt ?? d.createdAt;
}

interface Waiting {
  declaration: DeclarationRow;
  teacher: TeacherRow;
  days: number;
}

export async function declarationReminders(ctx: TickContext): Promise<{ reminders: number; escalations: number; deferred: number }> {
  const { db, now, timeZone, t } = ctx;
  let reminders = 0;
  let escalations = 0;
  let deferred = 0;
  const today = localParts(now, timeZone).date;
  const slot = zonedInstant(today, REMINDER_TIME, timeZone);
  const remindToday = now.getTime() >= slot.getTime();
  const quiet = inQuietHours(now, timeZone);
  const byAssignee = new Map<number, { person: TeacherRow; items: Waiting[] }>();

  // Oldest first: when the tick's budget runs out, what is left for the next tick is the newest.
  for (const { declaration: d, teacher } of await listDeclarations(db, { state: 'pending', oldestFirst: true })) {
    if (ctx.overBudget()) {
      deferred++;
      continue;
    }
    const preset = ctx.presets.get(teacher.policyId);
    if (!preset) continue;
    const rules = declarationRules(preset);
    const steps = await stepsOf(db, d.id);
    const atStep = now.getTime() - waitingSince(steps, d, false).getTime();
    if (!quiet && atStep >= rules.escalateAfterDays * DAY_MS) {
      const added = await transaction(db, async (tx) => {
        const outcome = await escalateDeclaration(tx, ctx.presets, d.id, { label: 'scheduler', teacherId: null }, now);
        if (outcome.ok && outcome.next.length > 0) await notifyDecision(tx, outcome, now, t);
        return outcome.ok ? outcome.next.length : 0;
      });
      if (added > 0) {
        escalations++;
        ctx.logger.info({ declarationId: d.id, officers: added }, 'declaration escalated to the office');
        continue; // The officers were just asked; the reminder waits for the next day.
      }
    }
    const waited = now.getTime() - waitingSince(steps, d, true).getTime();
    if (!remindToday || waited < rules.reminderAfterDays * DAY_MS) continue;
    const item = { declaration: d, teacher, days: Math.floor(atStep / DAY_MS) };
    for (const person of await assigneesOf(db, d.id)) {
      const entry = byAssignee.get(person.id) ?? { person, items: [] };
      entry.items.push(item);
      byAssignee.set(person.id, entry);
    }
  }
  if (byAssignee.size === 0) return { reminders, escalations, deferred };

  const accounts = await accountsOf(db, [...byAssignee.keys()]);
  await transaction(db, async (tx) => {
    for (const [teacherId, { person, items }] of byAssignee) {
      const account = accounts.get(teacherId);
      if (!account) continue;
      const key = declarationReminderKey(today, teacherId);
      const reply = reminderReply(ctx, person.name, items);
      reminders += await send(ctx, { platform: account.platform, target: { type: 'user', accountId: account.accountId }, reply, idempotencyKey: key, origin: key }, slot, undefined, tx);
    }
  });
  return { reminders, escalations, deferred };
}

function reminderReply(ctx: TickContext, name: string, items: Waiting[]): Reply {
  const a = ctx.t.declarations.approval;
  const m = a.reminder;
  const lines = items.map((i) => m.line(i.declaration.id, i.teacher.name, i.declaration.project, i.days));
  const base = consoleBaseUrl(ctx.db);
  return {
    text: [m.intro(name), ...lines, a.pending.howTo].join('\n'),
    card: {
      title: m.title(items.length),
      tone: 'orange',
      sections: [{ lines: [m.intro(name), ...lines] }],
      buttons: [{ label: m.button, value: { command: APPROVAL_COMMANDS.pending }, style: 'primary' }],
      link: base && items.length === 1 ? { label: a.buttons.open, url: approvalPageUrl(base, items[0]!.declaration.id) } : undefined,
      note: a.pending.howTo,
    },
  };
}

/**
 * Declarations left waiting, driven by scheduler ticks at moved clock times: after the preset's reminderAfterDays
 * each assignee gets one reminder a day (at 09:00 Beijing, jittered, quiet hours kept); after escalateAfterDays
 * the officers become assignees (step 'escalate', audited) and get the approval request — never at night, never twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notifySubmitted } from '../../../src/declarations/notify.js';
import { approveDeclaration, getDeclaration, submitDeclaration, type DeclarationRow } from '../../../src/declarations/service.js';
import { runSchedulerTick } from '../../../src/schedule/tick.js';
import { inQuietHours } from '../../../src/schedule/time.js';
import { actor, auditsOf, input, openDeclDb, outboxLike, staff, type DeclDb } from '../../helpers/declarations.js';
import { bj, TZ } from '../../helpers/deadlines.js';

let x: DeclDb;
let teacher: number;
let leader: number;
let leader2: number;
let officer: number;

beforeEach(async () => {
  x = await openDeclDb();
  teacher = await staff(x.db, 'T0001', '张三', '第一中学');
  leader = await staff(x.db, 'L0001', '李校长', '第一中学', ['leader']);
  leader2 = await staff(x.db, 'L0002', '王副校长', '第一中学', ['leader']);
  officer = await staff(x.db, 'O0001', '钱主任', '教师发展中心', ['officer']);
});
afterEach(async () => x.close());

async function submit(at: string, over = {}): Promise<DeclarationRow> {
  const now = bj(at);
  const out = await submitDeclaration(x.db, x.presets, input(teacher, over), actor(teacher), now);
  if (!out.ok) throw new Error(out.detail);
  await notifySubmitted(x.db, out, now);
  return out.declaration;
}

const tickAt = (at: string) => runSchedulerTick({ db: x.db, presets: x.presets, timeZone: TZ }, bj(at));
const reminders = () => outboxLike(x.db, 'declremind:');

describe('reminders and escalation of waiting declarations (laibin: remind after 2 days, escalate after 7)', () => {
  it('reminds each assignee once a day after two days, listing the declaration; nothing before, nothing twice', async () => {
    const d = await submit('2026-11-25 10:00');
    expect((await tickAt('2026-11-26 10:00')).declarationReminders).toBe(0);
    expect((await tickAt('2026-11-27 09:30')).declarationReminders).toBe(0); // 47.5 h: not yet two days
    expect((await tickAt('2026-11-27 10:30')).declarationReminders).toBe(2);
    const rows = await reminders();
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual([`declremind:2026-11-27#t${leader}`, `declremind:2026-11-27#t${leader2}`]);
    for (const r of rows) {
      expect(r.quiet).toBe(true);
      expect(JSON.parse(r.reply).text).toContain(`#${d.id} 张三「2026年国培计划·初中数学骨干教师研修」已等 2 天`);
      expect(JSON.parse(r.target)).toEqual({ type: 'user', accountId: expect.stringMatching(/^ou_L000[12]$/) });
    }
    expect((await tickAt('2026-11-27 15:00')).declarationReminders).toBe(0);
    expect(await reminders()).toHaveLength(2);
    // The next day, again (still waiting).
    expect((await tickAt('2026-11-28 09:45')).declarationReminders).toBe(2);
    expect(await reminders()).toHaveLength(4);
  });

  it('keeps quiet hours: a reminder worked out at night is sent after 07:00', async () => {
    await submit('2026-11-25 10:00');
    expect((await tickAt('2026-11-27 22:40')).declarationReminders).toBe(2);
    for (const r of await reminders()) {
      expect(r.nextAttemptAt.getTime()).toBeGreaterThan(bj('2026-11-28 07:00').getTime());
      expect(inQuietHours(r.nextAttemptAt, TZ)).toBe(false);
    }
  });

  it('escalates to the office after seven days at one step, not at night, once, audited, the officer asked', async () => {
    const d = await submit('2026-11-25 10:00');
    expect((await tickAt('2026-12-02 09:59')).declarationEscalations).toBe(0);
    expect((await tickAt('2026-12-02 23:30')).declarationEscalations).toBe(0); // due, but quiet hours
    expect((await getDeclaration(x.db, d.id))!.assignees.map((a) => a.employeeNo)).toEqual(['L0001', 'L0002']);

    expect((await tickAt('2026-12-03 07:30')).declarationEscalations).toBe(1);
    const view = (await getDeclaration(x.db, d.id))!;
    expect(view.assignees.map((a) => a.employeeNo)).toEqual(['L0001', 'L0002', 'O0001']);
    expect(view.steps.map((s) => s.action)).toEqual(['submit', 'escalate']);
    expect(view.steps[1]!.actor).toBe('scheduler');
    expect(await auditsOf(x.db, 'declaration_escalate')).toHaveLength(1);
    const asked = await outboxLike(x.db, `decl:${d.id}:2:${officer}`);
    expect(asked).toHaveLength(1);
    expect(JSON.parse(asked[0]!.reply).card.buttons.map((b: { label: string }) => b.label)).toEqual(['通过', '退回', '转交']);

    expect((await tickAt('2026-12-03 10:00')).declarationEscalations).toBe(0);
    expect((await tickAt('2026-12-05 10:00')).declarationEscalations).toBe(0);
    expect((await getDeclaration(x.db, d.id))!.steps).toHaveLength(2);
    // The officer may now decide it.
    const done = await approveDeclaration(x.db, x.presets, d.id, actor(officer), bj('2026-12-05 11:00'));
    expect(done.ok).toBe(true);
  });

  it('counts from the step it is at: a declaration the school passed on to the office waits afresh', async () => {
    const d = await submit('2026-11-25 10:00', { hours: 40, category: '集中培训' });
    const out = await approveDeclaration(x.db, x.presets, d.id, actor(leader), bj('2026-12-01 10:00'));
    expect(out.ok && out.next.map((p) => p.id)).toEqual([officer]);
    expect((await tickAt('2026-12-02 10:00')).declarationReminders).toBe(0);
    expect((await tickAt('2026-12-03 10:30')).declarationReminders).toBe(1);
    expect((await reminders()).map((r) => r.idempotencyKey)).toEqual([`declremind:2026-12-03#t${officer}`]);
    expect((await tickAt('2026-12-04 10:00')).declarationEscalations).toBe(0);
  });

  it('sends nothing about decided declarations', async () => {
    const d = await submit('2026-11-25 10:00');
    await approveDeclaration(x.db, x.presets, d.id, actor(leader), bj('2026-11-25 11:00'));
    const r = await tickAt('2026-12-10 10:00');
    expect(r.declarationReminders + r.declarationEscalations).toBe(0);
  });
});

/**
 * The declaration core on a real SQLite file: the chain (school → office by preset size), the ledger record made
 * once at the final approval, redelivered decisions changing nothing, returns and resubmission, forwarding,
 * withdrawal, who may see what, and the notices each step enqueues.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  approveDeclaration,
  canView,
  forwardDeclaration,
  getDeclaration,
  listDeclarations,
  listPendingFor,
  resubmitDeclaration,
  returnDeclaration,
  submitDeclaration,
  withdrawDeclaration,
  type DeclarationRow,
} from '../../src/declarations/service.js';
import { notifyDecision, notifySubmitted } from '../../src/declarations/notify.js';
import { actor, auditsOf, input, openDeclDb, outboxLike, recordsOf, staff, type DeclDb } from '../helpers/declarations.js';

const now = new Date('2026-11-25T02:00:00Z');
let x: DeclDb;
let teacher: number;
let leader: number;
let leader2: number;
let officer: number;
let otherLeader: number;

beforeEach(async () => {
  x = await openDeclDb();
  teacher = await staff(x.db, 'T0001', '张三', '第一中学');
  leader = await staff(x.db, 'L0001', '李校长', '第一中学', ['leader']);
  leader2 = await staff(x.db, 'L0002', '王副校长', '第一中学', ['leader']);
  officer = await staff(x.db, 'O0001', '钱主任', '教师发展中心', ['officer']);
  otherLeader = await staff(x.db, 'L0009', '赵校长', '第二中学', ['leader']);
});
afterEach(() => x.close());

async function submit(over = {}): Promise<DeclarationRow> {
  const out = await submitDeclaration(x.db, x.presets, input(teacher, over), actor(teacher), now);
  if (!out.ok) throw new Error(out.detail);
  await notifySubmitted(x.db, out, now);
  return out.declaration;
}

describe('submit', () => {
  it('goes to the leaders of the teacher’s school, audited, each asked once under decl:<id>:<step>:<teacher>', async () => {
    const d = await submit();
    expect(d).toMatchObject({ state: 'pending', currentStep: 'school', category: '网络研修', hours: 16 });
    const view = (await getDeclaration(x.db, d.id))!;
    expect(view.assignees.map((a) => a.employeeNo)).toEqual(['L0001', 'L0002']);
    expect(view.steps.map((s) => s.action)).toEqual(['submit']);
    const asked = await outboxLike(x.db, `decl:${d.id}:`);
    expect(asked.map((r) => r.idempotencyKey).sort()).toEqual([`decl:${d.id}:1:${leader}`, `decl:${d.id}:1:${leader2}`]);
    expect(JSON.parse(asked[0]!.target)).toEqual({ type: 'user', accountId: expect.stringMatching(/^ou_L000[12]$/) });
    const text = JSON.parse(asked[0]!.reply).text as string;
    expect(text).toContain('张三（T0001，第一中学）');
    expect(text).toContain('2026年国培计划·初中数学骨干教师研修');
    expect(text).toContain('2026-10-12 至 2026-10-14');
    expect(text).toContain(`通过申报 ${d.id}`);
    // Asking again for the same step (a redelivered event) enqueues nothing more.
    expect(await notifySubmitted(x.db, { ok: true, declaration: d, flags: [], assignees: view.assignees, stepIndex: 1 }, now)).toBe(0);
    expect(JSON.parse((await auditsOf(x.db, 'declaration_submit'))[0]!.detail)).toMatchObject({ declarationId: d.id, assignees: ['L0001', 'L0002'], step: 'school' });
  });

  it('a school with no leader on the roster goes straight to the office; nobody decides their own', async () => {
    const lone = await staff(x.db, 'T0100', '孤校教师', '无负责人小学');
    const out = await submitDeclaration(x.db, x.presets, input(lone), actor(lone), now);
    expect(out.ok && out.declaration.currentStep).toBe('office');
    expect(out.ok && out.assignees.map((a) => a.employeeNo)).toEqual(['O0001']);
    const own = await submitDeclaration(x.db, x.presets, input(leader), actor(leader), now);
    expect(own.ok && own.assignees.map((a) => a.employeeNo)).toEqual(['L0002']);
  });
});

describe('approve', () => {
  it('small declaration: the school’s approval is final — one ledger record, the teacher told the new totals', async () => {
    const d = await submit();
    const out = await approveDeclaration(x.db, x.presets, d.id, actor(leader), now);
    expect(out.ok && out.finished).toBe(true);
    if (!out.ok) return;
    expect(out.record).toMatchObject({ recordKey: `declaration:${d.id}`, source: 'declaration', date: '2026-10-14', hours: 16, category: '网络研修' });
    expect(out.declaration).toMatchObject({ state: 'approved', currentStep: null, recordId: out.record!.id });
    expect(out.totals?.summary.earned).toBe(16);
    await notifyDecision(x.db, out, now);
    const [told] = await outboxLike(x.db, `decl:${d.id}:2:${teacher}`);
    const text = JSON.parse(told!.reply).text as string;
    expect(text).toContain(`你的申报 #${d.id}「2026年国培计划·初中数学骨干教师研修」已认定：网络研修 16 学时`);
    expect(text).toMatch(/已修 16 学时/);
    expect(JSON.parse(told!.target)).toEqual({ type: 'user', accountId: 'ou_T0001' });

    // Redelivered click, the other leader, an officer: nothing changes twice.
    const before = (await outboxLike(x.db, 'decl:')).length;
    for (const who of [leader, leader2, officer]) {
      const again = await approveDeclaration(x.db, x.presets, d.id, actor(who), now);
      expect(again).toEqual({ ok: false, reason: 'already_decided', detail: 'approved' });
      await notifyDecision(x.db, again, now);
    }
    expect(await recordsOf(x.db, teacher)).toHaveLength(1);
    expect((await outboxLike(x.db, 'decl:')).length).toBe(before);
    expect(await auditsOf(x.db, 'declaration_approve')).toHaveLength(1);
  });

  it('over the preset’s size (or 集中培训): school then office; the ledger changes once, at the office', async () => {
    const d = await submit({ hours: 32, category: '集中培训' });
    const school = await approveDeclaration(x.db, x.presets, d.id, actor(leader), now);
    expect(school.ok && { finished: school.finished, step: school.declaration.currentStep, next: school.next.map((t) => t.employeeNo) }).toEqual({
      finished: false,
      step: 'office',
      next: ['O0001'],
    });
    await notifyDecision(x.db, school, now);
    expect(JSON.parse((await outboxLike(x.db, `decl:${d.id}:2:${teacher}`))[0]!.reply).text).toContain('学校已审核通过，已报教育局审核');
    expect(await outboxLike(x.db, `decl:${d.id}:2:${officer}`)).toHaveLength(1);
    expect(await recordsOf(x.db, teacher)).toHaveLength(0);
    // The same leader's click redelivered, and the second leader (no longer asked): nothing happens.
    expect(await approveDeclaration(x.db, x.presets, d.id, actor(leader), now)).toMatchObject({ ok: false, reason: 'already_decided' });
    expect(await approveDeclaration(x.db, x.presets, d.id, actor(leader2), now)).toMatchObject({ ok: false, reason: 'not_assignee' });
    const office = await approveDeclaration(x.db, x.presets, d.id, actor(officer), now);
    expect(office.ok && office.finished).toBe(true);
    expect(await approveDeclaration(x.db, x.presets, d.id, actor(officer), now)).toMatchObject({ ok: false, reason: 'already_decided' });
    expect(await recordsOf(x.db, teacher)).toHaveLength(1);
    expect((await getDeclaration(x.db, d.id))!.steps.map((s) => `${s.step}:${s.action}`)).toEqual(['school:submit', 'school:approve', 'office:approve']);
  });

  it('24 学时 of 网络研修 stays at the school (the office takes more than 24); an officer’s approval is final at any step', async () => {
    const at24 = await submit({ hours: 24 });
    expect(await approveDeclaration(x.db, x.presets, at24.id, actor(leader), now)).toMatchObject({ ok: true, finished: true });
    const big = await submit({ hours: 40, project: '另一个项目' });
    expect(await approveDeclaration(x.db, x.presets, big.id, actor(officer, 'cli'), now)).toMatchObject({ ok: true, finished: true });
  });

  it('someone outside the chain is refused before anything changes', async () => {
    const d = await submit();
    for (const who of [otherLeader, teacher]) {
      expect(await approveDeclaration(x.db, x.presets, d.id, actor(who), now)).toEqual({ ok: false, reason: 'not_assignee', detail: undefined });
      expect(await returnDeclaration(x.db, d.id, '材料不清楚', actor(who), now)).toMatchObject({ ok: false, reason: 'not_assignee' });
    }
    expect(await approveDeclaration(x.db, x.presets, 999, actor(leader), now)).toMatchObject({ ok: false, reason: 'not_found' });
    // An officer's own declaration: not even the office rule lets them decide it.
    const own = await submitDeclaration(x.db, x.presets, input(officer), actor(officer), now);
    expect(own.ok && await approveDeclaration(x.db, x.presets, own.declaration.id, actor(officer), now)).toMatchObject({ ok: false, reason: 'not_assignee' });
    expect((await getDeclaration(x.db, d.id))!.declaration.state).toBe('pending');
  });
});

describe('return, resubmit, withdraw, forward', () => {
  it('a return needs a reason; the teacher hears it, corrects and resubmits to the start of the chain', async () => {
    const d = await submit();
    expect(await returnDeclaration(x.db, d.id, ' ', actor(leader), now)).toMatchObject({ ok: false, reason: 'no_reason' });
    const back = await returnDeclaration(x.db, d.id, '证书照片看不清', actor(leader), now);
    expect(back.ok && back.declaration).toMatchObject({ state: 'returned', returnReason: '证书照片看不清', currentStep: null });
    await notifyDecision(x.db, back, now);
    expect(JSON.parse((await outboxLike(x.db, `decl:${d.id}:2:${teacher}`))[0]!.reply).text).toBe(
      `你的申报 #${d.id}「2026年国培计划·初中数学骨干教师研修」被退回，原因：证书照片看不清。修改后可重新提交，也可撤回。`,
    );
    expect(await returnDeclaration(x.db, d.id, '证书照片看不清', actor(leader), now)).toMatchObject({ ok: false, reason: 'already_decided' });
    expect(await approveDeclaration(x.db, x.presets, d.id, actor(leader2), now)).toMatchObject({ ok: false, reason: 'wrong_state' });

    expect(await resubmitDeclaration(x.db, x.presets, d.id, { hours: 12 }, actor(leader), now)).toMatchObject({ ok: false, reason: 'not_owner' });
    const again = await resubmitDeclaration(x.db, x.presets, d.id, { hours: 12, certificateNo: 'gp 2026-001' }, actor(teacher), now);
    expect(again.ok && again.declaration).toMatchObject({ state: 'pending', currentStep: 'school', hours: 12, certificateNo: 'GP2026-001', returnReason: null });
    await notifySubmitted(x.db, again, now);
    expect(await outboxLike(x.db, `decl:${d.id}:3:`)).toHaveLength(2);
    expect(await resubmitDeclaration(x.db, x.presets, d.id, {}, actor(teacher), now)).toMatchObject({ ok: false, reason: 'wrong_state' });
    // The leader who returned it may decide the resubmission.
    expect(await approveDeclaration(x.db, x.presets, d.id, actor(leader), now)).toMatchObject({ ok: true, finished: true });
    expect((await recordsOf(x.db, teacher))[0]!.hours).toBe(12);
    expect(await auditsOf(x.db, 'declaration_return')).toHaveLength(1);
    expect(await auditsOf(x.db, 'declaration_resubmit')).toHaveLength(1);
  });

  it('转交 hands the step to one leader or officer; a plain teacher or the declarant cannot take it', async () => {
    const d = await submit();
    const plain = await staff(x.db, 'T0002', '李四', '第一中学');
    expect(await forwardDeclaration(x.db, d.id, plain, actor(leader), now)).toMatchObject({ ok: false, reason: 'bad_forward' });
    expect(await forwardDeclaration(x.db, d.id, teacher, actor(leader), now)).toMatchObject({ ok: false, reason: 'bad_forward' });
    const fwd = await forwardDeclaration(x.db, d.id, otherLeader, actor(leader), now);
    expect(fwd.ok && fwd.next.map((t) => t.employeeNo)).toEqual(['L0009']);
    await notifyDecision(x.db, fwd, now);
    expect(await outboxLike(x.db, `decl:${d.id}:2:${otherLeader}`)).toHaveLength(1);
    expect(await outboxLike(x.db, `decl:${d.id}:2:${teacher}`)).toHaveLength(0);
    expect(await approveDeclaration(x.db, x.presets, d.id, actor(leader2), now)).toMatchObject({ ok: false, reason: 'not_assignee' });
    expect(await canView(x.db, d.id, { teacherId: leader, roles: new Set(['teacher', 'leader']) })).toBe(true);
    expect(await approveDeclaration(x.db, x.presets, d.id, actor(otherLeader), now)).toMatchObject({ ok: true, finished: true });
  });

  it('the teacher withdraws a pending or returned one (not someone else’s, not an approved one)', async () => {
    const d = await submit();
    expect(await withdrawDeclaration(x.db, d.id, actor(leader), now)).toMatchObject({ ok: false, reason: 'not_owner' });
    expect(await withdrawDeclaration(x.db, d.id, actor(teacher), now)).toMatchObject({ ok: true, declaration: { state: 'withdrawn' } });
    expect((await getDeclaration(x.db, d.id))!.assignees).toEqual([]);
    expect(await approveDeclaration(x.db, x.presets, d.id, actor(leader), now)).toMatchObject({ ok: false, reason: 'wrong_state' });
    const e = await submit();
    await approveDeclaration(x.db, x.presets, e.id, actor(leader), now);
    expect(await withdrawDeclaration(x.db, e.id, actor(teacher), now)).toMatchObject({ ok: false, reason: 'wrong_state' });
    expect(await auditsOf(x.db, 'declaration_withdraw')).toHaveLength(1);
  });
});

describe('views', () => {
  it('canView: the teacher, the approvers (current or past), officers — not a stranger', async () => {
    const d = await submit();
    const roles = (...r: string[]) => new Set(['teacher', ...r]) as Set<'teacher' | 'leader' | 'officer'>;
    expect(await canView(x.db, d.id, { teacherId: teacher, roles: roles() })).toBe(true);
    expect(await canView(x.db, d.id, { teacherId: leader2, roles: roles('leader') })).toBe(true);
    expect(await canView(x.db, d.id, { teacherId: officer, roles: roles('officer') })).toBe(true);
    expect(await canView(x.db, d.id, { teacherId: otherLeader, roles: roles('leader') })).toBe(false);
    const stranger = await staff(x.db, 'T0003', '王五', '第一中学');
    expect(await canView(x.db, d.id, { teacherId: stranger, roles: roles() })).toBe(false);
    await approveDeclaration(x.db, x.presets, d.id, actor(leader), now);
    expect(await canView(x.db, d.id, { teacherId: leader, roles: roles('leader') })).toBe(true);
    expect(await canView(x.db, 999, { teacherId: officer, roles: roles('officer') })).toBe(false);
  });

  it('lists: pending for an approver (oldest first), by state and school', async () => {
    const a = await submit();
    const b = await submit({ project: '第二个项目' });
    const c = await submit({ project: '第三个项目' });
    await approveDeclaration(x.db, x.presets, c.id, actor(leader), now);
    expect((await listPendingFor(x.db, leader2)).map((r) => r.declaration.id)).toEqual([a.id, b.id]);
    expect(await listPendingFor(x.db, otherLeader)).toEqual([]);
    expect((await listDeclarations(x.db, { state: 'approved' })).map((r) => r.declaration.id)).toEqual([c.id]);
    expect(await listDeclarations(x.db, { school: '第二中学' })).toEqual([]);
    expect((await listDeclarations(x.db, { school: '第一中学' })).map((r) => r.teacher.name)).toEqual(['张三', '张三', '张三']);
  });
});

/** The approval card as data: what each reader sees at each state (buttons only for who may still decide). */
import { describe, expect, it } from 'vitest';
import { messagesFor } from '../../../src/bot/i18n/index.js';
import { approvalCard, approvalRequestReply, mayDecideNow, statusLine } from '../../../src/declarations/approval/cards.js';
import type { DeclarationView } from '../../../src/declarations/types.js';
import type { TeacherRow } from '../../../src/ledger/store.js';

const t = messagesFor();
const at = new Date('2026-11-25T02:00:00Z'); // 10:00 Beijing

const person = (id: number, employeeNo: string, name: string, school: string): TeacherRow => ({
  id,
  employeeNo,
  name,
  school,
  hireDate: null,
  normalGraduate: null,
  homeroom: false,
  position: '教师',
  policyId: 'laibin',
  createdAt: at,
  updatedAt: null,
});
const teacher = person(1, 'T0001', '张三', '第一中学');
const leader = person(2, 'L0001', '李校长', '第一中学');

function view(over: Partial<DeclarationView['declaration']> = {}, rest: Partial<DeclarationView> = {}): DeclarationView {
  return {
    declaration: {
      id: 7,
      teacherId: 1,
      project: '国培计划*骨干*研修',
      projectKey: 'x',
      organiser: '广西师范大学',
      startDate: '2026-10-12',
      endDate: '2026-10-14',
      hours: 16,
      category: '网络研修',
      certificateNo: 'GP-1',
      state: 'pending',
      currentStep: 'school',
      recordId: null,
      returnReason: null,
      recordRevokedAt: null,
      recordRevokeReason: null,
      createdAt: at,
      submittedAt: at,
      decidedAt: null,
      updatedAt: at,
      ...over,
    },
    teacher,
    steps: [{ id: 1, declarationId: 7, step: 'school', action: 'submit', actor: 'feishu:ou_t', actorTeacherId: 1, toTeacherId: null, reason: null, at }],
    flags: [],
    evidence: [],
    assignees: [leader],
    ...rest,
  };
}

describe('approval card', () => {
  it('asks its approvers: details, three command buttons, the page link, how to type it', () => {
    const reply = approvalRequestReply(view(), t, { baseUrl: 'https://x.example/' });
    const card = reply.card!;
    expect(card.title).toBe('学时申报待审核 #7');
    expect(card.tone).toBe('blue');
    expect(card.sections[0]!.lines).toEqual([
      '申报人：张三（T0001，第一中学）',
      '培训项目：国培计划*骨干*研修',
      '主办单位：广西师范大学',
      '培训日期：2026-10-12 至 2026-10-14',
      '类别与学时：网络研修 16 学时',
      '证书编号：GP-1',
      '证明材料：未上传',
    ]);
    expect(card.buttons!.map((b) => [b.label, b.value.command, b.value.args])).toEqual([
      ['通过', '通过申报', '7'],
      ['退回', '退回申报', '7'],
      ['转交', '转交申报', '7'],
    ]);
    expect(card.link).toEqual({ label: '查看详情与证明材料', url: 'https://x.example/approve/7' });
    expect(reply.text).toContain('https://x.example/approve/7');
    expect(statusLine(view(), t)).toBe('学校审核中，待 李校长 审核');
  });

  it('has no link without a public address, and no buttons for someone who may not decide', () => {
    expect(approvalCard(view(), t).link).toBeUndefined();
    const other = { teacherId: 99, officer: false };
    expect(approvalCard(view(), t, { viewer: other }).buttons).toEqual([]);
    expect(approvalCard(view(), t, { viewer: { teacherId: 2, officer: false } }).buttons).toHaveLength(3);
    // The school decides first: an officer at the school step only once it is escalated (assigned); never their own.
    expect(mayDecideNow(view(), { teacherId: 99, officer: true })).toBe(false);
    expect(mayDecideNow(view({ currentStep: 'office' }), { teacherId: 99, officer: true })).toBe(true);
    expect(mayDecideNow(view({}, { assignees: [leader, person(99, 'O0001', '钱主任', '教师发展中心')] }), { teacherId: 99, officer: true })).toBe(true);
    expect(mayDecideNow(view({ currentStep: 'office', teacherId: 99 }), { teacherId: 99, officer: true })).toBe(false);
  });

  it('warns of duplicates in orange, naming the earlier item', () => {
    const other = view({ id: 3, project: '国培计划', state: 'approved' }).declaration;
    const flagged = view({}, { flags: [{ id: 1, declarationId: 7, kind: 'certificate_no', otherDeclarationId: 3, otherRecordId: null, otherKey: 'd:3', detail: '', otherDeclaration: other, otherRecord: null }] });
    const card = approvalCard(flagged, t);
    expect(card.tone).toBe('orange');
    expect(card.sections[1]).toEqual({ heading: '疑似重复参训（请核对）', lines: ['⚠ 证书编号相同：申报 #3「国培计划」2026-10-12 至 2026-10-14（已认定）'] });
  });

  it('once decided: green or red, the outcome and the reason, no buttons for anyone', () => {
    const decidedSteps = [...view().steps, { id: 2, declarationId: 7, step: 'school' as const, action: 'return' as const, actor: 'feishu:ou_l', actorTeacherId: 2, toTeacherId: null, reason: '照片不清楚', at }];
    const returned = view({ state: 'returned', currentStep: null, returnReason: '照片不清楚' }, { steps: decidedSteps, assignees: [] });
    const card = approvalCard(returned, t, { viewer: { teacherId: 2, officer: false }, names: new Map([[1, '张三'], [2, '李校长']]) });
    expect(card.tone).toBe('red');
    expect(card.title).toBe('学时申报 #7 · 已退回');
    expect(card.buttons).toEqual([]);
    expect(card.sections.at(-1)!.lines).toEqual(['已退回（2026-11-25 10:00），原因：照片不清楚', '2026-11-25 10:00 张三 提交', '2026-11-25 10:00 李校长 退回：照片不清楚']);
    const approved = approvalCard(view({ state: 'approved', currentStep: null }, { assignees: [] }), t);
    expect(approved.tone).toBe('green');
    expect(approved.buttons).toEqual([]);
  });
});

/**
 * Words moved into the catalogues (issue 15, item 3) read exactly as they did inline. Most moved sentences are
 * asserted by the feature tests through the whole bot; these are the ones no feature test spells out in full.
 */
import { describe, expect, it } from 'vitest';
import { messagesFor } from '../../src/bot/i18n/index.js';
import { declarationChat as D } from '../../src/bot/i18n/zh-CN.declarations.js';
import { escalationReply, reminderReply } from '../../src/deadlines/reminders.js';
import type { DeadlineRow } from '../../src/deadlines/store.js';
import { decisionDoneText } from '../../src/declarations/describe.js';
import type { DecisionOutcome } from '../../src/declarations/types.js';

const t = messagesFor('zh-CN');

describe('moved words read as before', () => {
  it('a bad argument without a message of its own', () => {
    expect(t.errors.argsInvalid).toBe('参数有误');
  });

  it('sign-in: the verb follows the action', () => {
    expect(t.sessions.signIn.codeRequired('师德讲座', 'out')).toBe('「师德讲座」需要签到码：请发送「签退 签到码」，签到码见会场投影。');
    expect(t.sessions.signIn.needCode('师德讲座', 'in')).toBe('请发送「签到 签到码」，例如：签到 123456。签到码见「师德讲座」会场投影。');
  });

  it('deadlines: the school list of a new deadline and the buttons of a reminder and an escalation', () => {
    expect(t.deadlines.audienceSchools(['一中', '二中', '四中'])).toBe('一中、二中、四中');
    const row = { id: 12, title: '年度培训计划' } as DeadlineRow;
    const reminder = reminderReply(t, row, '二中', 3, '2026年4月1日', null);
    expect(reminder.card?.buttons?.[0]?.value).toEqual({ command: '已报送', args: '#12 学校:二中' });
    const escalation = escalationReply(t, row, '2026年4月1日', 2, ['二中'], new Set(), 3);
    expect(escalation.card?.buttons?.[0]?.value).toEqual({ command: '报送情况', args: '#12' });
  });

  it('declarations: forwarded to several people, and the decider told whose declaration it was', () => {
    const people = [
      { name: '王五', employeeNo: 'T0005' },
      { name: '赵六', employeeNo: 'T0006' },
    ];
    const outcome = { ok: true, action: 'forward', declaration: { id: 7 }, next: people } as unknown as Extract<DecisionOutcome, { ok: true }>;
    expect(decisionDoneText(t, outcome, '张三')).toBe('已将申报 #7 转交王五、赵六审核。');
    const a = t.declarations.approval.done;
    expect(a.forwarded(7, a.what('张三', '国培计划'), people)).toBe('已把申报 #7：张三「国培计划」 转交 王五（T0005）、赵六（T0006） 审核。');
  });

  it('the declaration wizard: a wrong form field, and which fields can be edited', () => {
    expect(D.form.wrongField('学时', '学时须大于 0')).toBe('学时：学时须大于 0');
    expect(D.editWhich(['项目', '日期'])).toBe('要修改哪一项？请回复「修改 项目」这样的格式。可修改：项目、日期');
    expect(D.words.edit).toContain(D.words.editGlued);
  });
});

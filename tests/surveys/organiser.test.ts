import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, type Db } from '../../db/client.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { runSchedulerTick } from '../../src/schedule/tick.js';
import { organiserAccount } from '../../src/surveys/organiser.js';
import { sendSurvey } from '../../src/surveys/service.js';
import { addTeacher } from '../helpers/seed.js';
import { seedTeachers } from '../helpers/surveys.js';

/** Who hears that results are in: the actor a round was opened by, reached on their chat account when they have one. */

let db: Db;
beforeEach(() => {
  db = openDatabase(':memory:');
});
afterEach(() => closeDatabase(db));

describe('the organiser', () => {
  it('is read from a chat account, a console login (工号) or a roster id; the CLI and ADMIN_TOKEN have none', () => {
    const id = addTeacher(db, { employeeNo: 'O0009', name: '钱主任' });
    bindAccount(db, 'dingtalk', 'staff-o9', id);
    expect(organiserAccount(db, 'feishu:ou_abc')).toEqual({ platform: 'feishu', accountId: 'ou_abc' });
    expect(organiserAccount(db, 'admin:O0009')).toEqual({ platform: 'dingtalk', accountId: 'staff-o9' });
    expect(organiserAccount(db, `teacher:${id}`)).toEqual({ platform: 'dingtalk', accountId: 'staff-o9' });
    expect(organiserAccount(db, 'admin:NOBODY')).toBeNull();
    expect(organiserAccount(db, 'cli:王老师')).toBeNull();
    expect(organiserAccount(db, 'admin')).toBeNull();
  });

  it('a survey sent from the console: its sender hears once when everyone has answered, with the count only under five', () => {
    const officer = addTeacher(db, { employeeNo: 'O0009', name: '钱主任' });
    bindAccount(db, 'console', 'acc-officer', officer);
    seedTeachers(db, 'console', 2, (i) => `acc-${i}`);
    const now = new Date('2026-11-25T10:00:00+08:00');
    const deps = { db, now, sendAt: now, timeZone: 'Asia/Shanghai' };
    const sent = sendSurvey(deps, {
      questions: [{ key: 'need', kind: 'text', prompt: '需求', required: true }],
      title: '小调研',
      audience: { schools: ['第二小学', '城关幼儿园'] },
      closesAt: new Date(now.getTime() + 7 * 86400_000),
      by: 'admin:O0009',
    });
    expect(sent).toMatchObject({ ok: true, invited: 2 });
    const tick = () => runSchedulerTick({ db, presets: new Map(), timeZone: 'Asia/Shanghai' }, now);
    expect(tick().surveyNotices).toBe(0);
    db.$client.prepare(`update survey_invitations set answered = 1`).run();
    expect(tick().surveyNotices).toBe(1);
    expect(tick().surveyNotices).toBe(0);
    const row = db.$client.prepare(`select target, reply from outbox where idempotency_key like 'survey:%:results'`).get() as { target: string; reply: string };
    expect(JSON.parse(row.target)).toEqual({ type: 'user', accountId: 'acc-officer' });
    expect(JSON.parse(row.reply).text).toContain('「小调研」的问卷结果已出：发出 2 份');
  });
});

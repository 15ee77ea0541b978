import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addRecord, addTeacher } from '../helpers/seed.js';

/** Teachers' words through the whole bot: small talk, other people's figures, records paging, help, roles. */
let app: TestApp;
let zhang: number;

beforeEach(async () => {
  app = await createTestApp({}, { now: '2026-11-25T10:00:00+08:00' });
  zhang = addTeacher(app.db, { employeeNo: 'T0001', name: '张三', school: '第一中学', policyId: 'laibin' });
  addTeacher(app.db, { employeeNo: 'T0002', name: '李四', school: '第二小学', policyId: 'laibin' });
  addRecord(app.db, zhang, { key: 'R1', date: '2026-03-01', hours: 24, category: '集中培训', project: '全员培训' });
});
afterEach(async () => app.cleanup());

const chat = (accountId: string) => new ConsoleSession(app, accountId);

async function bound(): Promise<ConsoleSession> {
  const me = chat('u1');
  await me.send('绑定 T0001 张三');
  return me;
}

describe('small talk', () => {
  it.each([
    ['谢谢', '不客气！有学时问题随时问我。'],
    ['好的', '好的。有需要随时找我。'],
    ['辛苦了', '不辛苦，随时为您服务。'],
    ['好的，谢谢老师！', '不客气！有学时问题随时问我。'],
  ])('「%s」 gets a short friendly answer and no figures', async (text, answer) => {
    const me = await bound();
    const [reply] = await me.send(text);
    expect(reply).toBe(answer);
    expect(reply).not.toMatch(/\d/);
  });

  it('answers an unbound account too', async () => {
    expect(await chat('u9').send('谢谢')).toEqual(['不客气！有学时问题随时问我。']);
  });

  it('is not listed in 帮助', async () => {
    const [help] = await (await bound()).send('帮助');
    expect(help).not.toContain('闲聊');
  });
});

describe('asking in everyday words', () => {
  it.each(['学时查询', '查学时', '我现在有多少学时了', '学分', '学时多少', '老师您好，请问我还差多少学时？', 'ｈｏｕｒｓ'])(
    '「%s」 answers the asker’s own figures',
    async (text) => {
      const [reply] = await (await bound()).send(text);
      expect(reply).toContain('已修 24 学时');
    },
  );

  it.each(['李四还差多少学时', '李四老师还差多少学时', '帮我查一下T0002的学时', '查一下李四的记录'])('refuses 「%s」 without a figure', async (text) => {
    const [reply] = await (await bound()).send(text);
    expect(reply).toBe('只能查询本人的学时。如需查看他人情况，请联系学校或培训管理员。');
  });

  it('answers when the asker names themself', async () => {
    const [reply] = await (await bound()).send('张三还差多少学时');
    expect(reply).toContain('已修 24 学时');
  });
});

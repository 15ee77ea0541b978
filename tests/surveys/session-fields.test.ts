import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tables } from '../../db/handle.js';
import { schema } from '../../db/client.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { loadPresets } from '../../src/policy/presets.js';
import { parseCreateText } from '../../src/sessions/syntax.js';
import { resultsBy } from '../../src/surveys/results.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { seedOfficer, seedTeachers } from '../helpers/surveys.js';

/** A session's 讲师 and 项目, given in 新建培训's line, so its evaluation's results can be grouped by them. */

const preset = loadPresets().get('laibin');
const parse = (text: string) => parseCreateText(text, { today: '2026-11-25', preset });

describe('讲师 and 项目 in 新建培训', () => {
  it('are read only with a colon; without one the word stays in the title; lines without them read as before', () => {
    const read = parse('师德专题讲座 师德师风 3 2026-12-01 08:30-09:15 讲师：李明 项目:国培2026');
    expect(read).toMatchObject({ ok: true, value: { title: '师德专题讲座', trainer: '李明', project: '国培2026' } });
    expect(parse('项目 管理 集中培训 3 2026-12-01 08:30-09:15')).toMatchObject({ ok: true, value: { title: '项目 管理' } });
    const plain = parse('师德专题讲座 师德师风 3 2026-12-01 08:30-09:15');
    expect(plain.ok && 'trainer' in plain.value).toBe(false);
  });

  describe('in chat', () => {
    let app: TestApp;
    beforeEach(async () => {
      app = await createTestApp({}, { now: '2026-11-25T10:00:00+08:00' });
      await seedOfficer(app.db, 'console', 'acc-officer');
      await seedTeachers(app.db, 'console', 2, (i) => `acc-${i}`);
    });
    afterEach(async () => app.cleanup());

    it('are stored on the session, and the results name the trainer', async () => {
      const [reply] = await new ConsoleSession(app, 'acc-officer').send('新建培训 作业设计 集中培训 3 明天 08:30-09:15 讲师:李明 项目:国培2026');
      expect(reply).toContain('作业设计');
      expect((await app.db.select({ trainer: tables(app.db).trainingSessions.trainer, project: tables(app.db).trainingSessions.project }).from(tables(app.db).trainingSessions))).toEqual([
        { trainer: '李明', project: '国培2026' },
      ]);
      const session = (await app.db.select().from(tables(app.db).trainingSessions).limit(1))[0]!;
      await new ConsoleSession(app, 'acc-officer').send(`结束培训 ${session.id}`);
      expect((await resultsBy(app.db, { by: 'trainer' })).map((g) => [g.key, g.invited])).toEqual([['李明', 0]]);
    });

    it("are named in 帮助 and in the usage, and the usage's own example creates a session with them", async () => {
      const officer = new ConsoleSession(app, 'acc-officer');
      const [help] = await officer.send('帮助');
      const helpLine = help.split('\n').find((l) => l.includes('新建培训 <标题>'))!;
      expect(helpLine).toContain('[讲师:姓名]');
      expect(helpLine).toContain('[项目:名称]');
      const [refused] = await officer.send('新建培训 作业设计');
      expect(refused).toContain('[讲师:姓名] [项目:名称]');
      const example = /例如：(新建培训 [^（\n]+)/.exec(refused)![1];
      expect(example).toContain('讲师:');
      expect(example).toContain('项目:');
      // Its schools (一中, 二中) are made up; this roster's teachers are at 第二小学 and 城关幼儿园.
      const [created] = await officer.send(example.replace(/学校:\S+/, '学校:第二小学'));
      expect(created).toContain('· 讲师：李明，项目：国培2026');
      expect((await app.db.select({ trainer: tables(app.db).trainingSessions.trainer, project: tables(app.db).trainingSessions.project }).from(tables(app.db).trainingSessions))).toEqual([
        { trainer: '李明', project: '国培2026' },
      ]);
      // Without them the confirmation has no such line.
      const [plain] = await officer.send('新建培训 班会设计 集中培训 2 明天 14:00-14:30');
      expect(plain).not.toContain('讲师');
    });
  });
});

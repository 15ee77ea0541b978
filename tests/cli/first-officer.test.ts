/**
 * The README's first-officer steps, as an office runs them on a fresh install: import the roster, `officer add`,
 * `bind-code` (the CLI's own entry point against a real database), then `绑定 <工号> <姓名> <绑定码>` in chat on a bot
 * serving that same database.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXueshi } from '../../src/app.js';
import { runCli } from '../../src/cli/main.js';
import { FixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { PLATFORM_SETTINGS } from '../../src/platforms/settings.js';
import { silentLogger } from '../../src/logger.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { testDatabase, type TestDatabase } from '../helpers/db.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let database: TestDatabase;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database?.drop());

/** One CLI invocation, in process (runCli never exits the process), against the same database. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk, _enc, done) {
        out[key] += String(chunk);
        done();
      },
    });
  const env = { ...database.env, XUESHI_NOW: '2026-11-25T10:00:00+08:00', LOG_LEVEL: 'silent' };
  const code = await runCli(args, { env, stdout: sink('stdout'), stderr: sink('stderr') });
  return { code, ...out };
}

describe('first officer (CLI, then chat)', () => {
  it('officer add says what to do next; bind-code gives a code the officer binds with once', async () => {
    expect((await cli(['import', 'teachers', join(root, 'tests', 'fixtures', 'import', 'teachers.csv')])).code).toBe(0);
    const added = await cli(['officer', 'add', 'T002']);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('下一步：npm run cli -- bind-code T002 生成绑定码，本人在聊天中发送「绑定 T002 李四 <绑定码>」');

    const refused = await cli(['bind-code', 'T001']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('张三（工号 T001）不是培训管理员或学校负责人');

    const issued = await cli(['bind-code', 'T002']);
    expect(issued.stderr).toBe('');
    expect(issued.code).toBe(0);
    expect(issued.stdout).toContain('李四（工号 T002，第一中学）的绑定码：');
    expect(issued.stdout).toContain('2026-11-26 10:00 前有效，仅可使用一次');
    const code = /绑定码：(\d{8})/.exec(issued.stdout)![1];
    expect(issued.stdout).toContain(`绑定 T002 李四 ${code}`);

    const app = await createXueshi({ config: loadConfig({ ...database.env, LOG_LEVEL: 'silent' }, PLATFORM_SETTINGS), logger: silentLogger, clock: new FixedClock('2026-11-25T10:05:00+08:00') });
    await app.start();
    try {
      const chat = (id: string) => new ConsoleSession(app, id);
      expect((await chat('someone').send('绑定 T002 李四'))[0]).toContain('没有绑定成功');
      expect((await chat('officer').send(`绑定 T002 李四 ${code}`))[0]).toContain('绑定成功：李四（第一中学）');
      expect((await chat('officer').send('我是谁'))[0]).toContain('培训管理员');
      expect((await chat('other').send(`绑定 T002 李四 ${code}`))[0]).toContain('没有绑定成功');
    } finally {
      await app.stop();
    }
  });
});

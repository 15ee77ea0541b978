import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { updateSessionStatus } from '../../src/sessions/store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addTeacher } from '../helpers/seed.js';
import { addSession, signIn } from '../helpers/surveys.js';

/**
 * Logs never carry what people type. A comment written after an evaluation closed reaches the bot as an unknown
 * command; the log says that it happened, how long the text was and a mark that tells repeats apart, not the words.
 */
let app: TestApp | undefined;
afterEach(async () => {
  await app?.cleanup();
  app = undefined;
});

const COMMENT = '王老师讲得太快了，第三部分我没听懂，手机13800138000';

describe('message text in logs', () => {
  it('an unrecognised message is logged by length and mark, never by its words', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    app = await createTestApp({}, { logger });
    const teacher = await addTeacher(app.db, { employeeNo: 'T0001', name: '张三' });
    // A session that ended days ago, closed: the teacher has no evaluation open to answer.
    const session = await addSession(app.db, { title: '新课标研修', date: '2026-11-20', start: '09:00', end: '09:30', createdBy: 'console:officer' });
    await signIn(app.db, session, [teacher]);
    await updateSessionStatus(app.db, session.id, 'closed');
    const replies: string[] = [];
    app.console.onReply((m) => replies.push(m.reply.text));
    await app.console.say('绑定 T0001 张三');
    await app.console.say('评价');
    await app.console.say(COMMENT);
    await app.console.say(COMMENT);
    await app.console.say('随便说一句');
    await app.bot.drain();
    await app.outbox.whenIdle();

    expect(replies.at(-1)).toBeTruthy();
    const unknown = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'unknown command');
    expect(unknown).toHaveLength(3);
    expect(unknown[0].text).toEqual({ length: [...COMMENT].length, mark: expect.stringMatching(/^[0-9a-f]{10}$/) });
    // The same words give the same mark (a repeat shows), other words another.
    expect(unknown[1].text.mark).toBe(unknown[0].text.mark);
    expect(unknown[2].text).toEqual({ length: 5, mark: expect.not.stringMatching(unknown[0].text.mark) });
    // No line holds any part of it (six characters of it anywhere would be a leak).
    const all = lines.join('\n');
    for (let i = 0; i + 6 <= COMMENT.length; i++) expect(all).not.toContain(COMMENT.slice(i, i + 6));
    expect(all).not.toContain('随便说一句');
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { roundOfSession } from '../../src/surveys/store.js';
import { runSessionsCli } from '../../src/cli/sessions.js';
import type { TestApp } from '../helpers/app.js';
import { count, post, signInWithToken, startAdmin } from '../helpers/admin.js';
import { addSession, seedTeachers, signIn } from '../helpers/surveys.js';

/** The two other ways a session is closed, the console's button and the CLI, open its evaluation at once too. */

let app: TestApp;
beforeEach(async () => {
  app = await startAdmin();
});
afterEach(async () => app.cleanup());

describe('closing from the console and the CLI', () => {
  it('the console close invites the attendees and says so; closing again adds nothing', async () => {
    const teachers = await seedTeachers(app.db, 'console', 3, (i) => `acc-${i}`);
    const session = await addSession(app.db, { title: '心理健康教育', date: '2026-11-25', start: '14:00', end: '15:00', createdBy: 'admin:token' });
    await signIn(app.db, session, teachers.slice(0, 2));
    const { cookie, csrf } = await signInWithToken(app);
    const res = await post(app, `/admin/sessions/${session.id}/close`, { _csrf: csrf }, { cookie });
    expect(res.status).toBe(303);
    // The flash the officer reads on the next page, as its cookie carries it.
    const flash = /=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1];
    expect(JSON.parse(Buffer.from(flash, 'base64url').toString('utf8')).text).toContain('已向 2 位签到的老师发出匿名评价邀请');
    expect(await roundOfSession(app.db, session.id)).not.toBeNull();
    expect(await count(app, 'survey_invitations')).toBe(2);
    await post(app, `/admin/sessions/${session.id}/close`, { _csrf: csrf }, { cookie });
    expect(await count(app, 'survey_invitations')).toBe(2);
    expect(await count(app, 'outbox', `idempotency_key like 'survey:%:invite:%'`)).toBe(2);
  });

  it('the CLI close invites them too', async () => {
    const teachers = await seedTeachers(app.db, 'console', 3, (i) => `acc-${i}`);
    const session = await addSession(app.db, { title: '校本研修', date: '2026-11-25', start: '14:00', end: '15:00', createdBy: 'cli:王老师' });
    await signIn(app.db, session, teachers);
    let out = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) } };
    const code = await runSessionsCli(['close', String(session.id)], {
      db: app.db,
      clock: app.fixedClock,
      timeZone: 'Asia/Shanghai',
      presets: app.presets,
      defaultPolicy: app.config.DEFAULT_POLICY,
      ...io,
    });
    expect(code).toBe(0);
    expect(out).toContain('已向 3 位签到的老师发出匿名评价邀请');
    expect(await count(app, 'survey_invitations')).toBe(3);
  });
});

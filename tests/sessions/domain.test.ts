import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { loadPresets } from '../../src/policy/presets.js';
import { rotatingCode, stepOf } from '../../src/sessions/code.js';
import { createSession } from '../../src/sessions/service.js';
import { lockedUntil, signIn, signOut } from '../../src/sessions/signin.js';
import { windowState, type SessionRow } from '../../src/sessions/model.js';
import { seedTeacher } from '../helpers/roster-seed.js';
import { closeTestDb, openTestDb } from '../helpers/db.js';

let db: Db;
const presets = loadPresets();
const t = (hhmmss: string) => new Date(`2026-03-02T${hhmmss}+08:00`);

beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDb(db));

const records = () => db.select().from(tables(db).records);

async function session(overrides: Record<string, unknown> = {}): Promise<SessionRow> {
  const r = await createSession(
    db,
    { title: '讲座', category: '师德', hours: 2.5, date: '2026-03-02', checkin: { start: '08:30', end: '09:15' }, audience: { all: true }, mode: 'rotating', ...overrides },
    { now: t('08:00:00'), timeZone: 'Asia/Shanghai', createdBy: 'test', presets, defaultPolicy: 'laibin' },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.problem));
  return r.session;
}

describe('windows', () => {
  it('include both end minutes whole', async () => {
    await seedTeacher(db, { employeeNo: 'T1', name: '甲' });
    const s = await session();
    expect(windowState(s, 'checkin', new Date(t('08:30:00').getTime() - 1))).toBe('before');
    expect(windowState(s, 'checkin', t('08:30:00'))).toBe('open');
    expect(windowState(s, 'checkin', new Date(t('09:16:00').getTime() - 1))).toBe('open');
    expect(windowState(s, 'checkin', t('09:16:00'))).toBe('after');
    expect(windowState(s, 'checkout', t('09:00:00'))).toBeNull();
  });

  it('normalises the category through the preset aliases (师德 → 师德师风)', async () => {
    await seedTeacher(db, { employeeNo: 'T1', name: '甲' });
    expect((await session()).category).toBe('师德师风');
  });
});

describe('signIn / signOut', () => {
  it('writes one record keyed session:<id>:<工号>, never a second', async () => {
    const teacher = await seedTeacher(db, { employeeNo: 'T1', name: '甲' });
    const s = await session();
    const code = { code: rotatingCode(s.secret, stepOf(t('08:40:00').getTime())) };
    expect(await signIn(db, t('08:40:00'), s, teacher, code, 'test')).toMatchObject({ kind: 'signed_in', credited: true });
    expect(await signIn(db, t('08:40:10'), s, teacher, code, 'test')).toMatchObject({ kind: 'already_signed_in' });
    const rows = await records();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ recordKey: `session:${s.id}:T1`, hours: 2.5, source: 'session' });
  });

  it('a button proof never replaces a code; a static mismatch is a wrong code', async () => {
    const teacher = await seedTeacher(db, { employeeNo: 'T1', name: '甲' });
    expect(await signIn(db, t('08:40:00'), await session(), teacher, { button: true }, 'test')).toMatchObject({ kind: 'code_required' });
    expect(await signIn(db, t('08:40:00'), await session({ mode: 'static', staticCode: '1234' }), teacher, { code: '4321' }, 'test')).toEqual({ kind: 'wrong_code' });
  });

  it('sign-out credits; sign-out without a window says so', async () => {
    const teacher = await seedTeacher(db, { employeeNo: 'T1', name: '甲' });
    const s = await session({ mode: 'button', checkout: { start: '11:30', end: '12:00' } });
    expect(await signIn(db, t('08:40:00'), s, teacher, { button: true }, 'test')).toMatchObject({ kind: 'signed_in', credited: false });
    expect(await records()).toHaveLength(0);
    expect(await signOut(db, t('12:01:00'), s, teacher, { button: true })).toMatchObject({ kind: 'too_late', phase: 'checkout' });
    expect(await signOut(db, t('12:00:59'), s, teacher, { button: true })).toMatchObject({ kind: 'signed_out' });
    expect(await records()).toHaveLength(1);
    expect(await signOut(db, t('11:40:00'), await session({ mode: 'button' }), teacher, { button: true })).toMatchObject({ kind: 'no_checkout' });
  });
});

describe('wrong-code bursts', () => {
  const fail = (at: Date) => db.insert(tables(db).signinAttempts).values({ platform: 'feishu', accountId: 'ou_1', at, ok: false });

  it('locks for 10 minutes after the 5th failure within 10 minutes', async () => {
    for (const s of ['08:40:00', '08:41:00', '08:42:00', '08:43:00']) await fail(t(s));
    expect(await lockedUntil(db, 'feishu', 'ou_1', t('08:44:00'))).toBeNull();
    await fail(t('08:49:59'));
    expect(await lockedUntil(db, 'feishu', 'ou_1', t('08:50:00'))).toEqual(t('08:59:59'));
    expect(await lockedUntil(db, 'feishu', 'ou_2', t('08:50:00'))).toBeNull();
    expect(await lockedUntil(db, 'feishu', 'ou_1', t('08:59:59'))).toBeNull();
  });

  it('does not lock for five failures spread over more than 10 minutes', async () => {
    for (const s of ['08:40:00', '08:43:00', '08:46:00', '08:49:00', '08:50:00']) await fail(t(s));
    expect(await lockedUntil(db, 'feishu', 'ou_1', t('08:50:01'))).toBeNull();
  });
});

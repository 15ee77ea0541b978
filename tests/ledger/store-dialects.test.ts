/**
 * The ledger's stores (src/ledger/store.ts, src/meta/store.ts, src/bot/store.ts, src/cli/store.ts) on the database
 * this run uses: SQLite by default, PostgreSQL with TEST_DATABASE_URL (issue 16). Every exported function, with the
 * values that differ by dialect checked as the app reads them: flags as booleans, times as Dates, counts and sums
 * as numbers, like as a prefix match, rows in the stated order.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { dialectOf, tables } from '../../db/handle.js';
import { transaction } from '../../db/statements.js';
import { chatStateValue, deleteChatState, sharedNames, statesOlderThan, upsertChatState } from '../../src/bot/store.js';
import {
  boundAccountCount,
  countTeachersNotPrefixed,
  deleteRecordsByKeyPrefix,
  grantDemoRole,
  insertDemoRecords,
  officerList,
  upsertDemoTeacher,
  type DemoRecordValues,
} from '../../src/cli/store.js';
import type { TeacherValues } from '../../src/import/rules.js';
import {
  accountByPlatformId,
  accountOfTeacherOn,
  accountsOfTeacher,
  activeRecords,
  bindFailures,
  boundTeacherCount,
  cancelRecord,
  countTeachers,
  deleteAccountsOf,
  deleteRole,
  demoEmployeeNos,
  employeeNosDemoFirst,
  findTeacherByAccount,
  findTeacherByEmployeeNo,
  findTeacherById,
  hasStaffRole,
  insertAccount,
  insertAudit,
  insertBindFailure,
  insertRole,
  liveBindCode,
  markBindCodeUsed,
  recentRecords,
  recordWithTeacher,
  replaceBindCode,
  rolesOf,
  schoolRosterRows,
  teacherNameRows,
  updateRecordValues,
  validRecordRows,
  validRecordTotals,
} from '../../src/ledger/store.js';
import { hoursSummary } from '../../src/ledger/summary.js';
import { anyMetaKeyStartingWith, metaValue, setMetaValue, setMetaValueOnce } from '../../src/meta/store.js';
import { loadPresets } from '../../src/policy/presets.js';
import { onPostgres, useTestDb } from '../helpers/db.js';

const t = useTestDb();
const dialect = onPostgres() ? 'postgres' : 'sqlite';

function teacher(employeeNo: string, over: Partial<TeacherValues> = {}): TeacherValues {
  return {
    employeeNo,
    name: `教师${employeeNo}`,
    school: '第一中学',
    hireDate: '2015-09-01',
    normalGraduate: null,
    homeroom: false,
    position: '教师',
    policyId: 'laibin',
    ...over,
  };
}

const record = (teacherId: number, key: string, date: string, hours: number, category = '集中培训'): DemoRecordValues => ({
  key,
  teacherId,
  date,
  hours,
  category,
  project: `项目${key}`,
});

describe(`the ledger's stores on ${dialect}`, () => {
  it('runs on the dialect the run asked for', () => {
    expect(dialectOf(t.db)).toBe(dialect);
  });

  it('teachers: upsert by 工号, look-ups (exact, normalised, legacy case), counts, roster rows, shared names', async () => {
    const db = t.db;
    const a = await upsertDemoTeacher(db, teacher('T001', { homeroom: true, normalGraduate: true, position: '校长' }));
    const again = await upsertDemoTeacher(db, teacher('T001', { name: '张三', homeroom: true, normalGraduate: true, position: '校长' }));
    expect(again).toBe(a);
    const b = await upsertDemoTeacher(db, teacher('DEMO002', { name: '张三', school: '第二小学' }));
    // Stored before imports normalised 工号: found by the case-insensitive second look-up.
    const legacy = await upsertDemoTeacher(db, teacher('t009', { name: '王五', normalGraduate: false }));

    const zhang = await findTeacherById(db, a);
    expect(zhang).toMatchObject({ id: a, employeeNo: 'T001', name: '张三', homeroom: true, normalGraduate: true, position: '校长', updatedAt: null });
    expect(zhang!.createdAt).toBeInstanceOf(Date);
    expect(await findTeacherById(db, 999_999)).toBeNull();
    expect(await findTeacherByEmployeeNo(db, 'ｔ００１')).toEqual(zhang);
    expect((await findTeacherByEmployeeNo(db, 'T009'))?.id).toBe(legacy);
    expect((await findTeacherByEmployeeNo(db, 'T009'))?.normalGraduate).toBe(false);
    expect(await findTeacherByEmployeeNo(db, 'T404')).toBeNull();
    expect(await findTeacherByEmployeeNo(db, '  ')).toBeNull();

    expect(await countTeachers(db)).toBe(3);
    expect(await countTeachersNotPrefixed(db, 'DEMO')).toBe(2);
    expect(await employeeNosDemoFirst(db)).toEqual(['DEMO002', 'T001', 't009']);
    expect(await demoEmployeeNos(db)).toEqual(['DEMO002']);
    expect((await teacherNameRows(db)).sort((x, y) => x[0] - y[0])).toEqual([
      [a, 'T001', '张三'],
      [b, 'DEMO002', '张三'],
      [legacy, 't009', '王五'],
    ]);
    expect((await schoolRosterRows(db, '第一中学')).sort((x, y) => x[0] - y[0])).toEqual([
      [a, 'T001', '张三', '校长', true],
      [legacy, 't009', '王五', '教师', false],
    ]);
    expect(await schoolRosterRows(db, '无此校')).toEqual([]);
    expect(await sharedNames(db)).toEqual(new Set(['张三']));
  });

  it('accounts: bind, find the caller by account (same row as by id), count, unbind', async () => {
    const db = t.db;
    const a = await upsertDemoTeacher(db, teacher('T001', { homeroom: true }));
    const b = await upsertDemoTeacher(db, teacher('T002', { school: '第二小学' }));
    await insertAccount(db, 'feishu', 'ou_a', a);
    await insertAccount(db, 'dingtalk', 'staff-a', a);
    await insertAccount(db, 'feishu', 'ou_b', b);

    expect(await findTeacherByAccount(db, 'feishu', 'ou_a')).toEqual(await findTeacherById(db, a));
    expect(await findTeacherByAccount(db, 'feishu', 'nobody')).toBeNull();
    expect(await accountByPlatformId(db, 'feishu', 'ou_b')).toMatchObject({ platform: 'feishu', accountId: 'ou_b', teacherId: b });
    expect((await accountByPlatformId(db, 'feishu', 'ou_b'))!.boundAt).toBeInstanceOf(Date);
    expect(await accountByPlatformId(db, 'dingtalk', 'ou_b')).toBeUndefined();
    expect((await accountOfTeacherOn(db, 'dingtalk', a))?.accountId).toBe('staff-a');
    expect(await accountOfTeacherOn(db, 'dingtalk', b)).toBeUndefined();
    expect((await accountsOfTeacher(db, a)).map((r) => r.accountId).sort()).toEqual(['ou_a', 'staff-a']);
    expect(await boundTeacherCount(db, '第一中学')).toBe(1);
    expect(await boundAccountCount(db, a)).toBe(2);

    expect(await deleteAccountsOf(db, a, 'dingtalk')).toBe(1);
    expect(await deleteAccountsOf(db, a)).toBe(1);
    expect(await deleteAccountsOf(db, a)).toBe(0);
    expect(await boundTeacherCount(db, '第一中学')).toBe(0);
    expect(await boundAccountCount(db, b)).toBe(1);
  });

  it('roles: granted once, listed, revoked once; officers by 工号 with who granted and when', async () => {
    const db = t.db;
    const a = await upsertDemoTeacher(db, teacher('T002'));
    const b = await upsertDemoTeacher(db, teacher('T001'));
    expect(await rolesOf(db, null)).toEqual(new Set());
    expect(await hasStaffRole(db, a)).toBe(false);
    expect(await insertRole(db, a, 'officer', 'cli')).toBe(true);
    expect(await insertRole(db, a, 'officer', 'cli')).toBe(false);
    await grantDemoRole(db, b, 'officer');
    await grantDemoRole(db, b, 'officer');
    await grantDemoRole(db, b, 'leader');
    expect(await rolesOf(db, await findTeacherById(db, b))).toEqual(new Set(['teacher', 'officer', 'leader']));
    expect(await hasStaffRole(db, a)).toBe(true);

    const officers = await officerList(db);
    expect(officers.map((o) => [o.teacher.employeeNo, o.grantedBy])).toEqual([
      ['T001', 'demo'],
      ['T002', 'cli'],
    ]);
    expect(officers[0].grantedAt).toBeInstanceOf(Date);
    expect(officers[0].teacher.homeroom).toBe(false);

    expect(await deleteRole(db, a, 'officer')).toBe(true);
    expect(await deleteRole(db, a, 'officer')).toBe(false);
    expect(await rolesOf(db, await findTeacherById(db, a))).toEqual(new Set(['teacher']));
  });

  it('records: the summary input, pages, totals by year, by 编号 or id, cancel once, correct, drop demo ones', async () => {
    const db = t.db;
    const a = await upsertDemoTeacher(db, teacher('T001'));
    const b = await upsertDemoTeacher(db, teacher('T002'));
    // More rows than one INSERT takes: the bulk insert goes in chunks.
    const many = Array.from({ length: 620 }, (_, i) => record(b, `DEMO-T002-${i}`, `2024-0${1 + (i % 9)}-1${i % 10}`, 0.5));
    await insertDemoRecords(db, [
      record(a, 'K1', '2025-03-01', 8),
      record(a, 'K2', '2025-10-01', 2.5, '网络研修'),
      record(a, 'K3', '2026-01-15', 4),
      record(a, 'K4', '2026-12-31', 6),
      ...many,
    ]);

    expect((await activeRecords(db, a, '2026-06-30')).sort((x, y) => x.date.localeCompare(y.date))).toEqual([
      { date: '2025-03-01', hours: 8, category: '集中培训' },
      { date: '2025-10-01', hours: 2.5, category: '网络研修' },
      { date: '2026-01-15', hours: 4, category: '集中培训' },
    ]);
    expect((await recentRecords(db, a, 2)).map((r) => r.recordKey)).toEqual(['K4', 'K3']);
    expect(await validRecordTotals(db, a, null)).toEqual({ n: 4, hours: 20.5 });
    expect(await validRecordTotals(db, a, 2025)).toEqual({ n: 2, hours: 10.5 });
    expect(await validRecordTotals(db, a, 2019)).toEqual({ n: 0, hours: 0 });
    expect(await validRecordTotals(db, b, null)).toEqual({ n: 620, hours: 310 });
    expect(await validRecordRows(db, a, null, 2, 1)).toEqual([
      { date: '2026-01-15', hours: 4, category: '集中培训', project: '项目K3' },
      { date: '2025-10-01', hours: 2.5, category: '网络研修', project: '项目K2' },
    ]);

    const byKey = await recordWithTeacher(db, { key: 'K2' });
    expect(byKey?.teacher.employeeNo).toBe('T001');
    expect(byKey?.record).toMatchObject({ recordKey: 'K2', hours: 2.5, cancelledAt: null, source: 'demo' });
    expect((await recordWithTeacher(db, { id: byKey!.record.id }))?.record.recordKey).toBe('K2');
    expect(await recordWithTeacher(db, { key: 'nope' })).toBeNull();

    const now = new Date('2026-11-25T02:00:00Z');
    expect(await cancelRecord(db, byKey!.record.id, '重复', now)).toBe(true);
    expect(await cancelRecord(db, byKey!.record.id, '重复', now)).toBe(false);
    const cancelled = (await recordWithTeacher(db, { key: 'K2' }))!.record;
    expect(cancelled.cancelledAt?.getTime()).toBe(now.getTime());
    expect(cancelled.cancelReason).toBe('重复');
    expect(await validRecordTotals(db, a, 2025)).toEqual({ n: 1, hours: 8 });

    const k1 = (await recordWithTeacher(db, { key: 'K1' }))!.record;
    await updateRecordValues(db, k1.id, { hours: 7.5, category: '校本研修', date: '2026-03-02' });
    expect((await recordWithTeacher(db, { key: 'K1' }))!.record).toMatchObject({ hours: 7.5, category: '校本研修', date: '2026-03-02' });

    // The hours summary over the same rows (the one query behind every hours answer): laibin's cycle began in
    // 2026, so the corrected K1 and K3 count; K2 is cancelled and K4 is after the date asked.
    const summary = await hoursSummary(db, loadPresets(), (await findTeacherById(db, a))!, '2026-06-30');
    expect(summary.earned).toBe(11.5);

    await deleteRecordsByKeyPrefix(db, 'DEMO-');
    expect(await validRecordTotals(db, b, null)).toEqual({ n: 0, hours: 0 });
    expect((await validRecordTotals(db, a, null)).n).toBe(3);
  });

  it('audit rows and 绑定 failures: counted per account, chat and 工号 within the window, old ones forgotten', async () => {
    const db = t.db;
    await insertAudit(db, 'cli', 'test_action', JSON.stringify({ n: 1 }));
    const { auditLog } = tables(db);
    const [row] = await db.select().from(auditLog).where(eq(auditLog.action, 'test_action'));
    expect(row).toMatchObject({ actor: 'cli', detail: '{"n":1}' });
    expect(row.at).toBeInstanceOf(Date);

    const at = (minutes: number) => new Date(Date.UTC(2026, 10, 25, 2, minutes));
    const key = { platform: 'feishu', accountId: 'ou_1', chatId: 'oc_1', employeeNo: 'T001' };
    await insertBindFailure(db, { ...key, at: at(0) }, at(-60));
    await insertBindFailure(db, { ...key, accountId: 'ou_2', at: at(5) }, at(-60));
    await insertBindFailure(db, { ...key, chatId: 'oc_2', employeeNo: 'T002', at: at(10) }, at(-60));
    expect(await bindFailures(db, key, at(-1))).toEqual({ account: 2, chat: 2, employeeNo: 2 });
    expect(await bindFailures(db, key, at(5))).toEqual({ account: 1, chat: 0, employeeNo: 0 });
    // A failure at 40 forgets those before 4: the first one is gone.
    await insertBindFailure(db, { ...key, platform: 'dingtalk', at: at(40) }, at(4));
    expect(await bindFailures(db, key, at(-1))).toEqual({ account: 1, chat: 1, employeeNo: 2 });
  });

  it('绑定码: only the latest unused, unexpired code of its teacher is live; used once', async () => {
    const db = t.db;
    const a = await upsertDemoTeacher(db, teacher('T001'));
    const b = await upsertDemoTeacher(db, teacher('T002'));
    const now = new Date('2026-11-25T02:00:00Z');
    const day = 24 * 3600_000;
    const code = (hash: string, teacherId: number, createdAt: Date) => ({
      codeHash: hash,
      teacherId,
      createdBy: 'cli',
      createdAt,
      expiresAt: new Date(createdAt.getTime() + day),
      usedAt: null,
    });
    await replaceBindCode(db, code('h1', a, now), new Date(now.getTime() - day));
    expect(await liveBindCode(db, 'h1', a, now)).toBe('h1');
    expect(await liveBindCode(db, 'h1', b, now)).toBeNull();
    expect(await liveBindCode(db, 'h1', a, new Date(now.getTime() + day))).toBeNull();

    await replaceBindCode(db, code('h2', a, new Date(now.getTime() + 1000)), new Date(now.getTime() - day));
    expect(await liveBindCode(db, 'h1', a, now)).toBeNull();
    expect(await liveBindCode(db, 'h2', a, now)).toBe('h2');
    // The same hash drawn again renews its row.
    await replaceBindCode(db, code('h2', a, new Date(now.getTime() + 2000)), new Date(now.getTime() - day));
    expect(await liveBindCode(db, 'h2', a, now)).toBe('h2');

    await markBindCodeUsed(db, 'h2', now);
    expect(await liveBindCode(db, 'h2', a, now)).toBeNull();
  });

  it('meta marks: set, overwrite, set once, by prefix', async () => {
    const db = t.db;
    expect(await metaValue(db, 'data_kind')).toBeUndefined();
    await setMetaValue(db, 'data_kind', 'demo');
    await setMetaValue(db, 'data_kind', 'real');
    expect(await metaValue(db, 'data_kind')).toBe('real');
    await setMetaValueOnce(db, 'scheduler:pace:2026-11', 'a');
    await setMetaValueOnce(db, 'scheduler:pace:2026-11', 'b');
    expect(await metaValue(db, 'scheduler:pace:2026-11')).toBe('a');
    expect(await anyMetaKeyStartingWith(db, 'scheduler:pace:')).toBe(true);
    expect(await anyMetaKeyStartingWith(db, 'scheduler:digest:')).toBe(false);
  });

  it('chat state: per account and key, overwritten, deleted, the stale ones oldest first', async () => {
    const db = t.db;
    const one = { platform: 'feishu', accountId: 'ou_1' };
    const two = { platform: 'dingtalk', accountId: 'ou_1' };
    const at = (minutes: number) => new Date(Date.UTC(2026, 10, 25, 2, minutes));
    await upsertChatState(db, one, 'draft', '{"a":1}', at(10));
    await upsertChatState(db, one, 'draft', '{"a":2}', at(20));
    await upsertChatState(db, two, 'draft', '{"b":1}', at(5));
    await upsertChatState(db, one, 'records', '{"page":2}', at(1));
    expect(await chatStateValue(db, one, 'draft')).toBe('{"a":2}');
    expect(await chatStateValue(db, two, 'records')).toBeUndefined();

    const stale = await statesOlderThan(db, 'draft', at(30));
    expect(stale.map((r) => [r.platform, r.value])).toEqual([
      ['dingtalk', '{"b":1}'],
      ['feishu', '{"a":2}'],
    ]);
    expect(stale[0].updatedAt.getTime()).toBe(at(5).getTime());
    expect(await statesOlderThan(db, 'draft', at(30), 1)).toHaveLength(1);
    expect(await statesOlderThan(db, 'draft', at(5))).toEqual([]);

    await deleteChatState(db, one, 'draft');
    expect(await chatStateValue(db, one, 'draft')).toBeUndefined();
    expect(await chatStateValue(db, one, 'records')).toBe('{"page":2}');
  });

  it('runs inside a transaction on its handle: a failure rolls every store write back', async () => {
    const db = t.db;
    const a = await upsertDemoTeacher(db, teacher('T001'));
    await expect(
      transaction(db, async (tx: Db) => {
        await insertRole(tx, a, 'leader', 'cli');
        await insertAccount(tx, 'feishu', 'ou_a', a);
        await setMetaValue(tx, 'data_kind', 'real');
        expect(await hasStaffRole(tx, a)).toBe(true);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await hasStaffRole(db, a)).toBe(false);
    expect(await findTeacherByAccount(db, 'feishu', 'ou_a')).toBeNull();
    expect(await metaValue(db, 'data_kind')).toBeUndefined();

    await transaction(db, async (tx: Db) => {
      await insertRole(tx, a, 'leader', 'cli');
      await insertAccount(tx, 'feishu', 'ou_a', a);
    });
    expect(await rolesOf(db, await findTeacherByAccount(db, 'feishu', 'ou_a'))).toEqual(new Set(['teacher', 'leader']));
  });
});

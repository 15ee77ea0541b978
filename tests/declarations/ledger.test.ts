/**
 * Recognised hours and the ledger, through the real app: the final approval adds one record that 学时 counts at
 * once; revoking it later through the ordinary correction path (撤销记录 in chat, records revoke in the CLI)
 * marks the declaration, is audited, and tells the teacher.
 */
import { eq } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/client.js';
import { transaction } from '../../db/statements.js';
import { runCli } from '../../src/cli/main.js';
import { approveDeclaration, submitDeclaration } from '../../src/declarations/service.js';
import { notifyDecision } from '../../src/declarations/notify.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addRecord } from '../helpers/seed.js';
import { person } from '../helpers/deadlines.js';
import { auditsOf, input, outboxLike } from '../helpers/declarations.js';
import { databaseEnv } from '../helpers/db.js';

let app: TestApp;
let zhang: number;
let leader: number;

beforeEach(async () => {
  app = await createTestApp({}, { now: '2026-11-25T10:00:00+08:00' });
  await person(app.db, 'O1', '钱主任', '教师发展中心', { roles: ['officer'], remindersOff: true });
  leader = await person(app.db, 'L1', '李校长', '第一中学', { roles: ['leader'], remindersOff: true });
  zhang = await person(app.db, 'T0001', '张三', '第一中学', { remindersOff: true });
  await addRecord(app.db, zhang, { key: 'R1', date: '2026-03-01', hours: 24, category: '集中培训', project: '全员培训' });
});
afterEach(async () => app.cleanup());

const say = async (no: string, text: string) => (await new ConsoleSession(app, `acc-${no}`).send(text)).join('\n');
const earned = async () => /已修 ([\d.]+) 学时/.exec(await say('T0001', '学时'))![1];

async function declareAndApprove(): Promise<number> {
  return transaction(app.db, async (tx) => {
    const now = app.fixedClock.now();
    const sub = await submitDeclaration(tx, app.presets, input(zhang), { label: 'console:acc-T0001', teacherId: zhang }, now);
    if (!sub.ok) throw new Error(sub.detail);
    const out = await approveDeclaration(tx, app.presets, sub.declaration.id, { label: 'console:acc-L1', teacherId: leader }, now);
    await notifyDecision(tx, out, now);
    return sub.declaration.id;
  });
}

describe('recognised hours in the ledger', () => {
  it('the final approval adds one record 学时 counts at once; the teacher’s notice has the same new total', async () => {
    expect(await earned()).toBe('24');
    const id = await declareAndApprove();
    expect(await earned()).toBe('40');
    const [notice] = await outboxLike(app.db, `decl:${id}:2:${zhang}`);
    expect(JSON.parse(notice!.reply).text).toContain('已修 40 学时');
    const rec = (await app.db.select().from(tables(app.db).records).where(eq(tables(app.db).records.recordKey, `declaration:${id}`)).limit(1))[0]!;
    expect(rec).toMatchObject({ source: 'declaration', teacherId: zhang, date: '2026-10-14', hours: 16, category: '网络研修', project: '2026年国培计划·初中数学骨干教师研修' });
  });

  it('撤销记录 of that record: out of the sums, the declaration marked, audited, the teacher told — once', async () => {
    const id = await declareAndApprove();
    expect(await say('O1', `撤销记录 declaration:${id} 证书系伪造`)).toContain(`已撤销 张三（T0001）的记录 declaration:${id}`);
    expect(await earned()).toBe('24');
    const d = (await app.db.select().from(tables(app.db).declarations).where(eq(tables(app.db).declarations.id, id)).limit(1))[0]!;
    expect(d).toMatchObject({ state: 'approved', recordRevokeReason: '证书系伪造' });
    expect(d.recordRevokedAt).toBeInstanceOf(Date);
    expect(JSON.parse((await auditsOf(app.db, 'declaration_record_revoked'))[0]!.detail)).toMatchObject({ declarationId: id, reason: '证书系伪造' });
    const told = (await outboxLike(app.db, `decl:${id}:`)).filter((r) => r.idempotencyKey.endsWith(':revoked'));
    expect(told).toHaveLength(1);
    expect(JSON.parse(told[0]!.reply).text).toBe(
      `你的申报 #${id}「2026年国培计划·初中数学骨干教师研修」认定的学时记录已被培训管理员撤销，不再计入学时。原因：证书系伪造`,
    );
    expect(JSON.parse(told[0]!.target)).toEqual({ type: 'user', accountId: 'acc-T0001' });
    expect(await say('O1', `撤销记录 declaration:${id} 再撤一次`)).toContain('无需重复操作');
    expect(await auditsOf(app.db, 'declaration_record_revoked')).toHaveLength(1);
  });

  it('revoking an imported record touches no declaration and tells no one', async () => {
    await declareAndApprove();
    await say('O1', '撤销记录 R1 重复导入');
    expect(await auditsOf(app.db, 'declaration_record_revoked')).toHaveLength(0);
    expect((await outboxLike(app.db, 'decl:')).filter((r) => r.idempotencyKey.endsWith(':revoked'))).toHaveLength(0);
  });

  it('the CLI’s records revoke goes the same way', async () => {
    const id = await declareAndApprove();
    let out = '';
    const sink = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) });
    const code = await runCli(['records', 'revoke', `declaration:${id}`, '--reason', '重复参训'], {
      env: { ...databaseEnv(app.config), LOG_LEVEL: 'silent', XUESHI_NOW: '2026-11-25T10:00:00+08:00' },
      stdout: sink,
      stderr: sink,
    });
    expect(code).toBe(0);
    expect(out).toContain(`已撤销 张三（T0001）的记录 declaration:${id}`);
    expect(await auditsOf(app.db, 'declaration_record_revoked')).toHaveLength(1);
    expect(JSON.parse((await auditsOf(app.db, 'declaration_record_revoked'))[0]!.detail).reason).toBe('重复参训');
  });

  it('更正记录 of that record: the declaration takes the new hours and category, audited, the teacher told', async () => {
    const id = await declareAndApprove();
    const reply = await say('O1', `更正记录 declaration:${id} 学时=12 类别=师德师风 原因=证书注明12学时`);
    expect(reply).toContain(`declaration:${id}`);
    expect(await earned()).toBe('36');
    const d = (await app.db.select().from(tables(app.db).declarations).where(eq(tables(app.db).declarations.id, id)).limit(1))[0]!;
    expect(d).toMatchObject({ state: 'approved', hours: 12, category: '师德师风' });
    const [entry] = await auditsOf(app.db, 'declaration_record_corrected');
    expect(JSON.parse(entry!.detail)).toMatchObject({
      declarationId: id,
      before: { hours: 16, category: '网络研修' },
      after: { hours: 12, category: '师德师风' },
      reason: '证书注明12学时',
    });
    const told = (await outboxLike(app.db, `decl:${id}:`)).filter((r) => r.idempotencyKey.includes(':corrected:'));
    expect(told).toHaveLength(1);
    expect(JSON.parse(told[0]!.reply).text).toBe(
      `你的申报 #${id}「2026年国培计划·初中数学骨干教师研修」认定的学时已被培训管理员更正：网络研修 16 学时 → 师德师风 12 学时。原因：证书注明12学时`,
    );
    // The teacher's own list says what the ledger counts.
    expect(await say('T0001', '我的申报')).toContain('师德师风 12 学时');

    // Only the date changed: the declaration keeps its hours, nobody is told again.
    await say('O1', `更正记录 declaration:${id} 日期=2026-10-13 原因=结业日期有误`);
    expect(await auditsOf(app.db, 'declaration_record_corrected')).toHaveLength(1);
    // An imported record's correction touches no declaration.
    await say('O1', '更正记录 R1 学时=20 原因=导入有误');
    expect(await auditsOf(app.db, 'declaration_record_corrected')).toHaveLength(1);
    expect((await app.db.select().from(tables(app.db).declarations).where(eq(tables(app.db).declarations.id, id)).limit(1))[0]).toMatchObject({ hours: 12 });
  });

  it('更正记录 that would make the declaration an exact repeat of another: refused in words, nothing changed, logged', async () => {
    const id = await declareAndApprove();
    // A second declaration of the same training, still pending, for 12 学时 (not a repeat: the hours differ).
    const other = await transaction(app.db, async (tx) => {
      const sub = await submitDeclaration(tx, app.presets, input(zhang, { hours: 12 }), { label: 'console:acc-T0001', teacherId: zhang }, app.fixedClock.now());
      if (!sub.ok) throw new Error(sub.detail);
      return sub.declaration.id;
    });
    const reply = await say('O1', `更正记录 declaration:${id} 学时=12 原因=证书注明12学时`);
    expect(reply).toBe(`不能更正：这条记录来自申报 #${id}，改为 12 学时后将与申报 #${other} 完全相同（同一项目、日期和学时），同一培训不能重复认定。记录未改动。`);
    // Nothing changed: the record, both declarations, the sums; no correction audited, nobody told.
    const rec = (await app.db.select().from(tables(app.db).records).where(eq(tables(app.db).records.recordKey, `declaration:${id}`)).limit(1))[0]!;
    expect(rec).toMatchObject({ hours: 16, category: '网络研修' });
    expect((await app.db.select().from(tables(app.db).declarations).where(eq(tables(app.db).declarations.id, id)).limit(1))[0]).toMatchObject({ hours: 16, state: 'approved' });
    expect((await app.db.select().from(tables(app.db).declarations).where(eq(tables(app.db).declarations.id, other)).limit(1))[0]).toMatchObject({ hours: 12, state: 'pending' });
    expect(await earned()).toBe('40');
    expect(await auditsOf(app.db, 'record_correct')).toHaveLength(0);
    expect(await auditsOf(app.db, 'declaration_record_corrected')).toHaveLength(0);
    expect((await outboxLike(app.db, `decl:${id}:`)).filter((r) => r.idempotencyKey.includes(':corrected:'))).toHaveLength(0);
    // Logged: the refused attempt, who asked and why it was refused.
    const [refused] = await auditsOf(app.db, 'record_correct_refused');
    expect(JSON.parse(refused!.detail)).toMatchObject({ recordKey: `declaration:${id}`, declarationId: id, repeats: other, hours: 12, reason: '证书注明12学时' });
    expect(refused!.actor).toBe('console:acc-O1');
    // The same correction to other hours goes through.
    expect(await say('O1', `更正记录 declaration:${id} 学时=10 原因=证书注明10学时`)).toContain(`declaration:${id}`);
    expect((await app.db.select().from(tables(app.db).declarations).where(eq(tables(app.db).declarations.id, id)).limit(1))[0]).toMatchObject({ hours: 10 });
  });
});

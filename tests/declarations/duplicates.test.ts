/**
 * 重复参训 and the preset's rules on a real SQLite file: an exact repeat is refused outright (also when typed
 * differently), near misses are flagged with the earlier item (same certificate number, same evidence file,
 * same teacher + project with overlapping dates as a record or a declaration), bad input is refused in Chinese
 * with nothing written, and a stated yearly cap holds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialectOf, tables } from '../../db/handle.js';
import { schema } from '../../db/client.js';
import { approvalRequestReply } from '../../src/declarations/approval/cards.js';
import {
  flagEvidenceDuplicates,
  getDeclaration,
  resubmitDeclaration,
  returnDeclaration,
  submitDeclaration,
  withdrawDeclaration,
} from '../../src/declarations/service.js';
import { messagesFor } from '../../src/bot/i18n/index.js';
import type { PolicyPreset } from '../../src/policy/schema.js';
import { addRecord } from '../helpers/seed.js';
import { actor, auditsOf, input, openDeclDb, staff, type DeclDb } from '../helpers/declarations.js';

const now = new Date('2026-11-25T02:00:00Z');
let x: DeclDb;
let teacher: number;
let other: number;
let leader: number;

beforeEach(async () => {
  x = await openDeclDb();
  teacher = await staff(x.db, 'T0001', '张三', '第一中学');
  other = await staff(x.db, 'T0002', '李四', '第一中学');
  leader = await staff(x.db, 'L0001', '李校长', '第一中学', ['leader']);
});
afterEach(() => x.close());

/** The driver's own error: on PostgreSQL drizzle wraps it ("Failed query: …") and keeps it as the cause. */
function driverError(e: unknown): { code?: string; constraint?: string; message?: string } | undefined {
  let error = e as { cause?: unknown } | undefined;
  while (error?.cause) error = error.cause as { cause?: unknown };
  return error as { code?: string; constraint?: string; message?: string } | undefined;
}

const count = async () => (await x.db.select().from(tables(x.db).declarations)).length;
const submit = async (who: number, over = {}) => await submitDeclaration(x.db, x.presets, input(who, over), actor(who), now);
const ok = async (who: number, over = {}) => {
  const out = await submit(who, over);
  if (!out.ok) throw new Error(out.detail);
  return out;
};

describe('exact repeat', () => {
  it('is refused outright, naming the earlier one — also typed with full-width spaces and brackets', async () => {
    const first = await ok(teacher);
    const again = await submit(teacher, { project: '\u30002026年国培计划 · 初中数学骨干教师研修（ ）' });
    expect(again).toMatchObject({ ok: false, reason: 'exact_repeat', other: { id: first.declaration.id } });
    expect(!again.ok && again.detail).toBe(`同一项目、同样日期和学时的申报已有一份（#${first.declaration.id}），不能重复申报（重复参训）。`);
    expect((await count())).toBe(1);
    // Another teacher may declare the same training; after a withdrawal the teacher may declare it again.
    expect((await submit(other)).ok).toBe(true);
    await withdrawDeclaration(x.db, first.declaration.id, actor(teacher), now);
    expect((await submit(teacher)).ok).toBe(true);
  });

  it('the database refuses it too (partial unique index), whatever the service checked', async () => {
    const first = await ok(teacher);
    const row = first.declaration;
    const refused = await x.db
      .insert(tables(x.db).declarations)
      .values({ ...row, id: undefined, state: 'pending' })
      .then(() => undefined, (e: unknown) => driverError(e));
    // That very index refused it: PostgreSQL names it (23505), SQLite names its columns.
    if (dialectOf(x.db) === 'postgres') expect(refused).toMatchObject({ code: '23505', constraint: 'declarations_exact_repeat' });
    else {
      expect(refused).toMatchObject({
        code: 'SQLITE_CONSTRAINT_UNIQUE',
        message: 'UNIQUE constraint failed: declarations.teacher_id, declarations.project_key, declarations.start_date, declarations.end_date, declarations.hours',
      });
    }
    expect(await count()).toBe(1);
  });

  it('a resubmission that would equal another live declaration is refused', async () => {
    const a = await ok(teacher);
    const b = await ok(teacher, { hours: 8 });
    await returnDeclaration(x.db, b.declaration.id, '学时写错了', actor(leader), now);
    expect(await resubmitDeclaration(x.db, x.presets, b.declaration.id, { hours: 16 }, actor(teacher), now)).toMatchObject({
      ok: false,
      reason: 'exact_repeat',
      other: { id: a.declaration.id },
    });
    expect((await getDeclaration(x.db, b.declaration.id))!.declaration).toMatchObject({ state: 'returned', hours: 8 });
  });
});

describe('flags for the approver, with the earlier item', () => {
  it('the same certificate number (any teacher, typed with spaces or lower case)', async () => {
    const a = await ok(teacher, { certificateNo: 'GP2026-0815' });
    const b = await ok(other, { certificateNo: ' gp2026-0815 ' });
    expect(b.flags).toMatchObject([{ kind: 'certificate_no', otherDeclarationId: a.declaration.id }]);
    expect((await ok(other, { project: '别的项目', certificateNo: 'GP2026-0816' })).flags).toEqual([]);
    const text = approvalRequestReply((await getDeclaration(x.db, b.declaration.id))!, messagesFor()).text;
    expect(text).toContain(`⚠ 证书编号相同：申报 #${a.declaration.id}「2026年国培计划·初中数学骨干教师研修」2026-10-12 至 2026-10-14（审核中）`);
  });

  it('the same project overlapping an existing record of the teacher (not another project, not another teacher)', async () => {
    await addRecord(x.db, teacher, { key: 'R7', date: '2026-10-13', hours: 8, category: '网络研修', project: '2026年国培计划·初中数学骨干教师研修' });
    await addRecord(x.db, teacher, { key: 'R8', date: '2026-10-13', hours: 2, category: '师德师风', project: '师德报告会' });
    await addRecord(x.db, other, { key: 'R9', date: '2026-10-13', hours: 8, category: '网络研修', project: '2026年国培计划·初中数学骨干教师研修' });
    const d = await ok(teacher);
    expect(d.flags.map((f) => [f.kind, f.otherRecordId])).toEqual([['overlap_record', expect.any(Number)]]);
    const text = approvalRequestReply((await getDeclaration(x.db, d.declaration.id))!, messagesFor()).text;
    expect(text).toContain('⚠ 与已有学时记录日期重叠：学时记录 R7「2026年国培计划·初中数学骨干教师研修」2026-10-13 8 学时');
  });

  it('the same project with overlapping dates as another of the teacher’s declarations; recomputed on resubmission', async () => {
    const a = await ok(teacher);
    const b = await ok(teacher, { startDate: '2026-10-14', endDate: '2026-10-20', hours: 30 });
    expect(b.flags).toMatchObject([{ kind: 'overlap_declaration', otherDeclarationId: a.declaration.id }]);
    await returnDeclaration(x.db, b.declaration.id, '日期与 #1 重叠', actor(leader), now);
    const moved = await resubmitDeclaration(x.db, x.presets, b.declaration.id, { startDate: '2026-10-15' }, actor(teacher), now);
    expect(moved.ok && moved.flags).toEqual([]);
  });

  it('the same evidence file (sha256), flagged when the evidence part reports the hash; once only', async () => {
    // Stored files as the evidence worker leaves them (downloaded, checked, hashed).
    let message = 0;
    const file = async (teacherId: number, sha256: string) =>
      (await x.db
        .insert(tables(x.db).evidenceFiles)
        .values({ teacherId, platform: 'feishu', messageId: `om_${++message}`, accountId: 'ou_x', platformKey: 'img_v3_key', kind: 'image', status: 'stored', sha256, nextAttemptAt: now, createdAt: now })
        .returning())[0].id;
    const e1 = (await file(teacher, 'a'.repeat(64)));
    const e2 = (await file(other, 'a'.repeat(64)));
    const e3 = (await file(other, 'b'.repeat(64)));
    const a = await ok(teacher, { evidenceIds: [e1] });
    expect((await getDeclaration(x.db, a.declaration.id))!.evidence.map((e) => e.id)).toEqual([e1]);
    // Someone else's file cannot be attached.
    const b = await ok(other, { project: '同一张证书', evidenceIds: [e2, e3, e1] });
    expect((await getDeclaration(x.db, b.declaration.id))!.evidence.map((e) => e.id)).toEqual([e2, e3]);
    expect(b.flags).toMatchObject([{ kind: 'evidence_hash', otherDeclarationId: a.declaration.id }]);
    expect(await flagEvidenceDuplicates(x.db, b.declaration.id, ['a'.repeat(64)])).toBe(0);
    expect(await flagEvidenceDuplicates(x.db, a.declaration.id, ['a'.repeat(64), 'c'.repeat(64)])).toBe(1);
    expect((await getDeclaration(x.db, a.declaration.id))!.flags).toMatchObject([{ kind: 'evidence_hash', otherDeclarationId: b.declaration.id }]);
    expect(await auditsOf(x.db, 'declaration_flag')).toHaveLength(2);
  });
});

describe('checks', () => {
  const refused = async (over: object) => {
    const out = await submit(teacher, over);
    expect(out.ok).toBe(false);
    return !out.ok ? out.detail : '';
  };

  it('refuses bad input in Chinese and writes nothing', async () => {
    expect(await refused({ project: ' ' })).toBe('请填写培训项目名称（不超过 100 字）');
    expect(await refused({ organiser: '' })).toBe('请填写主办单位（不超过 100 字）');
    expect(await refused({ startDate: '2026-02-30' })).toBe('日期有误，请写成 2026-03-01 这样的日期');
    expect(await refused({ startDate: '2026-10-20' })).toBe('结束日期不能早于开始日期');
    expect(await refused({ endDate: '2026-11-26' })).toBe('结束日期 2026-11-26 还没到，培训结束后再申报');
    expect(await refused({ hours: 0 })).toBe('学时须为大于 0、不超过 1000 的数，最多两位小数');
    expect(await refused({ hours: 1.234 })).toBe('学时须为大于 0、不超过 1000 的数，最多两位小数');
    expect(await refused({ hours: Number.NaN })).toBe('学时须为大于 0、不超过 1000 的数，最多两位小数');
    expect(await refused({ category: '打球' })).toContain('「打球」不是可申报的类别。可申报：师德师风、校本研修');
    expect((await count())).toBe(0);
    expect(await auditsOf(x.db, 'declaration_submit')).toHaveLength(0);
  });

  it('takes a category alias and today’s date (Beijing)', async () => {
    const d = await ok(teacher, { category: '校本培训', endDate: '2026-11-25' });
    expect(d.declaration.category).toBe('校本研修');
  });

  it('a preset that narrows what may be declared and states a yearly cap is followed', async () => {
    const laibin = x.presets.get('laibin')!;
    const capped: PolicyPreset = {
      ...laibin,
      declarations: {
        ...laibin.declarations!,
        declarableCategories: ['网络研修'],
        yearCaps: [{ category: '网络研修', hours: 40, source: { file: laibin.source.file, quote: '测试用' } }],
      },
    };
    x.presets.set('laibin', capped);
    expect(await refused({ category: '集中培训' })).toBe('「集中培训」不是可申报的类别。可申报：网络研修');
    await ok(teacher, { hours: 30 });
    expect(await refused({ project: '第二门网课', hours: 12 })).toBe('2026 年「网络研修」最多认定 40 学时，已认定或审核中的共 30 学时，这次申报会超出上限');
    expect((await ok(teacher, { project: '第二门网课', hours: 10 })).ok).toBe(true);
    // Another year has its own cap.
    expect((await ok(teacher, { project: '去年的网课', startDate: '2025-10-12', endDate: '2025-10-14', hours: 40 })).ok).toBe(true);
  });
});

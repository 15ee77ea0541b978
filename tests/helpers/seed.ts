import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { issueBindCode } from '../../src/ledger/binding.js';
import { findTeacherByEmployeeNo } from '../../src/ledger/store.js';
import { statement } from '../../db/statements.js';

export interface TeacherSeed {
  employeeNo: string;
  name: string;
  school?: string;
  hireDate?: string | null;
  normalGraduate?: boolean | null;
  homeroom?: boolean;
  position?: string;
  policyId?: string;
}

export async function addTeacher(db: Db, t: TeacherSeed): Promise<number> {
  const { teachers } = tables(db);
  const [row] = await db
    .insert(teachers)
    .values({
      employeeNo: t.employeeNo,
      name: t.name,
      school: t.school ?? '第一中学',
      hireDate: t.hireDate ?? '2015-09-01',
      normalGraduate: t.normalGraduate ?? true,
      homeroom: t.homeroom ?? false,
      position: t.position ?? '教师',
      policyId: t.policyId ?? 'laibin',
    })
    .returning({ id: teachers.id });
  return row!.id;
}

export async function addRecord(db: Db, teacherId: number, r: { key: string; date: string; hours: number; category: string; project?: string }): Promise<void> {
  const { records } = tables(db);
  await db.insert(records).values({ recordKey: r.key, teacherId, date: r.date, hours: r.hours, category: r.category, project: r.project ?? '' });
}

export async function countRows(db: Db, table: 'accounts' | 'outbox' | 'inbox' | 'records' | 'teachers'): Promise<number> {
  return Number(await statement(db, `select count(*) from ${table}`).pluck().get());
}

/** A one-time bind code for an officer or leader, as `npm run cli -- bind-code` or `绑定码` issues it. */
export async function bindCode(db: Db, employeeNo: string, now: Date = new Date()): Promise<string> {
  return (await issueBindCode(db, (await findTeacherByEmployeeNo(db, employeeNo))!, 'test', now)).code;
}

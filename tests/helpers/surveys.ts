import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { insertCheckin, insertSession } from '../../src/sessions/store.js';
import type { SessionRow } from '../../src/sessions/model.js';
import { addTeacher } from './seed.js';
import { statement } from '../../db/statements.js';

/** Teachers T001… of a few schools, each bound on `platform` under accountOf(i). Returns their roster ids. */
export async function seedTeachers(db: Db, platform: 'feishu' | 'dingtalk' | 'console', n: number, accountOf: (i: number) => string, o: { from?: number } = {}): Promise<number[]> {
  const ids: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = (o.from ?? 1) + k;
    const id = await addTeacher(db, {
      employeeNo: `T${String(i).padStart(4, '0')}`,
      name: `教师${i}`,
      school: ['第一中学', '第二小学', '城关幼儿园'][i % 3],
      position: i % 10 === 0 ? '校长' : '教师',
    });
    await bindAccount(db, platform, accountOf(i), id);
    ids.push(id);
  }
  return ids;
}

export async function seedOfficer(db: Db, platform: 'feishu' | 'dingtalk' | 'console', accountId: string): Promise<number> {
  const id = await addTeacher(db, { employeeNo: 'O0001', name: '王老师', school: '教师发展中心', position: '培训管理员' });
  await db.insert(tables(db).roles).values({ teacherId: id, role: 'officer', grantedBy: 'test' });
  await bindAccount(db, platform, accountId, id);
  return id;
}

/** A session on `date` with a sign-in window (Beijing time), created by `createdBy`. */
export async function addSession(
  db: Db,
  o: { title: string; date: string; start: string; end: string; createdBy: string; category?: string; trainer?: string; project?: string },
): Promise<SessionRow> {
  return insertSession(db, {
    title: o.title,
    category: o.category ?? '集中培训',
    hours: 3,
    date: o.date,
    checkinStart: new Date(`${o.date}T${o.start}:00+08:00`),
    checkinEnd: new Date(`${o.date}T${o.end}:00+08:00`),
    audience: '{"all":true}',
    mode: 'button',
    secret: 'secret-for-tests-000000000000',
    createdBy: o.createdBy,
    trainer: o.trainer ?? null,
    project: o.project ?? null,
  });
}

export async function signIn(db: Db, session: SessionRow, teacherIds: readonly number[]): Promise<void> {
  for (const id of teacherIds) await insertCheckin(db, session.id, id, session.checkinStart, 'test');
}

/** Every row of every table as text, per table: to find where a string is stored. */
export async function tablesHolding(db: Db, needle: string): Promise<string[]> {
  const tables = await statement(db, {
    sqlite: `select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`,
    postgres: `select tablename from pg_tables where schemaname = 'public' order by tablename`,
  })
    .pluck<string>()
    .all();
  const holding: string[] = [];
  for (const t of tables) if ((await statement(db, `select * from "${t}"`).all()).some((row) => JSON.stringify(row).includes(needle))) holding.push(t);
  return holding;
}

/** The submit button's callback value of a Feishu form card (as delivered). */
export function formSubmitValue(card: any): { command: string; args: string } {
  const form = card.body.elements.find((e: any) => e.tag === 'form');
  const button = form.elements.find((e: any) => e.tag === 'button');
  return button.behaviors[0].value;
}

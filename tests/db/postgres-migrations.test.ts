/**
 * db/migrations-pg on a real PostgreSQL server (issue 16): applied from nothing they make every table, column,
 * index and trigger db/schema.pg.ts describes; three instances starting at once migrate once; the migrations are
 * what drizzle-kit generates from the schema today (nobody edited one without the other).
 */
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { is, sql } from 'drizzle-orm';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePostgres, openPostgres, schemaPg, type PgDb } from '../../db/postgres.js';
import { postgresBinDir, scratchDatabase, testPostgres, type PgServer } from '../helpers/postgres.js';

const root = join(import.meta.dirname, '../..');
const tables = (Object.values(schemaPg).filter((v) => is(v, PgTable)) as PgTable[]).map((t) => getTableConfig(t));

describe('PostgreSQL migrations are what the schema says', () => {
  it('are up to date: drizzle-kit generate finds nothing to add', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xueshi-pg-gen-'));
    try {
      cpSync(join(root, 'db'), join(dir, 'db'), { recursive: true, filter: (src) => !src.includes('/migrations/') && !src.endsWith('/migrations') });
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
      writeFileSync(
        join(dir, 'drizzle.config.ts'),
        `export default { dialect: 'postgresql', schema: './db/schema.pg.ts', out: './db/migrations-pg' };\n`,
      );
      const before = readdirSync(join(dir, 'db/migrations-pg')).sort();
      const run = spawnSync(join(root, 'node_modules/.bin/drizzle-kit'), ['generate', '--config', 'drizzle.config.ts'], { cwd: dir, encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(run.stdout + run.stderr, 'db/schema.pg.ts changed without a migration: npm run db:generate:pg').toMatch(/No schema changes/);
      expect(readdirSync(join(dir, 'db/migrations-pg')).sort()).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('PostgreSQL migrations on a real server', () => {
  let server: PgServer | null = null;
  let scratch: { url: string; drop(): Promise<void> };
  let db: PgDb;

  beforeAll(async () => {
    server = await testPostgres();
    if (!server) return;
    scratch = await scratchDatabase(server.url);
    db = await openPostgres(scratch.url);
  }, 120_000);

  afterAll(async () => {
    if (db) await closePostgres(db);
    if (scratch) await scratch.drop();
    await server?.stop();
  }, 60_000);

  it('makes every table with its columns, nullability and types', async (ctx) => {
    if (!server) ctx.skip();
    const { rows } = await db.$client.query<{ table_name: string; column_name: string; is_nullable: string; udt_name: string }>(
      `select table_name, column_name, is_nullable, udt_name from information_schema.columns where table_schema = 'public'`,
    );
    const actual = new Map<string, string[]>();
    for (const r of rows) actual.set(r.table_name, [...(actual.get(r.table_name) ?? []), `${r.column_name} ${r.udt_name}${r.is_nullable === 'NO' ? ' not null' : ''}`]);
    const UDT: Record<string, string> = { integer: 'int4', text: 'text', boolean: 'bool', 'double precision': 'float8', jsonb: 'jsonb', 'timestamp (3) with time zone': 'timestamptz' };
    // Columns only PostgreSQL has, added by hand-written migrations and read only in raw SQL (see db/schema.pg.ts).
    const PG_ONLY: Record<string, string[]> = { admin_compliance_changes: ['at timestamptz not null', 'xid xid8 not null'] };
    for (const t of tables) {
      const expected = [...t.columns.map((c) => `${c.name} ${UDT[c.getSQLType()] ?? c.getSQLType()}${c.notNull ? ' not null' : ''}`), ...(PG_ONLY[t.name] ?? [])];
      expect(actual.get(t.name)?.sort(), t.name).toEqual(expected.sort());
    }
    expect([...actual.keys()].sort()).toEqual(tables.map((t) => t.name).sort());
  });

  it('makes every index (unique and partial too) and the compliance triggers', async (ctx) => {
    if (!server) ctx.skip();
    const { rows } = await db.$client.query<{ indexname: string; indexdef: string }>(`select indexname, indexdef from pg_indexes where schemaname = 'public'`);
    const defs = new Map(rows.map((r) => [r.indexname, r.indexdef]));
    for (const t of tables) {
      for (const i of t.indexes) {
        const name = i.config.name ?? '(unnamed)';
        expect(defs.get(name)?.startsWith(i.config.unique ? 'CREATE UNIQUE INDEX' : 'CREATE INDEX'), name).toBe(true);
      }
    }
    expect(defs.get('declarations_exact_repeat')).toMatch(/WHERE \(state <> 'withdrawn'::text\)/);
    // Written by hand as on SQLite: one evaluation template per category (NULL counted as one), and the default one.
    expect(defs.get('questionnaires_evaluation_category')).toMatch(/UNIQUE INDEX .*COALESCE\(category, ''::text\).*WHERE \(kind = 'evaluation'::text\)/);
    const templates = await db.$client.query(`select title, category, jsonb_array_length(questions) as n from questionnaires where kind = 'evaluation'`);
    expect(templates.rows).toEqual([{ title: '培训评价', category: null, n: 5 }]);
    const now = new Date();
    const template = { kind: 'evaluation' as const, title: 'x', questions: '[]', createdBy: 'test', createdAt: now, updatedAt: now };
    await expect(db.insert(schemaPg.questionnaires).values(template)).rejects.toMatchObject({ cause: { constraint: 'questionnaires_evaluation_category' } });
    await db.insert(schemaPg.questionnaires).values({ ...template, kind: 'survey' });
    const triggers = await db.$client.query<{ tgname: string }>(`select tgname from pg_trigger where not tgisinternal order by tgname`);
    expect(triggers.rows.map((r) => r.tgname)).toEqual(['admin_records_delete', 'admin_records_insert', 'admin_records_update', 'admin_teachers_delete', 'admin_teachers_insert', 'admin_teachers_update']);
  });

  it('keeps the schema’s promises: keys, partial uniqueness, JSON, timestamps, triggers', async (ctx) => {
    if (!server) ctx.skip();
    const { teachers, records, declarations, deadlines, adminComplianceChanges } = schemaPg;
    const [t1] = await db.insert(teachers).values({ employeeNo: 'T1', name: '张建伟', school: '第二小学', policyId: 'laibin' }).returning();
    const [t2] = await db.insert(teachers).values({ employeeNo: 'T2', name: '李娜', school: '第二小学', policyId: 'laibin' }).returning();
    expect(t2.id).toBe(t1.id + 1);
    expect(t1.homeroom).toBe(false);
    expect(t1.position).toBe('教师');
    expect(t1.createdAt).toBeInstanceOf(Date);
    await expect(db.insert(teachers).values({ employeeNo: 'T1', name: 'x', school: 'y', policyId: 'laibin' })).rejects.toMatchObject({ cause: { constraint: 'teachers_employee_no' } });

    const [r] = await db.insert(records).values({ recordKey: 'R1', teacherId: t1.id, date: '2026-03-01', hours: 7.5, category: '师德师风' }).returning();
    expect(r.hours).toBe(7.5);
    await db.update(records).set({ teacherId: t2.id }).where(sql`${records.id} = ${r.id}`);
    await db.delete(records).where(sql`${records.id} = ${r.id}`);
    await db.update(teachers).set({ name: '李娜娜' }).where(sql`${teachers.id} = ${t2.id}`);
    const changes = await db.select({ teacherId: adminComplianceChanges.teacherId }).from(adminComplianceChanges).orderBy(adminComplianceChanges.seq);
    // Inserts too (migration compliance_inserts): T1, T2, the record (T1); then the update (T2 and T1), the delete, the rename.
    expect(changes.map((c) => c.teacherId)).toEqual([t1.id, t2.id, t1.id, t2.id, t1.id, t2.id, t2.id]);

    const live = { teacherId: t1.id, project: '课堂', projectKey: '课堂', organiser: '县教师进修学校', startDate: '2026-03-01', endDate: '2026-03-02', hours: 8, category: '专业', createdAt: new Date(), updatedAt: new Date() };
    await db.insert(declarations).values({ ...live, state: 'withdrawn' });
    await db.insert(declarations).values({ ...live, state: 'withdrawn' });
    await db.insert(declarations).values({ ...live, state: 'pending' });
    await expect(db.insert(declarations).values({ ...live, state: 'draft' })).rejects.toMatchObject({ cause: { constraint: 'declarations_exact_repeat' } });

    const due = new Date('2026-06-30T15:59:59.123Z');
    const [d] = await db.insert(deadlines).values({ title: '年度学时填报', dueAt: due, audience: JSON.stringify({ schools: ['第二小学'] }), createdBy: 'cli' }).returning();
    expect(d.dueAt.getTime()).toBe(due.getTime());
    expect(JSON.parse(d.audience)).toEqual({ schools: ['第二小学'] });
    expect(JSON.parse(d.offsets)).toEqual([30, 7, 3, 1, 0]);
    const typed = await db.$client.query<{ t: string }>(`select jsonb_typeof(audience) as t from deadlines where id = $1`, [d.id]);
    expect(typed.rows[0].t).toBe('object');
    await expect(db.insert(deadlines).values({ title: 'x', dueAt: due, audience: 'not json', createdBy: 'cli' })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/json/i) } });
  });

  it("round-trips through the README's pg_dump and pg_restore (rows, identities, triggers)", async (ctx) => {
    const bin = postgresBinDir();
    if (!server || !bin) ctx.skip();
    const dumpDir = mkdtempSync(join(tmpdir(), 'xueshi-pg-dump-'));
    const target = await scratchDatabase(server!.url);
    try {
      const file = join(dumpDir, 'xueshi.dump');
      const dump = spawnSync(join(bin!, 'pg_dump'), ['--format=custom', '--no-owner', `--file=${file}`, scratch.url], { encoding: 'utf8' });
      expect(dump.stderr).toBe('');
      const restore = spawnSync(join(bin!, 'pg_restore'), ['--no-owner', '--exit-on-error', `--dbname=${target.url}`, file], { encoding: 'utf8' });
      expect(restore.stderr).toBe('');
      const copy = await openPostgres(target.url);
      try {
        const counts = async (d: PgDb) =>
          (await d.$client.query(`select (select count(*) from teachers) t, (select count(*) from records) r, (select count(*) from declarations) d, (select count(*) from admin_compliance_changes) c, (select string_agg(audience::text, ',') from deadlines) a`)).rows[0];
        // The test above left rows in every table it touched.
        expect(await counts(copy)).toEqual(await counts(db));
        expect(Number((await counts(copy)).t)).toBe(2);
        const [t3] = await copy.insert(schemaPg.teachers).values({ employeeNo: 'T3', name: '王芳', school: '第一小学', policyId: 'laibin' }).returning();
        // The identity carries on where the original's sequence stood (a refused insert used one number there).
        const seq = await db.$client.query(`select last_value from teachers_id_seq`);
        expect(t3.id).toBe(Number(seq.rows[0].last_value) + 1);
        await copy.update(schemaPg.teachers).set({ name: '王芳芳' }).where(sql`${schemaPg.teachers.id} = ${t3.id}`);
        const queued = await copy.$client.query(`select teacher_id from admin_compliance_changes order by seq desc limit 1`);
        expect(queued.rows[0].teacher_id).toBe(t3.id);
      } finally {
        await closePostgres(copy);
      }
    } finally {
      await target.drop();
      rmSync(dumpDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('migrates once when three instances start at the same time', async (ctx) => {
    if (!server) ctx.skip();
    const fresh = await scratchDatabase(server!.url);
    try {
      const instances = await Promise.all([openPostgres(fresh.url), openPostgres(fresh.url), openPostgres(fresh.url)]);
      const applied = await instances[0].$client.query<{ n: string }>(`select count(*) as n from drizzle.__drizzle_migrations`);
      expect(Number(applied.rows[0].n)).toBe(readdirSync(join(root, 'db/migrations-pg')).filter((f) => f.endsWith('.sql')).length);
      await Promise.all(instances.map(closePostgres));
    } finally {
      await fresh.drop();
    }
  }, 60_000);
});

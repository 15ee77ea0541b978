/**
 * One schema per dialect, kept in step (issue 16): db/schema.ts (SQLite) and db/schema.pg.ts (PostgreSQL) must
 * describe the same tables, columns (kind, nullability, defaults, enum values), primary keys, foreign keys, and
 * unique, plain and partial indexes, read through drizzle's getTableConfig. Both must also give the same row
 * types (checked by tsc), so a store function has one signature whichever database it runs on.
 */
import { is, SQL, Table, type DrizzleEntityClass, type InferInsertModel, type InferSelectModel } from 'drizzle-orm';
import { getTableConfig as pgConfig, integer as pgInteger, PgDialect, PgTable, pgTable, text as pgText } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, SQLiteSyncDialect, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as pgSchema from '../../db/schema.pg.js';
import * as sqliteSchema from '../../db/schema.js';

type AnyColumn = { name: string; columnType: string; notNull: boolean; primary: boolean; default?: unknown; enumValues?: readonly string[]; getSQLType(): string };

/** What a column means, whichever way a dialect stores it. An unmapped column type fails the test: map it here. */
const KINDS: Record<string, string> = {
  SQLiteInteger: 'integer',
  SQLiteReal: 'float',
  SQLiteText: 'text',
  SQLiteBoolean: 'boolean',
  SQLiteTimestamp: 'timestamp',
  PgInteger: 'integer',
  PgDoublePrecision: 'float',
  PgText: 'text',
  PgBoolean: 'boolean',
  PgTimestamp: 'timestamp',
};

function kindOf(column: AnyColumn): string {
  // db/schema.pg.ts's jsonText: JSON text on SQLite, jsonb on PostgreSQL; both are strings to the stores.
  if (column.columnType === 'PgCustomColumn' && column.getSQLType() === 'jsonb') return 'text';
  const kind = KINDS[column.columnType];
  if (!kind) throw new Error(`column ${column.name}: unmapped column type ${column.columnType}`);
  return kind;
}

function defaultOf(column: AnyColumn): string {
  if (column.default === undefined) return 'none';
  return is(column.default, SQL) ? 'expression' : JSON.stringify(column.default);
}

type Shape = Record<string, string[]>;

/** One table as comparable lines, sorted: a drift shows as a line in one dialect's shape only. */
function shapeOf(config: {
  name: string;
  columns: AnyColumn[];
  primaryKeys: { columns: { name: string }[] }[];
  foreignKeys: { reference(): { columns: { name: string }[]; foreignTable: Table; foreignColumns: { name: string }[] } }[];
  indexes: { config: { name: string; unique: boolean; columns: unknown[]; where?: SQL } }[];
  uniqueConstraints: { columns: { name: string }[] }[];
}, whereText: (where: SQL) => string, tableName: (t: Table) => string): string[] {
  const lines: string[] = [];
  const names = (cs: { name: string }[]) => cs.map((c) => c.name).join(',');
  const referencing = new Set(config.foreignKeys.flatMap((fk) => fk.reference().columns.map((c) => c.name)));
  for (const c of config.columns) {
    // SQLite numbers an INTEGER PRIMARY KEY itself (the rowid), unless it points at another table's row.
    const autoKey = c.columnType === 'SQLiteInteger' ? c.primary && !referencing.has(c.name) : 'generatedIdentity' in c && Boolean(c.generatedIdentity);
    lines.push(`column ${c.name} ${kindOf(c)}${c.notNull ? ' not null' : ''} default=${defaultOf(c)}${c.enumValues ? ` enum=${c.enumValues.join('|')}` : ''}${autoKey ? ' generated key' : ''}`);
  }
  const pk = config.columns.filter((c) => c.primary).map((c) => c.name);
  for (const p of config.primaryKeys) pk.push(...p.columns.map((c) => c.name));
  lines.push(`primary key (${pk.join(',')})`);
  for (const fk of config.foreignKeys) {
    const r = fk.reference();
    lines.push(`foreign key (${names(r.columns)}) -> ${tableName(r.foreignTable)}(${names(r.foreignColumns)})`);
  }
  for (const u of config.uniqueConstraints) lines.push(`unique (${names(u.columns)})`);
  for (const { config: i } of config.indexes) {
    const where = i.where ? ` where ${whereText(i.where)}` : '';
    lines.push(`${i.unique ? 'unique index' : 'index'} ${i.name} (${names(i.columns as { name: string }[])})${where}`);
  }
  return lines.sort();
}

/** Every table a schema module exports, as shapes, read with that dialect's getTableConfig and SQL printer. */
function shapesOf<T extends Table>(
  schema: Record<string, unknown>,
  kind: DrizzleEntityClass<T>,
  config: (table: T) => { name: string },
  printer: { sqlToQuery(sql: SQL): { sql: string } },
): Shape {
  const out: Shape = {};
  for (const table of Object.values(schema).filter((v) => is(v, kind)) as T[]) {
    const c = config(table);
    out[c.name] = shapeOf(c as never, (w) => printer.sqlToQuery(w).sql, (t) => config(t as T).name);
  }
  return out;
}

const sqliteShape = (schema: Record<string, unknown>) => shapesOf(schema, SQLiteTable, sqliteConfig, new SQLiteSyncDialect());
const pgShape = (schema: Record<string, unknown>) => shapesOf(schema, PgTable, pgConfig, new PgDialect());

/** Lines in one dialect's shape and not the other's, named by table. */
function drift(sqlite: Shape, pg: Shape): string[] {
  const out: string[] = [];
  for (const name of new Set([...Object.keys(sqlite), ...Object.keys(pg)])) {
    if (!sqlite[name]) out.push(`${name}: table on PostgreSQL only`);
    else if (!pg[name]) out.push(`${name}: table on SQLite only`);
    else {
      for (const line of sqlite[name]) if (!pg[name].includes(line)) out.push(`${name}: SQLite has «${line}», PostgreSQL does not`);
      for (const line of pg[name]) if (!sqlite[name].includes(line)) out.push(`${name}: PostgreSQL has «${line}», SQLite does not`);
    }
  }
  return out;
}

const sqlite = sqliteShape(sqliteSchema);
const pg = pgShape(pgSchema);

describe('one schema per dialect, kept in step', () => {
  it('reads every table of both schemas', () => {
    expect(Object.keys(sqlite).length).toBeGreaterThanOrEqual(29);
    expect(Object.keys(pg).sort()).toEqual(Object.keys(sqlite).sort());
    expect(sqlite.declarations).toContain(`unique index declarations_exact_repeat (teacher_id,project_key,start_date,end_date,hours) where state <> 'withdrawn'`);
    expect(sqlite.accounts).toContain('primary key (platform,account_id)');
    expect(sqlite.teachers).toContain('column id integer not null default=none generated key');
    expect(sqlite.records).toContain('foreign key (teacher_id) -> teachers(id)');
    expect(pg.outbox).toContain('column reply text not null default=none');
    expect(pg.teachers).toContain('column normal_graduate boolean default=none');
  });

  it('has the same tables, columns, keys and indexes on SQLite and PostgreSQL', () => {
    expect(drift(sqlite, pg), 'edit db/schema.ts and db/schema.pg.ts alike, then npm run db:generate and npm run db:generate:pg').toEqual([]);
  });

  it('notices a column, a nullability, an index or a table added to one schema only', () => {
    const extraColumn = pgShape({ t: pgTable('meta', { key: pgText('key').primaryKey(), value: pgText('value').notNull(), note: pgText('note') }) });
    expect(drift({ meta: sqlite.meta }, extraColumn)).toEqual(['meta: PostgreSQL has «column note text default=none», SQLite does not']);
    const nullable = pgShape({ t: pgTable('meta', { key: pgText('key').primaryKey(), value: pgText('value') }) });
    expect(drift({ meta: sqlite.meta }, nullable)).toEqual([
      'meta: SQLite has «column value text not null default=none», PostgreSQL does not',
      'meta: PostgreSQL has «column value text default=none», SQLite does not',
    ]);
    const noIndex = { ...pg, bind_codes: pg.bind_codes.filter((l) => !l.startsWith('index ')) };
    expect(drift(sqlite, noIndex)).toEqual(['bind_codes: SQLite has «index bind_codes_teacher (teacher_id)», PostgreSQL does not']);
    const extraTable = pgShape({ t: pgTable('extra', { id: pgInteger('id').primaryKey() }) });
    expect(drift({}, extraTable)).toEqual(['extra: table on PostgreSQL only']);
  });
});

type Tables<S, T> = { [K in keyof S as S[K] extends T ? K : never]: S[K] };
type Rows<S> = { [K in keyof S]: S[K] extends Table ? InferSelectModel<S[K]> : never };
type Inserts<S> = { [K in keyof S]: S[K] extends Table ? InferInsertModel<S[K]> : never };

describe('the same row types on both dialects', () => {
  it('selects and inserts the same shapes (checked by tsc --noEmit)', () => {
    expectTypeOf<Rows<Tables<typeof pgSchema, PgTable>>>().toEqualTypeOf<Rows<Tables<typeof sqliteSchema, SQLiteTable>>>();
    // teacher_prefs.teacher_id is an INTEGER PRIMARY KEY on SQLite, which drizzle reads as a rowid the database
    // may number (optional on insert); it is a foreign key the stores always give, so only that one differs.
    type PgInserts = Omit<Inserts<Tables<typeof pgSchema, PgTable>>, 'teacherPrefs'>;
    type SqliteInserts = Omit<Inserts<Tables<typeof sqliteSchema, SQLiteTable>>, 'teacherPrefs'>;
    expectTypeOf<PgInserts>().toEqualTypeOf<SqliteInserts>();
    expectTypeOf<Required<InferInsertModel<typeof pgSchema.teacherPrefs>>>().toEqualTypeOf<Required<InferInsertModel<typeof sqliteSchema.teacherPrefs>>>();
    expect(Object.keys(pgSchema).filter((k) => is((pgSchema as Record<string, unknown>)[k], PgTable)).length).toBe(Object.keys(sqlite).length);
  });
});

import { eq, like } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { grantRole } from '../../src/ledger/roles.js';
import { loadPresets } from '../../src/policy/presets.js';
import type { PolicyPreset } from '../../src/policy/schema.js';
import type { Actor, DeclarationInput } from '../../src/declarations/service.js';
import { closeConnection, testDatabase } from './db.js';
import { addTeacher } from './seed.js';

/** A fresh test database (tests/helpers/db.ts) with the bundled presets: the declaration core without the app around it. */
export interface DeclDb {
  /** A temp dir of the test's own (files it writes). */
  dir: string;
  /** The database's environment for a child process (the CLI). */
  env: { DATABASE_PATH: string; DATABASE_URL?: string };
  db: Db;
  presets: Map<string, PolicyPreset>;
  close(): Promise<void>;
}

export async function openDeclDb(): Promise<DeclDb> {
  const place = await testDatabase();
  const db = await place.open();
  return {
    dir: place.dir,
    env: place.env,
    db,
    presets: loadPresets(),
    async close() {
      await closeConnection(db);
      await place.drop();
    },
  };
}

/** A roster person bound to a Feishu account `ou_<工号>`; returns the id. */
export async function staff(db: Db, no: string, name: string, school: string, roles: ('leader' | 'officer')[] = [], policyId = 'laibin'): Promise<number> {
  const id = await addTeacher(db, { employeeNo: no, name, school, policyId });
  for (const r of roles) await grantRole(db, id, r, 'test');
  await bindAccount(db, 'feishu', `ou_${no}`, id);
  return id;
}

export const actor = (teacherId: number | null, label = `feishu:t${teacherId}`): Actor => ({ label, teacherId });

export function input(teacherId: number, over: Partial<DeclarationInput> = {}): DeclarationInput {
  return {
    teacherId,
    project: '2026年国培计划·初中数学骨干教师研修',
    organiser: '广西师范大学',
    startDate: '2026-10-12',
    endDate: '2026-10-14',
    hours: 16,
    category: '网络研修',
    certificateNo: null,
    evidenceIds: [],
    ...over,
  };
}

export async function outboxLike(db: Db, prefix: string) {
  const { outbox } = tables(db);
  return db.select().from(outbox).where(like(outbox.idempotencyKey, `${prefix}%`));
}

export async function auditsOf(db: Db, action: string) {
  const { auditLog } = tables(db);
  return db.select().from(auditLog).where(eq(auditLog.action, action));
}

export async function recordsOf(db: Db, teacherId: number) {
  const { records } = tables(db);
  return db.select().from(records).where(eq(records.teacherId, teacherId));
}

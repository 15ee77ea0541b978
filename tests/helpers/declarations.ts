import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, like } from 'drizzle-orm';
import { closeDatabase, openDatabase, schema, type Db } from '../../db/client.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { grantRole } from '../../src/ledger/roles.js';
import { loadPresets } from '../../src/policy/presets.js';
import type { PolicyPreset } from '../../src/policy/schema.js';
import type { Actor, DeclarationInput } from '../../src/declarations/service.js';
import { addTeacher } from './seed.js';

/** A real SQLite file in a temp dir with the bundled presets: the declaration core without the app around it. */
export interface DeclDb {
  dir: string;
  path: string;
  db: Db;
  presets: Map<string, PolicyPreset>;
  close(): void;
}

export function openDeclDb(): DeclDb {
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-decl-'));
  const path = join(dir, 'xueshi.db');
  const db = openDatabase(path);
  return {
    dir,
    path,
    db,
    presets: loadPresets(),
    close() {
      closeDatabase(db);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A roster person bound to a Feishu account `ou_<工号>`; returns the id. */
export function staff(db: Db, no: string, name: string, school: string, roles: ('leader' | 'officer')[] = [], policyId = 'laibin'): number {
  const id = addTeacher(db, { employeeNo: no, name, school, policyId });
  for (const r of roles) grantRole(db, id, r, 'test');
  bindAccount(db, 'feishu', `ou_${no}`, id);
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

export function outboxLike(db: Db, prefix: string) {
  return db.select().from(schema.outbox).where(like(schema.outbox.idempotencyKey, `${prefix}%`)).all();
}

export function auditsOf(db: Db, action: string) {
  return db.select().from(schema.auditLog).where(eq(schema.auditLog.action, action)).all();
}

export function recordsOf(db: Db, teacherId: number) {
  return db.select().from(schema.records).where(eq(schema.records.teacherId, teacherId)).all();
}

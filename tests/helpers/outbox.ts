import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase, type Db } from '../../db/client.js';
import { inTransaction } from '../../db/statements.js';
import { messagesFor } from '../../src/bot/i18n/index.js';
import { broadcastReply, confirmBroadcast, createPreview } from '../../src/broadcasts/broadcasts.js';

export const openId = (i: number) => `ou_recipient${String(i).padStart(20, '0')}`;
export const staffId = (i: number) => `staff${String(i).padStart(5, '0')}`;

export interface Seeded {
  dir: string;
  path: string;
  db: Db;
  officer: number;
  close(): void;
}

/** A database file with `n` teachers bound on Feishu (open ids openId(i)) or DingTalk (staffId(i)) and one officer bound on the console. */
export function seedRecipients(n: number, platform: 'feishu' | 'dingtalk' = 'feishu'): Seeded {
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-outbox-'));
  const path = join(dir, 'xueshi.db');
  const db = openDatabase(path);
  const teacher = db.$client.prepare(`insert into teachers (employee_no, name, school, policy_id) values (?, ?, ?, 'laibin')`);
  const account = db.$client.prepare(`insert into accounts (platform, account_id, teacher_id) values (?, ?, ?)`);
  let officer = 0;
  inTransaction(db, () => {
    for (let i = 0; i < n; i++) {
      const id = Number(teacher.run(`R${String(i).padStart(5, '0')}`, `教师${i}`, i % 2 ? '一中' : '二中').lastInsertRowid);
      account.run(platform, platform === 'feishu' ? openId(i) : staffId(i), id);
    }
    officer = Number(teacher.run('OFFICER', '钱主任', '教师发展中心').lastInsertRowid);
    db.$client.prepare(`insert into roles (teacher_id, role, granted_by) values (?, 'officer', 'test')`).run(officer);
    account.run('console', 'officer', officer);
  });
  return {
    dir,
    path,
    db,
    officer,
    close() {
      try {
        closeDatabase(db);
      } catch {
        // already closed
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Prepares and confirms a broadcast to schools 一中 and 二中 (every seeded teacher); returns its id. */
export function confirmedBroadcast(s: Seeded, text = '请于周五前提交年度培训计划。', now = new Date()): number {
  const t = messagesFor('zh-CN');
  const { broadcast } = createPreview(s.db, {
    text,
    audience: { schools: ['一中', '二中'] },
    ownerTeacherId: s.officer,
    requestedVia: { platform: 'console', accountId: 'officer' },
    now,
  });
  const outcome = inTransaction(s.db, () =>
    confirmBroadcast(s.db, { id: broadcast.id, teacherId: s.officer, now, sendAt: now, reply: broadcastReply(t, text, '钱主任', '2026-11-25') }),
  );
  if (outcome.kind !== 'started') throw new Error(`broadcast not started: ${outcome.kind}`);
  return broadcast.id;
}

export function pendingRows(db: Db, origin: string): number {
  return (db.$client.prepare(`select count(*) as n from outbox where origin = ? and status = 'pending'`).get(origin) as { n: number }).n;
}

export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

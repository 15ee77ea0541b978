import type { Db } from '../../db/client.js';
import { statement, transaction } from '../../db/statements.js';
import { messagesFor } from '../../src/bot/i18n/index.js';
import { broadcastReply, confirmBroadcast, createPreview } from '../../src/broadcasts/broadcasts.js';
import { closeConnection, testDatabase } from './db.js';

export const openId = (i: number) => `ou_recipient${String(i).padStart(20, '0')}`;
export const staffId = (i: number) => `staff${String(i).padStart(5, '0')}`;

export interface Seeded {
  /** A temp dir of the test's own. */
  dir: string;
  /** The database's environment for a child process (the bot in src/main.ts). */
  env: { DATABASE_PATH: string; DATABASE_URL?: string };
  db: Db;
  officer: number;
  /** Another connection to the same database (closeConnection it). */
  open(): Promise<Db>;
  close(): Promise<void>;
}

/** A fresh test database with `n` teachers bound on Feishu (open ids openId(i)) or DingTalk (staffId(i)) and one officer bound on the console. */
export async function seedRecipients(n: number, platform: 'feishu' | 'dingtalk' = 'feishu'): Promise<Seeded> {
  const place = await testDatabase();
  const db = await place.open();
  const officer = await transaction(db, async (tx) => {
    const teacher = statement<[string, string, string]>(tx, `insert into teachers (employee_no, name, school, policy_id) values (?, ?, ?, 'laibin') returning id`).pluck<number>();
    const account = statement(tx, `insert into accounts (platform, account_id, teacher_id) values (?, ?, ?)`);
    for (let i = 0; i < n; i++) {
      const id = (await teacher.get(`R${String(i).padStart(5, '0')}`, `教师${i}`, i % 2 ? '一中' : '二中'))!;
      await account.run(platform, platform === 'feishu' ? openId(i) : staffId(i), id);
    }
    const officerId = (await teacher.get('OFFICER', '钱主任', '教师发展中心'))!;
    await statement(tx, `insert into roles (teacher_id, role, granted_by) values (?, 'officer', 'test')`).run(officerId);
    await account.run('console', 'officer', officerId);
    return officerId;
  });
  let closed = false;
  return {
    dir: place.dir,
    env: place.env,
    db,
    officer,
    open: () => place.open(),
    async close() {
      if (!closed) await closeConnection(db);
      closed = true;
      await place.drop();
    },
  };
}

/** Prepares and confirms a broadcast to schools 一中 and 二中 (every seeded teacher); returns its id. */
export async function confirmedBroadcast(s: Seeded, text = '请于周五前提交年度培训计划。', now = new Date()): Promise<number> {
  const t = messagesFor('zh-CN');
  const { broadcast } = await createPreview(s.db, {
    text,
    audience: { schools: ['一中', '二中'] },
    ownerTeacherId: s.officer,
    requestedVia: { platform: 'console', accountId: 'officer' },
    now,
  });
  const outcome = await transaction(s.db, (tx) =>
    confirmBroadcast(tx, { id: broadcast.id, teacherId: s.officer, now, sendAt: now, reply: broadcastReply(t, text, '钱主任', '2026-11-25') }),
  );
  if (outcome.kind !== 'started') throw new Error(`broadcast not started: ${outcome.kind}`);
  return broadcast.id;
}

export async function pendingRows(db: Db, origin: string): Promise<number> {
  return Number(await statement(db, `select count(*) from outbox where origin = ? and status = 'pending'`).pluck().get(origin));
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../db/client.js';
import { claimEvent, pendingEvents } from '../../src/inbox/store.js';
import type { InboundEvent } from '../../src/core/messages.js';
import { onPostgres } from '../helpers/db.js';

const MIGRATIONS = fileURLToPath(new URL('../../db/migrations', import.meta.url));

/** A database as an older release left it: migrations up to and including `lastTag` only. */
function databaseAt(dir: string, lastTag: string): string {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const upTo = journal.entries.findIndex((e) => e.tag === lastTag);
  expect(upTo).toBeGreaterThanOrEqual(0);
  const folder = join(dir, 'migrations');
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const kept = journal.entries.slice(0, upTo + 1);
  for (const e of kept) copyFileSync(join(MIGRATIONS, `${e.tag}.sql`), join(folder, `${e.tag}.sql`));
  for (const f of readdirSync(join(MIGRATIONS, 'meta'))) if (f !== '_journal.json') copyFileSync(join(MIGRATIONS, 'meta', f), join(folder, 'meta', f));
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: kept }));
  const path = join(dir, 'old.db');
  const sqlite = new Database(path);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  sqlite.close();
  return path;
}

const message = (eventId: string, messageId: string): InboundEvent => ({
  kind: 'message', platform: 'feishu', eventId, messageId, accountId: 'ou_1', chatId: 'oc_1', chatType: 'direct', text: '学时', receivedAt: 0, replyVia: { messageId },
});
const click = (eventId: string): InboundEvent => ({ kind: 'card_action', platform: 'feishu', eventId, accountId: 'ou_1', value: { command: '签到' }, receivedAt: 0 });

// The SQLite migration chain (db/migrations); PostgreSQL's (db/migrations-pg) is tests/db/postgres-migrations.test.ts.
describe.skipIf(onPostgres())('migrations', () => {
  let dir: string;
  afterEach(async () => rmSync(dir, { recursive: true, force: true }));

  it('0004 keeps every claim made under the two-key inbox: retries and re-deliveries are still refused', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xueshi-migrate-'));
    const path = databaseAt(dir, '0003_outbox_quiet');
    const old = new Database(path);
    const insert = old.prepare(`insert into inbox (event_key, message_key, platform, payload, status) values (?, ?, 'feishu', ?, ?)`);
    insert.run('feishu:ev_done', 'feishu:om_done', JSON.stringify(message('ev_done', 'om_done')), 'done');
    insert.run('feishu:ev_pending', 'feishu:om_pending', JSON.stringify(message('ev_pending', 'om_pending')), 'pending');
    insert.run('feishu:ev_click', null, JSON.stringify(click('ev_click')), 'done');
    old.close();

    const db = openDatabase(path);
    try {
      const rows = db.$client.prepare(`select claim_key, event_key, status from inbox order by id`).all();
      expect(rows).toEqual([
        { claim_key: 'm:feishu:om_done', event_key: 'feishu:ev_done', status: 'done' },
        { claim_key: 'm:feishu:om_pending', event_key: 'feishu:ev_pending', status: 'pending' },
        { claim_key: 'e:feishu:ev_click', event_key: 'feishu:ev_click', status: 'done' },
      ]);
      expect(await claimEvent(db, message('ev_done', 'om_done'))).toBe(false); // the platform's retry
      expect(await claimEvent(db, message('ev_new', 'om_done'))).toBe(false); // same message, new event id
      expect(await claimEvent(db, click('ev_click'))).toBe(false);
      expect(await claimEvent(db, message('ev_other', 'om_other'))).toBe(true);
      // The pending event is still there to be handled.
      expect((await pendingEvents(db)).map((r) => r.eventKey)).toEqual(['feishu:ev_pending', 'feishu:ev_other']);
    } finally {
      closeDatabase(db);
    }
  });

  it('0009 gives certificates issued before it the name, 工号 and school of their teacher', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xueshi-migrate-'));
    const path = databaseAt(dir, '0008_certificates');
    const old = new Database(path);
    const teacher = old
      .prepare(`insert into teachers (employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id) values ('T1', '张建伟', '第二小学', '2015-09-01', 1, 0, '教师', 'laibin')`)
      .run().lastInsertRowid;
    old
      .prepare(`insert into certificates (serial, teacher_id, as_of, earned, figures_hash, issued_at, issued_by, revoked_at, revoke_reason) values ('AAAABBBBCCCCDDDD', ?, '2026-11-25', 40, 'h', 1, 'cli', 2, '重开')`)
      .run(teacher);
    old.close();

    const db = openDatabase(path);
    try {
      const row = db.$client.prepare(`select serial, name, employee_no, school, earned, revoke_reason from certificates`).get();
      expect(row).toEqual({ serial: 'AAAABBBBCCCCDDDD', name: '张建伟', employee_no: 'T1', school: '第二小学', earned: 40, revoke_reason: '重开' });
      const indexes = (db.$client.prepare(`select name from sqlite_master where type = 'index' and tbl_name = 'certificates'`).all() as { name: string }[]).map((r) => r.name);
      expect(indexes).toEqual(expect.arrayContaining(['certificates_teacher', 'certificates_employee_no', 'certificates_issued_at']));
    } finally {
      closeDatabase(db);
    }
  });
});

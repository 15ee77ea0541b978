/** The bot's own SQL: small per-chat state (chat_state) and the roster's shared names. */
import { and, asc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { dialectOf, tables } from '../../db/handle.js';
import { statement } from '../../db/statements.js';
import type { chatState } from '../../db/schema.js';

export type ChatStateRow = typeof chatState.$inferSelect;

interface ChatKey {
  platform: string;
  accountId: string;
}

/**
 * Read for every message, once per step-by-step form (is one open?): raw SQL prepared once per connection, since
 * building it through the ORM each time cost more than the look-up (a primary-key read).
 */
export async function chatStateValue(db: Db, who: ChatKey, key: string): Promise<string | undefined> {
  const value = await statement<[string, string, string]>(db, `select value from chat_state where platform = ? and account_id = ? and key = ?`)
    .pluck()
    .get(who.platform, who.accountId, key);
  if (value === undefined || dialectOf(db) === 'sqlite') return value as string | undefined;
  // jsonb on PostgreSQL, parsed by the driver: written back compact, as JSON.stringify wrote it and as the
  // schema's jsonText hands it to statesOlderThan (jsonb's own text form puts a space after every ':' and ',').
  return JSON.stringify(value);
}

export async function upsertChatState(db: Db, who: ChatKey, key: string, value: string, at: Date): Promise<void> {
  const { chatState } = tables(db);
  await db
    .insert(chatState)
    .values({ platform: who.platform, accountId: who.accountId, key, value, updatedAt: at })
    .onConflictDoUpdate({ target: [chatState.platform, chatState.accountId, chatState.key], set: { value, updatedAt: at } });
}

export async function deleteChatState(db: Db, who: ChatKey, key: string): Promise<void> {
  const { chatState } = tables(db);
  await db
    .delete(chatState)
    .where(and(eq(chatState.platform, who.platform), eq(chatState.accountId, who.accountId), eq(chatState.key, key)));
}

/** Values under `key` last written before `before`, oldest first (e.g. half-filled forms to expire). */
export async function statesOlderThan(db: Db, key: string, before: Date, limit = 200): Promise<ChatStateRow[]> {
  const { chatState } = tables(db);
  return db
    .select()
    .from(chatState)
    .where(and(eq(chatState.key, key), lt(chatState.updatedAt, before)))
    .orderBy(asc(chatState.updatedAt))
    .limit(limit);
}

/** Names held by more than one roster entry. */
export async function sharedNames(db: Db): Promise<Set<string>> {
  const { teachers } = tables(db);
  const rows = await db
    .select({ name: teachers.name })
    .from(teachers)
    .groupBy(teachers.name)
    .having(sql`count(*) > 1`);
  return new Set(rows.map((r) => r.name));
}

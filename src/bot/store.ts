/** The bot's own SQL: small per-chat state (chat_state) and the roster's shared names. */
import { and, asc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { chatState, teachers } from '../../db/schema.js';

export type ChatStateRow = typeof chatState.$inferSelect;

interface ChatKey {
  platform: string;
  accountId: string;
}

export function chatStateValue(db: Db, who: ChatKey, key: string): string | undefined {
  return db
    .select({ value: chatState.value })
    .from(chatState)
    .where(and(eq(chatState.platform, who.platform), eq(chatState.accountId, who.accountId), eq(chatState.key, key)))
    .get()?.value;
}

export function upsertChatState(db: Db, who: ChatKey, key: string, value: string, at: Date): void {
  db.insert(chatState)
    .values({ platform: who.platform, accountId: who.accountId, key, value, updatedAt: at })
    .onConflictDoUpdate({ target: [chatState.platform, chatState.accountId, chatState.key], set: { value, updatedAt: at } })
    .run();
}

export function deleteChatState(db: Db, who: ChatKey, key: string): void {
  db.delete(chatState)
    .where(and(eq(chatState.platform, who.platform), eq(chatState.accountId, who.accountId), eq(chatState.key, key)))
    .run();
}

/** Values under `key` last written before `before`, oldest first (e.g. half-filled forms to expire). */
export function statesOlderThan(db: Db, key: string, before: Date, limit = 200): ChatStateRow[] {
  return db
    .select()
    .from(chatState)
    .where(and(eq(chatState.key, key), lt(chatState.updatedAt, before)))
    .orderBy(asc(chatState.updatedAt))
    .limit(limit)
    .all();
}

/** Names held by more than one roster entry. */
export function sharedNames(db: Db): Set<string> {
  const rows = db
    .select({ name: teachers.name })
    .from(teachers)
    .groupBy(teachers.name)
    .having(sql`count(*) > 1`)
    .all();
  return new Set(rows.map((r) => r.name));
}

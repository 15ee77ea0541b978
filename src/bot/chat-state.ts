import { and, asc, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { chatState } from '../../db/schema.js';
import type { Caller } from '../ledger/caller.js';

/** A small JSON value remembered per chat account, e.g. which page of 记录 it saw last. */
export function recall<T>(db: Db, caller: Caller, key: string): T | null {
  const row = db
    .select({ value: chatState.value })
    .from(chatState)
    .where(and(eq(chatState.platform, caller.platform), eq(chatState.accountId, caller.accountId), eq(chatState.key, key)))
    .get();
  if (!row) return null;
  try {
    return JSON.parse(row.value) as T;
  } catch {
    return null;
  }
}

export function remember(db: Db, caller: Caller, key: string, value: unknown, at: Date): void {
  const json = JSON.stringify(value);
  db.insert(chatState)
    .values({ platform: caller.platform, accountId: caller.accountId, key, value: json, updatedAt: at })
    .onConflictDoUpdate({ target: [chatState.platform, chatState.accountId, chatState.key], set: { value: json, updatedAt: at } })
    .run();
}

export function forget(db: Db, caller: { platform: string; accountId: string }, key: string): void {
  db.delete(chatState)
    .where(and(eq(chatState.platform, caller.platform), eq(chatState.accountId, caller.accountId), eq(chatState.key, key)))
    .run();
}

export type ChatStateRow = typeof chatState.$inferSelect;

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

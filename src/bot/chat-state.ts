import type { Db } from '../../db/client.js';
import type { Caller } from '../ledger/caller.js';
import { chatStateValue, deleteChatState, upsertChatState } from './store.js';

/** A small JSON value remembered per chat account, e.g. which page of 记录 it saw last. */
export async function recall<T>(db: Db, caller: Caller, key: string): Promise<T | null> {
  const value = await chatStateValue(db, caller, key);
  if (value === undefined) return null;
  try {
    return JSON.parse(value) as T;
  } catch {
    return null;
  }
}

export async function remember(db: Db, caller: Caller, key: string, value: unknown, at: Date): Promise<void> {
  await upsertChatState(db, caller, key, JSON.stringify(value), at);
}

export async function forget(db: Db, caller: { platform: string; accountId: string }, key: string): Promise<void> {
  await deleteChatState(db, caller, key);
}

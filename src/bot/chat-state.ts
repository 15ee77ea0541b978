import type { Db } from '../../db/client.js';
import type { Caller } from '../ledger/caller.js';
import { chatStateValue, deleteChatState, upsertChatState } from './store.js';

/** A small JSON value remembered per chat account, e.g. which page of 记录 it saw last. */
export function recall<T>(db: Db, caller: Caller, key: string): T | null {
  const value = chatStateValue(db, caller, key);
  if (value === undefined) return null;
  try {
    return JSON.parse(value) as T;
  } catch {
    return null;
  }
}

export function remember(db: Db, caller: Caller, key: string, value: unknown, at: Date): void {
  upsertChatState(db, caller, key, JSON.stringify(value), at);
}

export function forget(db: Db, caller: { platform: string; accountId: string }, key: string): void {
  deleteChatState(db, caller, key);
}

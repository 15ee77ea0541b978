/** The `meta` table: app-wide marks by key (the database's demo/real kind, the scheduler's monthly progress). */
import { eq, like } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { statement } from '../../db/statements.js';

export async function metaValue(db: Db, key: string): Promise<string | undefined> {
  const { meta } = tables(db);
  return (await db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)).limit(1))[0]?.value;
}

export async function setMetaValue(db: Db, key: string, value: string): Promise<void> {
  const { meta } = tables(db);
  await db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } });
}

/** Sets a key unless it is set already. */
export async function setMetaValueOnce(db: Db, key: string, value: string): Promise<void> {
  const { meta } = tables(db);
  await db.insert(meta).values({ key, value }).onConflictDoNothing();
}

/** True when any key starts with `prefix` (keys are the app's own ASCII words: like is case-sensitive on PostgreSQL only). */
export async function anyMetaKeyStartingWith(db: Db, prefix: string): Promise<boolean> {
  const { meta } = tables(db);
  return (await db.select({ key: meta.key }).from(meta).where(like(meta.key, `${prefix}%`)).limit(1)).length > 0;
}

/** Resolves when the database answers a trivial query (/healthz's reachability check). */
export async function pingDatabase(db: Db): Promise<void> {
  await statement(db, 'select 1').get();
}

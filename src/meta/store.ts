/** The `meta` table: app-wide marks by key (the database's demo/real kind, the scheduler's monthly progress). */
import { eq, like } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { meta } from '../../db/schema.js';

export function metaValue(db: Db, key: string): string | undefined {
  return db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)).get()?.value;
}

export function setMetaValue(db: Db, key: string, value: string): void {
  db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run();
}

/** Sets a key unless it is set already. */
export function setMetaValueOnce(db: Db, key: string, value: string): void {
  db.insert(meta).values({ key, value }).onConflictDoNothing().run();
}

/** True when any key starts with `prefix`. */
export function anyMetaKeyStartingWith(db: Db, prefix: string): boolean {
  return db.select({ key: meta.key }).from(meta).where(like(meta.key, `${prefix}%`)).limit(1).get() !== undefined;
}

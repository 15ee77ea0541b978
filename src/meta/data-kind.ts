/**
 * The guard that keeps demo and real data apart: `meta.data_kind` is 'demo' or 'real'; seeding the demo roster
 * (src/cli/demo-data.ts) refuses a real database and importing (src/import) refuses the demo one. Kept below
 * both, so the import does not reach up into the CLI.
 */
import type { Db } from '../../db/client.js';
import { demoText } from '../bot/i18n/zh-CN.demo.js';
import { metaValue, setMetaValue } from './store.js';

export const DATA_KIND_KEY = 'data_kind';

/** Demo and real data must not meet; the message says what to do instead. */
export class DataKindError extends Error {}

export async function dataKind(db: Db): Promise<'demo' | 'real' | null> {
  const value = await metaValue(db, DATA_KIND_KEY);
  return value === 'demo' || value === 'real' ? value : null;
}

/** Throws when the database is the demo one (importers call this before reading a file). */
export async function assertNotDemo(db: Db): Promise<void> {
  if (await dataKind(db) === 'demo') {
    throw new DataKindError(demoText.isDemo);
  }
}

/** Marks the database as holding real data; throws if it is the demo database. Importers call it. */
export async function markRealData(db: Db): Promise<void> {
  await assertNotDemo(db);
  await setMetaValue(db, DATA_KIND_KEY, 'real');
}


import type { Db } from '../../db/client.js';
import { statement } from '../../db/statements.js';

/**
 * Inserts rows in multi-row VALUES statements of `chunk` rows, on either dialect (bench seeding): a round trip per
 * chunk rather than per row on PostgreSQL, and well under both dialects' bind-parameter limits.
 */
export async function insertRows(db: Db, table: string, columns: readonly string[], rows: readonly unknown[][], chunk = 500): Promise<void> {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await statement(db, `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${part.map(() => tuple).join(', ')}`).run(...part.flat());
  }
}

import type { Db } from '../../db/client.js';
import { transaction } from '../../db/statements.js';
import { assertNotDemo, markRealData } from '../meta/data-kind.js';
import { audit } from '../ledger/audit.js';
import { validateHeader } from './header.js';
import type { ImportOptions, ImportResult, RowError, RowSource, SourceRow } from './types.js';

export interface ImportContext {
  result: ImportResult;
  /** The import's transaction: every read and write of the import goes through it. */
  db: Db;
}

/** Handles a batch of data rows at once; returns each row's problems (or null when taken), in order. */
export type BatchHandler = (rows: SourceRow[]) => (RowError[] | null)[] | Promise<(RowError[] | null)[]>;

/** A batch handler plus work to do inside the transaction just before COMMIT (not run when rolling back). */
export interface ImportSteps {
  rows: BatchHandler;
  beforeCommit?: () => Promise<void> | void;
}

/** Thrown inside the transaction to roll back a dry run or a rejected file (not an error to the caller). */
class RollBack extends Error {}

/**
 * The shared import driver: header check, one transaction around the whole file (SQLite: IMMEDIATE, foreign-key
 * look-ups off, since every key comes from the roster just read; PostgreSQL: one pooled connection, foreign keys
 * kept), every bad row reported, then COMMIT — or ROLLBACK for a dry run or a file with errors (unless
 * skipInvalid), so a rejected file writes nothing. The audit row is written in the same transaction. Awaits once
 * per batch of rows, never per row.
 */
export async function runImport(
  db: Db,
  kind: ImportResult['kind'],
  columns: readonly string[],
  source: RowSource,
  options: ImportOptions,
  setup: (ctx: ImportContext) => Promise<ImportSteps>,
): Promise<ImportResult> {
  const started = performance.now();
  const keep = options.keepErrors ?? 1000;
  const every = options.progressEvery ?? 10_000;
  const result: ImportResult = {
    kind,
    file: source.name,
    rows: 0,
    added: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    invalid: 0,
    errorCount: 0,
    errors: [],
    committed: false,
    rejected: false,
    dryRun: options.dryRun === true,
    elapsedMs: 0,
    extra: {},
  };
  const report = (e: RowError) => {
    result.errorCount++;
    if (result.errors.length < keep) result.errors.push(e);
    options.onError?.(e);
  };

  try {
    // Refuse before reading anything: the demo database never takes real files.
    await assertNotDemo(db);
    const headerErrors = validateHeader(await source.header(), columns);
    if (headerErrors.length > 0) {
      headerErrors.forEach(report);
      result.rejected = true;
      return result;
    }

    try {
      await transaction(
        db,
        async (tx) => {
          await markRealData(tx);
          const steps = await setup({ result, db: tx });
          const take = async (rows: SourceRow[]) => {
            const outcomes = await steps.rows(rows);
            for (let i = 0; i < rows.length; i++) {
              result.rows++;
              const errors = outcomes[i];
              if (errors) {
                result.invalid++;
                errors.forEach(report);
              }
              if (options.onProgress && result.rows % every === 0) options.onProgress(result.rows);
            }
          };
          if (source.batches) {
            for await (const batch of source.batches()) await take(batch);
          } else {
            for await (const row of source) await take([row]);
          }
          options.onProgress?.(result.rows);
          result.rejected = result.errorCount > 0 && options.skipInvalid !== true;
          if (result.rejected || result.dryRun) throw new RollBack();
          await steps.beforeCommit?.();
          await audit(tx, options.actor ?? 'cli', `import_${kind}`, {
            file: source.name,
            rows: result.rows,
            added: result.added,
            updated: result.updated,
            unchanged: result.unchanged,
            skipped: result.skipped,
            invalid: result.invalid,
            skipInvalid: options.skipInvalid === true,
            ...result.extra,
          });
        },
        { foreignKeys: false },
      );
      result.committed = true;
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
    }
    return result;
  } finally {
    result.elapsedMs = Math.round(performance.now() - started);
    await source.close();
  }
}

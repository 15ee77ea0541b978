import type { Db } from '../../db/client.js';
import { assertNotDemo, markRealData } from '../meta/data-kind.js';
import { audit } from '../ledger/audit.js';
import { validateHeader } from './header.js';
import { beginImport } from './store.js';
import type { ImportOptions, ImportResult, RowError, RowSource, SourceRow } from './types.js';

export interface ImportContext {
  result: ImportResult;
}

/** Handles one data row inside the open transaction; returns its problems, or null when it was taken. */
export type RowHandler = (row: SourceRow) => RowError[] | null;

/** Handles a batch of data rows at once; returns each row's problems (or null when taken), in order. */
export type BatchHandler = (rows: SourceRow[]) => (RowError[] | null)[];

/** A batch handler plus work to do inside the transaction just before COMMIT (not run when rolling back). */
export interface ImportSteps {
  rows: BatchHandler;
  beforeCommit?: () => void;
}

/**
 * The shared import driver: header check, one IMMEDIATE transaction around the whole file, every bad
 * row reported, then COMMIT — or ROLLBACK for a dry run or a file with errors (unless skipInvalid),
 * so a rejected file writes nothing. The audit row is written in the same transaction.
 */
export async function runImport(
  db: Db,
  kind: ImportResult['kind'],
  columns: readonly string[],
  source: RowSource,
  options: ImportOptions,
  setup: (ctx: ImportContext) => RowHandler | ImportSteps,
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

    const transaction = beginImport(db);
    try {
      await markRealData(db);
      const steps = setup({ result });
      const tally = (errors: RowError[] | null) => {
        result.rows++;
        if (errors) {
          result.invalid++;
          errors.forEach(report);
        }
        if (options.onProgress && result.rows % every === 0) options.onProgress(result.rows);
      };
      let take: (rows: SourceRow[]) => void;
      if (typeof steps === 'function') {
        take = (rows) => {
          for (const row of rows) tally(steps(row));
        };
      } else {
        take = (rows) => {
          const outcomes = steps.rows(rows);
          for (let i = 0; i < rows.length; i++) tally(outcomes[i]);
        };
      }
      if (source.batches) {
        for await (const batch of source.batches()) take(batch);
      } else {
        for await (const row of source) take([row]);
      }
      options.onProgress?.(result.rows);
      result.rejected = result.errorCount > 0 && options.skipInvalid !== true;
      if (result.rejected || result.dryRun) {
        transaction.rollback();
      } else {
        if (typeof steps !== 'function') steps.beforeCommit?.();
        await audit(db, options.actor ?? 'cli', `import_${kind}`, {
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
        transaction.commit();
        result.committed = true;
      }
    } catch (error) {
      transaction.rollback();
      throw error;
    } finally {
      transaction.end();
    }
    return result;
  } finally {
    result.elapsedMs = Math.round(performance.now() - started);
    await source.close();
  }
}

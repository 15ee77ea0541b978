/** Shared shapes of the roster / record importers (used by the CLI now, the admin console later). */

/** One data row as the officer sees it: `rowNumber` counts like Excel does (the header is row 1). */
export interface SourceRow {
  rowNumber: number;
  /** Cell text keyed by the header cell above it, trimmed; a missing cell is ''. */
  values: Record<string, string>;
  /** Non-empty cells to the right of the last header column (a shifted or broken row). */
  extraCells: number;
}

/** A table read lazily from a file (or from memory in tests): the header first, then the data rows. */
export interface RowSource extends AsyncIterable<SourceRow> {
  /** What the officer called the file (for messages and the audit log). */
  readonly name: string;
  /** Optional: the same rows grouped as the reader delivers them (cheaper to consume at millions of rows). */
  batches?(): AsyncIterable<SourceRow[]>;
  /** The header row's cells, trimmed; null when the file has no rows at all. Reads the header once. */
  header(): Promise<string[] | null>;
  /** Bytes of the file consumed so far, for a progress bar; totalBytes null when unknown. */
  progress(): { bytesRead: number; totalBytes: number | null };
  /** Releases the file (safe to call twice, also after a partial read). */
  close(): Promise<void>;
}

/** One problem with one cell (or the whole row when column is null). `reason` is Chinese, for officers. */
export interface RowError {
  row: number;
  column: string | null;
  reason: string;
}

export interface ImportOptions {
  /** Import the good rows and report the bad ones instead of rejecting the whole file. */
  skipInvalid?: boolean;
  /** Validate and count, then roll back: nothing is written. */
  dryRun?: boolean;
  /** Who to name in the audit log. Default 'cli'. */
  actor?: string;
  /** Called for every bad row as soon as it is found, in file order (the CLI prints them as they come). */
  onError?: (error: RowError) => void;
  /** Called every `progressEvery` data rows. */
  onProgress?: (rowsRead: number) => void;
  progressEvery?: number;
  /** How many RowErrors to keep in the result (all of them still go to onError). Default 1000. */
  keepErrors?: number;
}

/**
 * Every data row is counted exactly once, in one of: added (created), updated (roster only), unchanged
 * (already stored exactly so), skipped (repeats an earlier row of the same file), invalid (refused: at
 * least one error). So rows = added + updated + unchanged + skipped + invalid, always. In a dry run or a
 * rejected file nothing is written: added/updated then say what the import would do.
 */
export interface ImportResult {
  kind: 'teachers' | 'records';
  file: string;
  /** Data rows read (empty rows are not counted). */
  rows: number;
  added: number;
  updated: number;
  unchanged: number;
  /** Rows identical to an earlier row of the same file (taken once, not twice). */
  skipped: number;
  /** Rows with at least one error (not written). */
  invalid: number;
  /** Number of individual cell/row problems found. */
  errorCount: number;
  /** The first `keepErrors` problems. */
  errors: RowError[];
  /** True when the rows were written (false for a rejected file or a dry run). */
  committed: boolean;
  /** The file was refused as a whole: a bad header, or bad rows without skipInvalid (also in a dry run). */
  rejected: boolean;
  dryRun: boolean;
  elapsedMs: number;
  /** Extra per-kind facts (e.g. leader roles granted by a roster import). */
  extra: Record<string, number>;
}

/** The file cannot be read as a table at all (bad encoding, broken CSV quoting, not an XLSX...). */
export class ImportFileError extends Error {}

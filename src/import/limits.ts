/**
 * What a file may cost to read. An upload is untrusted: a 4.6 MB XLSX can inflate to gigabytes of shared
 * strings. The zip's own directory is checked before anything is inflated (xlsx-check.ts), and the
 * workbook is parsed on a thread with a heap limit, so a file that lies about its sizes still cannot
 * take the process down. Defaults fit the largest real workbook (Excel's 1,048,576 rows of a few columns).
 */
export interface ImportLimits {
  /** Heap limit of the reader thread (V8 old generation), in MiB. */
  readerMemoryMb: number;
  /** Largest uncompressed size of one zip entry. */
  maxEntryBytes: number;
  /** Largest uncompressed size of the whole workbook. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of an entry bigger than `ratioFromBytes` (real sheets: ~5–30). */
  maxRatio: number;
  ratioFromBytes: number;
  /** Most distinct strings the workbook may declare (every one is held in memory while reading). */
  maxSharedStrings: number;
  /** Largest uncompressed size of xl/sharedStrings.xml. */
  maxSharedStringsBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  readerMemoryMb: 768,
  maxEntryBytes: 1024 * MiB,
  maxTotalBytes: 1536 * MiB,
  maxRatio: 150,
  ratioFromBytes: 1 * MiB,
  maxSharedStrings: 3_000_000,
  maxSharedStringsBytes: 256 * MiB,
};

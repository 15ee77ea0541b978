/**
 * The one way a file on disk is imported, for the CLI and the console alike: the console streams an upload
 * to a temp file and passes its path with the name the officer gave it. The file is opened by type (CSV
 * in UTF-8 or GBK, XLSX behind the zip checks and the reader thread's heap limit) and read as a stream.
 */
import type { Db } from '../../db/client.js';
import type { Clock } from '../clock.js';
import type { PolicyPreset } from '../policy/schema.js';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits } from './limits.js';
import { importRecords } from './records.js';
import { openSource } from './sources.js';
import { importTeachers } from './teachers.js';
import type { ImportOptions, ImportResult, RowSource } from './types.js';

export type ImportKind = 'teachers' | 'records';

/** What every import needs from the app's configuration. */
export interface ImportSetting {
  presets: ReadonlyMap<string, PolicyPreset>;
  clock: Clock;
  /** DEFAULT_POLICY: 政策 of roster rows that leave it empty. */
  defaultPolicy: string;
  /** TIMEZONE: "today" for the no-future-records rule. */
  timeZone: string;
  limits?: ImportLimits;
}

export interface FileImport extends ImportOptions {
  kind: ImportKind;
  /** Where the bytes are (a temp file for an upload). */
  path: string;
  /** The name the officer gave the file (messages, audit log, type when the path has no extension). */
  name: string;
  /** Called with the opened source, e.g. to show bytes read as a progress bar. */
  onSource?: (source: RowSource) => void;
}

export async function importFile(db: Db, setting: ImportSetting, file: FileImport): Promise<ImportResult> {
  const { kind, path, name, onSource, ...options } = file;
  const source = openSource(path, name, { limits: setting.limits ?? DEFAULT_IMPORT_LIMITS, typeHint: name });
  onSource?.(source);
  return kind === 'teachers'
    ? importTeachers(db, setting.presets, source, { ...options, defaultPolicy: setting.defaultPolicy }, setting.clock)
    : importRecords(db, setting.presets, source, { ...options, timeZone: setting.timeZone }, setting.clock);
}

/** Roster and credit-record import, shared by the CLI and the admin console (`importFile` takes a path). */
export { RECORD_COLUMNS, TEACHER_COLUMNS, validateHeader } from './header.js';
export { importFile, type FileImport, type ImportKind, type ImportSetting } from './file.js';
export { DEFAULT_IMPORT_LIMITS, type ImportLimits } from './limits.js';
export { importRecords, type RecordImportOptions } from './records.js';
export { formatRowError, isLeaderPosition, REASONS } from './rules.js';
export { cellText, openSource, xlsxSource } from './sources.js';
export { csvSource } from './csv-source.js';
export { rowsSource } from './table-source.js';
export { importTeachers, ROSTER_GRANTOR, type TeacherImportOptions } from './teachers.js';
export { ImportFileError, type ImportOptions, type ImportResult, type RowError, type RowSource, type SourceRow } from './types.js';

/**
 * The most hours one credit record may carry, however it arrives (an import row, a 更正记录 correction, a teacher's
 * declaration): more is a typo. A rule of the ledger's data, so it sits in the ground where every layer reads it.
 */
export const MAX_RECORD_HOURS = 1000;

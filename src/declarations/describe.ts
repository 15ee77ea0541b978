import type { Messages } from '../bot/i18n/index.js';
import type { FlagWithOther } from './types.js';

/** One 重复参训 warning in words, naming the earlier item. */
export function describeFlag(flag: FlagWithOther, t: Messages): string {
  const c = t.declarations.core;
  const o = flag.otherDeclaration;
  const r = flag.otherRecord;
  const other = o
    ? c.flagOtherDeclaration(o.id, o.project, c.dateRange(o.startDate, o.endDate), c.stateLabels[o.state] ?? o.state)
    : r
      ? c.flagOtherRecord(r.recordKey, r.project, r.date, r.hours)
      : '';
  return c.flagLine(flag.kind, other);
}

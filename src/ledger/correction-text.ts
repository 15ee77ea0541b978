import type { Messages } from '../bot/i18n/index.js';
import type { CorrectionInput, CorrectionProblem, CorrectOutcome } from './corrections.js';

/**
 * `学时=8 类别=师德师风 日期=2026-03-01 原因=录入错误` (=, :, ：, ＝ all work; English keys too). 原因 takes the
 * rest of the line; words that are not `key=value` before it are the reason as well, so 「更正记录 R1 学时=8
 * 多录了」 reads naturally.
 */
export function parseCorrectionWords(text: string): { input: CorrectionInput; reason: string; unknown: string | null } {
  const input: CorrectionInput = {};
  const loose: string[] = [];
  let reason: string | null = null;
  let unknown: string | null = null;
  const words = text.split(' ').filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const m = /^([^=:：＝]+)[=:：＝](.*)$/.exec(words[i]);
    const key = m?.[1].toLowerCase();
    if (key === '原因' || key === 'reason') {
      reason = [m![2], ...words.slice(i + 1)].join(' ').trim();
      break;
    }
    if (key === '学时' || key === 'hours') input.hours = m![2];
    else if (key === '类别' || key === 'category') input.category = m![2];
    else if (key === '日期' || key === 'date') input.date = m![2];
    else if (m) unknown ??= words[i];
    else loose.push(words[i]);
  }
  return { input, reason: reason ?? loose.join(' '), unknown };
}

export function problemText(t: Messages, p: CorrectionProblem): string {
  const m = t.corrections.problems;
  switch (p.kind) {
    case 'nothing':
      return m.nothing;
    case 'bad_hours':
      return m.badHours(p.value);
    case 'bad_category':
      return m.badCategory(p.value, p.allowed);
    case 'bad_date':
      return m.badDate(p.value);
    case 'future_date':
      return m.futureDate(p.value);
    case 'no_reason':
      return t.corrections.missingReason;
    case 'revoked':
      return m.revoked;
    case 'unchanged':
      return m.unchanged;
    case 'declaration_repeat':
      return m.declarationRepeat(p.declarationId, p.hours, p.other);
  }
}

/** "学时 24 → 20，类别 集中培训 → 师德师风" — only what changed. */
export function changeList(t: Messages, o: Extract<CorrectOutcome, { kind: 'corrected' }>): string[] {
  const m = t.corrections;
  const out: string[] = [];
  if (o.before.hours !== o.after.hours) out.push(m.change(m.labels.hours, m.hoursValue(o.before.hours), m.hoursValue(o.after.hours)));
  if (o.before.category !== o.after.category) out.push(m.change(m.labels.category, o.before.category, o.after.category));
  if (o.before.date !== o.after.date) out.push(m.change(m.labels.date, o.before.date, o.after.date));
  return out;
}

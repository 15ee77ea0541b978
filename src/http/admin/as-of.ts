/**
 * The console's 查询日期 (`?asOf=YYYY-MM-DD`): the compliance pages and exports show the state on that date — only
 * records dated on or before it — instead of today's. A missing date means today; a bad or future one is refused
 * with a note and today is shown.
 */
import type { Context } from 'hono';
import { isValidDate } from '../../policy/dates.js';
import { a } from './context.js';

export interface AsOfChoice {
  asOf: string;
  /** A date other than today was chosen (links carry it on). */
  past: boolean;
  /** Why the requested date was not used. */
  problem: string | null;
}

export function asOfChoice(c: Context, today: string): AsOfChoice {
  const raw = c.req.query('asOf')?.trim();
  if (!raw) return { asOf: today, past: false, problem: null };
  if (!isValidDate(raw)) return { asOf: today, past: false, problem: a.dashboard.asOfInvalid(raw) };
  if (raw > today) return { asOf: today, past: false, problem: a.dashboard.asOfFuture(raw, today) };
  return { asOf: raw, past: raw < today, problem: null };
}

/** `href` with the chosen past date carried on (unchanged for today). */
export function withAsOf(href: string, choice: AsOfChoice): string {
  if (!choice.past) return href;
  return `${href}${href.includes('?') ? '&' : '?'}asOf=${choice.asOf}`;
}

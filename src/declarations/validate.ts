import { z } from 'zod';
import { dateIn } from '../time/zone.js';
import { declarationCore as m } from '../bot/i18n/zh-CN.declarations.js';
import { MAX_RECORD_HOURS } from '../policy/limits.js';
import { calendarYearOf, compareDates, isValidDate } from '../policy/dates.js';
import { normaliseCategory, type PolicyPreset } from '../policy/schema.js';
import type { Db } from '../../db/client.js';
import type { TeacherRow } from '../ledger/store.js';
import { certificateKeyOf, declarationRules } from './rules.js';
import { declaredHoursWithin } from './store.js';
import type { DeclarationInput } from './types.js';

const twoDecimals = (n: number) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-9;

const InputSchema = z.object({
  teacherId: z.number().int().positive(),
  project: z.string().trim().min(1, m.invalid.project).max(100, m.invalid.project),
  organiser: z.string().trim().min(1, m.invalid.organiser).max(100, m.invalid.organiser),
  startDate: z.string().trim().refine(isValidDate, m.invalid.date),
  endDate: z.string().trim().refine(isValidDate, m.invalid.date),
  hours: z
    .number(m.invalid.hours)
    .refine((n) => Number.isFinite(n) && n > 0 && n <= MAX_RECORD_HOURS && twoDecimals(n), m.invalid.hours),
  category: z.string().trim().min(1),
  certificateNo: z
    .string()
    .trim()
    .max(64, m.invalid.certificateNo)
    .nullish()
    .transform((v) => (v ? certificateKeyOf(v) : null)),
  evidenceIds: z.array(z.number().int().positive(), m.invalid.evidence).default([]),
});

/** A declaration's fields once checked: category as the preset's key, certificate number canonical. */
export type CheckedInput = z.infer<typeof InputSchema>;

export type Checked = { ok: true; value: CheckedInput } | { ok: false; reason: 'invalid' | 'year_cap' | 'no_preset'; detail: string };

/**
 * Checks a declaration against its shape and the teacher's preset: a category the preset lets teachers declare,
 * dates in order and not ahead of today (Beijing), and the preset's yearly caps (pending + approved, this one
 * left out when it is being resubmitted).
 */
export async function checkDeclaration(
  db: Db,
  presets: ReadonlyMap<string, PolicyPreset>,
  teacher: TeacherRow,
  input: DeclarationInput,
  now: Date,
  excludeId: number | null,
): Promise<Checked> {
  const parsed = InputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: 'invalid', detail: parsed.error.issues[0]?.message ?? m.invalid.project };
  const value = parsed.data;
  const preset = presets.get(teacher.policyId);
  if (!preset) return { ok: false, reason: 'no_preset', detail: m.refusals.no_preset };
  const rules = declarationRules(preset);
  const key = normaliseCategory(preset, value.category);
  if (!key || !rules.declarableCategories.includes(key)) {
    return { ok: false, reason: 'invalid', detail: m.invalid.category(value.category, rules.declarableCategories) };
  }
  value.category = key;
  if (compareDates(value.startDate, value.endDate) > 0) return { ok: false, reason: 'invalid', detail: m.invalid.dateOrder };
  if (compareDates(value.endDate, dateIn(now)) > 0) return { ok: false, reason: 'invalid', detail: m.invalid.futureDate(value.endDate) };
  const year = calendarYearOf(value.endDate);
  for (const cap of rules.yearCaps.filter((c) => c.category === key)) {
    const used = await declaredHoursWithin(db, teacher.id, key, year.start, year.end, excludeId);
    if (used + value.hours > cap.hours + 1e-9) {
      return { ok: false, reason: 'year_cap', detail: m.invalid.yearCap(key, value.endDate.slice(0, 4), cap.hours, used) };
    }
  }
  return { ok: true, value };
}

import { z } from 'zod';
import { compareDates, isValidDate, isValidMonthDay } from './dates.js';

/** Category keys are a fixed vocabulary so imports, rules and reports agree on spelling. */
export const CATEGORY_KEYS = [
  '师德师风',
  '校本研修',
  '集中培训',
  '网络研修',
  '跟岗实践',
  '班主任培训',
  '校长培训',
  '新教师培训',
] as const;
export const CategoryKeySchema = z.enum(CATEGORY_KEYS);
export type CategoryKey = z.infer<typeof CategoryKeySchema>;

const DateString = z.string().refine(isValidDate, { message: 'must be a real calendar date YYYY-MM-DD' });
const MonthDay = z.string().refine(isValidMonthDay, { message: 'must be a real month-day MM-DD' });
const Hours = z.number().min(0, { message: 'hours must not be negative' });
const Percent = z.number().min(0).max(100);
const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'must be a lowercase slug' });
const Text = z.string().trim().min(1, { message: 'must not be empty' });
const SeedFile = z.string().regex(/^\d{3}_[0-9a-f]{16}\.txt$/, { message: 'must be a seed file name like 000_0123456789abcdef.txt' });
const WindowKind = z.enum(['calendarYear', 'schoolYear']);
export type WindowKind = z.infer<typeof WindowKind>;

/** Every figure points at the seed line it came from, so officers can check it. */
export const SourceSchema = z.strictObject({ file: SeedFile, quote: Text });
export type Source = z.infer<typeof SourceSchema>;

// `inferred` marks values that are our reading of the text (domain.md section 3), not stated in it.
const inference = { inferred: z.boolean(), note: Text.optional() };

const CycleSchema = z.strictObject({
  lengthYears: z.number().int().min(1, { message: 'cycle length must be at least 1 year' }),
  anchorStart: DateString,
  totalHours: Hours.nullable(),
  repeats: z.boolean(),
  source: SourceSchema,
  totalSource: SourceSchema.nullable(),
  anchorSource: SourceSchema,
  ...inference,
});

const PerYearSchema = z.strictObject({
  hours: Hours,
  window: WindowKind,
  // The engine has no carry-over logic; a preset must not pretend otherwise (ambiguity 7).
  carryOver: z.literal(false),
  source: SourceSchema,
  ...inference,
});

const CategoryMinimumSchema = z.strictObject({
  category: CategoryKeySchema,
  hours: Hours,
  window: WindowKind,
  activeFrom: DateString.nullable(),
  activeTo: DateString.nullable(),
  source: SourceSchema,
  activeSource: SourceSchema.optional(),
  ...inference,
});

const RoleRuleSchema = z.strictObject({
  role: z.enum(['homeroom', 'principal']),
  category: CategoryKeySchema,
  hours: Hours,
  window: WindowKind,
  waivesAnnualTotal: z.boolean(),
  waivesCycleTotal: z.boolean(),
  source: SourceSchema,
  ...inference,
});

const InductionSchema = z.strictObject({
  months: z.number().int().min(1),
  category: CategoryKeySchema,
  countedCategories: z.array(CategoryKeySchema).min(1),
  hoursNormalGraduate: Hours,
  hoursNonNormalGraduate: Hours,
  normalSource: SourceSchema,
  nonNormalSource: SourceSchema,
  windowSource: SourceSchema,
  waivesAnnualTotal: z.boolean(),
  waiverSource: SourceSchema.optional(),
  ...inference,
});

const TierSchema = z.strictObject({
  key: Text,
  label: Text,
  assignment: z.enum(['teachingYears', 'manual', 'recognition']),
  minTeachingYears: z.number().int().min(0).nullable(),
  maxTeachingYears: z.number().int().min(0).nullable(),
  maxAge: z.number().int().min(1).nullable().optional(),
  ratio: z.strictObject({ 集中培训: Percent, 跟岗实践: Percent }).nullable(),
  source: SourceSchema,
  ratioSource: SourceSchema.nullable(),
  ...inference,
});

const TiersSchema = z.strictObject({
  computed: z.boolean(),
  items: z.array(TierSchema).min(1),
  note: Text.optional(),
});

export const DeadlineSchema = z.strictObject({
  id: Slug,
  title: Text,
  monthDay: MonthDay,
  audience: z.enum(['schoolLeaders', 'province']),
  recurrence: z.literal('yearly'),
  recipient: Text.optional(),
  sourceQuote: Text,
  ...inference,
});
export type Deadline = z.infer<typeof DeadlineSchema>;

const CategorySchema = z.strictObject({
  key: CategoryKeySchema,
  countsTowardTotal: z.boolean(),
  ...inference,
});

/** A stated per-year ceiling on what may be recognised in one category (only where a seed states one). */
const YearCapSchema = z.strictObject({
  category: CategoryKeySchema,
  hours: Hours,
  source: SourceSchema,
});

/**
 * 学时申报 (issue 13): what a teacher may declare and who recognises it. Not in the seeds (they only say that
 * schools and the office recognise hours), so these are office settings: the defaults (rules.ts) apply when a
 * preset leaves the section out.
 */
export const DeclarationRulesSchema = z.strictObject({
  declarableCategories: z.array(CategoryKeySchema).min(1),
  yearCaps: z.array(YearCapSchema),
  /** A declaration goes on to the office after the school when its hours exceed `aboveHours` or its category is listed. */
  officeStep: z.strictObject({ aboveHours: Hours, categories: z.array(CategoryKeySchema) }),
  escalateAfterDays: z.number().int().min(1),
  reminderAfterDays: z.number().int().min(1),
  note: Text.optional(),
});
export type DeclarationRules = z.infer<typeof DeclarationRulesSchema>;

const PresetSourceSchema = z.strictObject({
  file: SeedFile,
  issuer: Text,
  issuerInferred: z.boolean(),
  date: DateString.nullable(),
  dateQuote: Text.nullable(),
  title: Text,
  docNo: Text.optional(),
  draft: z.boolean(),
  note: Text.optional(),
});

type Ctx = z.core.$RefinementCtx;
type Path = (string | number)[];

function issue(ctx: Ctx, path: Path, message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

export const PolicyPresetSchema = z
  .strictObject({
    id: Slug,
    name: Text,
    /**
     * Other names of the region an officer may write in a roster's 政策 column (柳州 for 柳州市); the id and
     * `name` always count too.
     */
    regionNames: z.array(Text).default([]),
    source: PresetSourceSchema,
    hasNumericRequirement: z.boolean(),
    cycle: CycleSchema.nullable(),
    perYear: PerYearSchema.nullable(),
    categories: z.array(CategorySchema).min(1),
    aliases: z.record(Text, CategoryKeySchema),
    categoryMinimums: z.array(CategoryMinimumSchema),
    roleRules: z.array(RoleRuleSchema),
    induction: InductionSchema.nullable(),
    tiers: TiersSchema.nullable(),
    deadlines: z.array(DeadlineSchema),
    declarations: DeclarationRulesSchema.optional(),
    notes: z.array(Text),
  })
  .superRefine((p, ctx) => {
    // Cross-field rules zod's shape cannot express; each names the offending path.
    const known = new Set<string>();
    p.categories.forEach((c, i) => {
      if (known.has(c.key)) issue(ctx, ['categories', i, 'key'], `duplicate category "${c.key}"`);
      known.add(c.key);
    });
    const needCategory = (path: Path, key: string) => {
      if (!known.has(key)) issue(ctx, path, `category "${key}" is not listed in categories`);
    };
    p.categoryMinimums.forEach((r, i) => needCategory(['categoryMinimums', i, 'category'], r.category));
    p.roleRules.forEach((r, i) => needCategory(['roleRules', i, 'category'], r.category));
    if (p.induction) {
      needCategory(['induction', 'category'], p.induction.category);
      p.induction.countedCategories.forEach((c, i) => needCategory(['induction', 'countedCategories', i], c));
    }
    for (const [alias, target] of Object.entries(p.aliases)) needCategory(['aliases', alias], target);

    // All quotes must come from this preset's own seed, so one file check covers them.
    const checkFile = (path: Path, file: string) => {
      if (file !== p.source.file) issue(ctx, [...path, 'file'], `source file ${file} differs from preset source ${p.source.file}`);
    };
    if (p.cycle) {
      checkFile(['cycle', 'source'], p.cycle.source.file);
      checkFile(['cycle', 'anchorSource'], p.cycle.anchorSource.file);
      if (p.cycle.totalSource) checkFile(['cycle', 'totalSource'], p.cycle.totalSource.file);
      if (p.cycle.totalHours !== null && !p.cycle.totalSource) {
        issue(ctx, ['cycle', 'totalSource'], 'totalHours needs a totalSource quote');
      }
    }
    if (p.perYear) checkFile(['perYear', 'source'], p.perYear.source.file);
    p.categoryMinimums.forEach((r, i) => {
      checkFile(['categoryMinimums', i, 'source'], r.source.file);
      if (r.activeSource) checkFile(['categoryMinimums', i, 'activeSource'], r.activeSource.file);
      if (r.activeFrom && r.activeTo && compareDates(r.activeFrom, r.activeTo) > 0) {
        issue(ctx, ['categoryMinimums', i, 'activeTo'], 'activeTo is before activeFrom');
      }
    });
    const roles = new Set<string>();
    p.roleRules.forEach((r, i) => {
      checkFile(['roleRules', i, 'source'], r.source.file);
      if (roles.has(r.role)) issue(ctx, ['roleRules', i, 'role'], `duplicate role rule "${r.role}"`);
      roles.add(r.role);
    });
    if (p.induction) {
      for (const k of ['normalSource', 'nonNormalSource', 'windowSource', 'waiverSource'] as const) {
        const s = p.induction[k];
        if (s) checkFile(['induction', k], s.file);
      }
    }
    p.tiers?.items.forEach((t, i) => {
      checkFile(['tiers', 'items', i, 'source'], t.source.file);
      if (t.ratioSource) checkFile(['tiers', 'items', i, 'ratioSource'], t.ratioSource.file);
      if (t.ratio && t.ratio.集中培训 + t.ratio.跟岗实践 !== 100) {
        issue(ctx, ['tiers', 'items', i, 'ratio'], 'ratio percentages must add up to 100');
      }
      if (t.minTeachingYears !== null && t.maxTeachingYears !== null && t.minTeachingYears > t.maxTeachingYears) {
        issue(ctx, ['tiers', 'items', i, 'maxTeachingYears'], 'maxTeachingYears is below minTeachingYears');
      }
      if (t.assignment === 'teachingYears' && t.minTeachingYears === null) {
        issue(ctx, ['tiers', 'items', i, 'minTeachingYears'], 'a teachingYears tier needs minTeachingYears');
      }
    });
    if (p.declarations) {
      p.declarations.declarableCategories.forEach((c, i) => needCategory(['declarations', 'declarableCategories', i], c));
      p.declarations.officeStep.categories.forEach((c, i) => needCategory(['declarations', 'officeStep', 'categories', i], c));
      p.declarations.yearCaps.forEach((cap, i) => {
        needCategory(['declarations', 'yearCaps', i, 'category'], cap.category);
        checkFile(['declarations', 'yearCaps', i, 'source'], cap.source.file);
      });
    }
    const deadlineIds = new Set<string>();
    p.deadlines.forEach((d, i) => {
      if (deadlineIds.has(d.id)) issue(ctx, ['deadlines', i, 'id'], `duplicate deadline id "${d.id}"`);
      deadlineIds.add(d.id);
    });

    // A source without figures must stay figure-free: the bot must never invent a 360 (ambiguity 12).
    const hasFigures =
      (p.cycle?.totalHours ?? null) !== null ||
      p.perYear !== null ||
      p.categoryMinimums.length > 0 ||
      p.roleRules.length > 0 ||
      p.induction !== null;
    if (!p.hasNumericRequirement && hasFigures) {
      issue(ctx, ['hasNumericRequirement'], 'is false but the preset sets hour requirements');
    }
    if (p.hasNumericRequirement && !hasFigures) {
      issue(ctx, ['hasNumericRequirement'], 'is true but the preset sets no hour requirement');
    }
  });

export type PolicyPreset = z.infer<typeof PolicyPresetSchema>;
export type CycleRule = z.infer<typeof CycleSchema>;
export type PerYearRule = z.infer<typeof PerYearSchema>;
export type CategoryMinimum = z.infer<typeof CategoryMinimumSchema>;
export type RoleRule = z.infer<typeof RoleRuleSchema>;
export type InductionRule = z.infer<typeof InductionSchema>;
export type Tier = z.infer<typeof TierSchema>;

/** Imports spell categories loosely (全角括号, 空格, 简称); compare on a canonical form. */
function canonical(raw: string): string {
  return raw.replace(/\s+/g, '').replace(/（/g, '(').replace(/）/g, ')');
}

/** Map a free-text category to a preset category key, or null when it is not recognised. */
export function normaliseCategory(preset: PolicyPreset, raw: string): CategoryKey | null {
  const wanted = canonical(raw);
  if (!wanted) return null;
  const direct = preset.categories.find((c) => c.key === wanted);
  if (direct) return direct.key;
  for (const [alias, target] of Object.entries(preset.aliases)) {
    if (canonical(alias) === wanted) return target;
  }
  return null;
}

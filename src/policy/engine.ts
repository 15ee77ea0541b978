/**
 * Hours engine: pure functions of (teacher, records, preset, asOf). No clock, no I/O, so every
 * answer the bot gives can be reproduced in a test by fixing asOf.
 *
 * "As of D" is the state on D: a record dated after D does not exist yet, whoever passes it in.
 */
import {
  addDays,
  addMonths,
  addYears,
  calendarYearOf,
  compareDates,
  completedYears,
  daysBetween,
  isValidDate,
  isWithin,
  schoolYearOf,
  type DateWindow,
} from './dates.js';
import { normaliseCategory, type CategoryKey, type PolicyPreset, type Source, type WindowKind } from './schema.js';
import { policyText } from '../bot/i18n/zh-CN.policy.js';

const { notes: words, labels } = policyText;

export interface TeacherProfile {
  employeeNo: string;
  name: string;
  school: string;
  hireDate: string | null; // YYYY-MM-DD
  normalGraduate: boolean | null; // 师范毕业
  homeroom: boolean; // 班主任
  position: string; // 教师 | 校长 | 副校长 | 园长 | 书记 | other text
  policyId: string;
  teachingPrincipal?: boolean;
}

export interface CreditRecord {
  date: string; // YYYY-MM-DD Beijing
  hours: number;
  category: string;
}

export interface Obligation {
  key: string;
  label: string;
  category: string | null; // null = all categories that count toward the total
  /** Categories whose hours are credited (induction counts several); null = all counting categories. */
  countedCategories: string[] | null;
  windowStart: string;
  windowEnd: string; // inclusive
  required: number;
  earned: number;
  owed: number;
  dueDate: string; // = windowEnd
  /** Hours due by asOf at an even pace through the window, counted from the later of its start and the hire date. */
  expected: number;
  source: { file: string; quote: string };
  inferred: boolean;
}

/** The cycle total against an even pace (see `evenPace`). */
export interface Pace {
  /** Counted from here: the later of the cycle start and the hire date. */
  since: string;
  expected: number;
  earned: number;
  onPace: boolean;
}

export interface HoursSummary {
  presetId: string;
  presetName: string;
  hasNumericRequirement: boolean;
  cycleStart: string | null;
  cycleEnd: string | null;
  cycleInferred: boolean;
  required: number | null;
  earned: number;
  remaining: number | null;
  owedThisYear: Record<string, number>;
  obligations: Obligation[];
  pace: Pace | null;
  /**
   * 进度, the one definition every page uses: earned ÷ hours due by asOf at an even pace (cycle total and each
   * current minimum, each from the later of its window start and the hire date); with several requirements, the
   * one furthest behind. 1 = exactly on pace. Null without a numeric requirement.
   */
  progress: number | null;
  /** progress ≥ 1; null without a numeric requirement. */
  onPace: boolean | null;
  tier?: { key: string; label: string } | null;
  /** The source is a draft (征求意见稿): its figures may change. */
  draft: boolean;
  /** Records on or before asOf left out: bad date or hours, or a category the preset does not know. */
  uncounted: number;
  /** 新教师培训 taken at the stricter figure because the roster does not say whether the teacher is a normal-school graduate. */
  inductionAssumedStricter: boolean;
  /** Officer-facing remarks (console): how each figure was read from the documents. Not for the teacher's reply. */
  notes: string[];
}

export interface CycleWindow {
  start: string;
  end: string; // inclusive
  index: number; // 0 = the round the document states
  inferred: boolean;
}

export const NOTE_NO_NUMERIC = words.noNumeric;

/** Under this share of the even pace a teacher is 落后过半. */
export const FAR_BEHIND_BELOW = 0.5;

/** 落后过半: under half of what an even pace expects by the date. */
export function isFarBehind(progress: number | null): boolean {
  return progress !== null && progress < FAR_BEHIND_BELOW;
}

/**
 * Hours (in tenths) due by asOf at an even pace from `since` through `end`, and earned ÷ due. Nothing is due before
 * `since` (a teacher hired mid-cycle is not behind for the months before they started); the whole requirement is due
 * on `end`. With nothing due yet, progress is 1.
 */
export function evenPace(
  requiredTenths: number,
  earnedTenths: number,
  since: string,
  end: string,
  asOf: string,
): { expectedTenths: number; progress: number } {
  const length = daysBetween(since, end) + 1;
  const elapsed = Math.min(length, daysBetween(since, asOf) + 1);
  const expectedTenths = length <= 0 || elapsed <= 0 ? 0 : Math.round((requiredTenths * elapsed) / length);
  return { expectedTenths, progress: expectedTenths > 0 ? earnedTenths / expectedTenths : 1 };
}

/** The later of a window's start and a valid hire date. */
function paceStart(windowStart: string, hireDate: string | null): string {
  return hireDate && isValidDate(hireDate) && compareDates(hireDate, windowStart) > 0 ? hireDate : windowStart;
}

/** The cycle containing asOf; null when the preset has none or asOf precedes its first round. */
export function cycleFor(preset: PolicyPreset, asOf: string): CycleWindow | null {
  const c = preset.cycle;
  if (!c) return null;
  if (compareDates(asOf, c.anchorStart) < 0) return null;
  // Rounds repeat with the same length from the anchor (ambiguity 6).
  const index = Math.floor(completedYears(c.anchorStart, asOf) / c.lengthYears);
  if (index > 0 && !c.repeats) return null;
  return {
    start: addYears(c.anchorStart, index * c.lengthYears),
    end: addDays(addYears(c.anchorStart, (index + 1) * c.lengthYears), -1),
    index,
    inferred: c.inferred || index > 0,
  };
}

export function isPrincipal(position: string): boolean {
  return /校长|园长/.test(position);
}

/** 教龄 as the seeds count it: the first year of teaching is 教龄 1 (ambiguity 10). */
export function teachingYears(hireDate: string, asOf: string): number | null {
  if (compareDates(hireDate, asOf) > 0) return null;
  return completedYears(hireDate, asOf) + 1;
}

function windowOf(kind: WindowKind, asOf: string): DateWindow {
  return kind === 'calendarYear' ? calendarYearOf(asOf) : schoolYearOf(asOf);
}

// Hours are summed as integer hundredths, then compared in tenths, so 0.1 + 0.2 is exactly 0.3
// and an owed amount never shows a floating-point tail.
const toTenths = (hours: number) => Math.round(hours * 10);
const fromTenths = (tenths: number) => tenths / 10;

interface CleanRecord {
  date: string;
  hundredths: number;
  category: CategoryKey;
}

export function summarize(
  teacher: TeacherProfile,
  records: CreditRecord[],
  preset: PolicyPreset,
  asOf: string,
): HoursSummary {
  if (!isValidDate(asOf)) throw new Error(`summarize: asOf "${asOf}" is not a YYYY-MM-DD date`);
  const notes: string[] = [];

  const clean: CleanRecord[] = [];
  let invalid = 0;
  let unknown = 0;
  for (const r of records) {
    if (!isValidDate(r.date) || typeof r.hours !== 'number' || !Number.isFinite(r.hours) || r.hours < 0) {
      invalid++;
      continue;
    }
    // Valid YYYY-MM-DD dates order as strings: a record after asOf is not part of the state on asOf.
    if (r.date > asOf) continue;
    const category = normaliseCategory(preset, r.category ?? '');
    if (!category) {
      unknown++;
      continue;
    }
    clean.push({ date: r.date, hundredths: Math.round(r.hours * 100), category });
  }
  if (invalid) notes.push(words.invalidRecords(invalid));
  if (unknown) notes.push(words.unknownCategory(unknown));

  const countsToTotal = new Set<string>(preset.categories.filter((c) => c.countsTowardTotal).map((c) => c.key));
  const earnedTenths = (win: DateWindow | null, categories: Set<string>): number => {
    let hundredths = 0;
    for (const r of clean) {
      if (categories.has(r.category) && (!win || isWithin(r.date, win.start, win.end))) hundredths += r.hundredths;
    }
    return Math.round(hundredths / 10);
  };

  const cycle = cycleFor(preset, asOf);
  const summary: HoursSummary = {
    presetId: preset.id,
    presetName: preset.name,
    hasNumericRequirement: preset.hasNumericRequirement,
    cycleStart: cycle?.start ?? null,
    cycleEnd: cycle?.end ?? null,
    cycleInferred: cycle?.inferred ?? false,
    required: null,
    earned: fromTenths(earnedTenths(cycle, countsToTotal)),
    remaining: null,
    owedThisYear: {},
    obligations: [],
    pace: null,
    progress: null,
    onPace: null,
    tier: tierFor(preset, teacher, asOf, notes),
    draft: preset.source.draft,
    uncounted: invalid + unknown,
    inductionAssumedStricter: false,
    notes,
  };

  if (preset.source.draft) notes.push(words.draft);
  if (cycle && cycle.index > 0) notes.push(words.laterCycle(cycle.index + 1));
  else if (cycle?.inferred) notes.push(words.cycleInferred);

  if (!preset.hasNumericRequirement) {
    notes.push(NOTE_NO_NUMERIC);
    return summary;
  }
  if (preset.cycle && !cycle) {
    notes.push(words.beforeCycle(preset.cycle.anchorStart));
    return summary;
  }
  // The slowest requirement sets 进度.
  const slowest: { progress: number | null } = { progress: null };
  const track = (progress: number) => {
    slowest.progress = slowest.progress === null ? progress : Math.min(slowest.progress, progress);
  };

  const principal = isPrincipal(teacher.position);
  // A principal who also teaches keeps the ordinary teacher duties (ambiguity 9).
  const principalWaiver = principal && teacher.teachingPrincipal !== true;
  const roleRules = preset.roleRules.filter((r) => (r.role === 'principal' ? principal : teacher.homeroom));
  const waivedAnnualByRole = principalWaiver && roleRules.some((r) => r.role === 'principal' && r.waivesAnnualTotal);
  const waivedCycleByRole = principalWaiver && roleRules.some((r) => r.role === 'principal' && r.waivesCycleTotal);

  const induction = preset.induction;
  let inductionWindow: DateWindow | null = null;
  if (induction) {
    if (!teacher.hireDate || !isValidDate(teacher.hireDate)) {
      notes.push(words.noHireDateInduction);
    } else {
      const end = addDays(addMonths(teacher.hireDate, induction.months), -1);
      if (isWithin(asOf, teacher.hireDate, end)) inductionWindow = { start: teacher.hireDate, end };
    }
  }
  const waivedAnnualByInduction = inductionWindow !== null && induction?.waivesAnnualTotal === true;

  const cycleTotal = preset.cycle?.totalHours ?? null;
  if (cycle && cycleTotal !== null) {
    if (waivedCycleByRole) {
      notes.push(words.principalCycleWaived);
    } else {
      const requiredTenths = toTenths(cycleTotal);
      const earned = toTenths(summary.earned);
      summary.required = cycleTotal;
      summary.remaining = fromTenths(Math.max(0, requiredTenths - earned));
      const since = paceStart(cycle.start, teacher.hireDate);
      const { expectedTenths, progress } = evenPace(requiredTenths, earned, since, cycle.end, asOf);
      summary.pace = { since, expected: fromTenths(expectedTenths), earned: summary.earned, onPace: earned >= expectedTenths };
      track(progress);
      if (teacher.hireDate && isValidDate(teacher.hireDate) && compareDates(teacher.hireDate, cycle.start) > 0) {
        notes.push(words.hiredInCycle);
      }
    }
  }

  const add = (
    key: string,
    label: string,
    category: string | null,
    counted: Set<string>,
    win: DateWindow,
    requiredHours: number,
    source: Source,
    inferred: boolean,
  ) => {
    const requiredTenths = toTenths(requiredHours);
    const earned = earnedTenths(win, counted);
    const owed = Math.max(0, requiredTenths - earned);
    const pace = evenPace(requiredTenths, earned, paceStart(win.start, teacher.hireDate), win.end, asOf);
    track(pace.progress);
    summary.obligations.push({
      key,
      label,
      category,
      countedCategories: category === null ? null : [...counted],
      windowStart: win.start,
      windowEnd: win.end,
      required: fromTenths(requiredTenths),
      earned: fromTenths(earned),
      owed: fromTenths(owed),
      dueDate: win.end,
      expected: fromTenths(pace.expectedTenths),
      source: { file: source.file, quote: source.quote },
      inferred,
    });
    const slot = label in summary.owedThisYear ? labels.sameNameSlot(label, key) : label;
    summary.owedThisYear[slot] = fromTenths(owed);
  };

  const perYear = preset.perYear;
  if (perYear) {
    if (waivedAnnualByRole) notes.push(words.principalAnnualWaived);
    else if (waivedAnnualByInduction) notes.push(words.inductionAnnualWaived);
    else {
      add('perYear', labels.perYear, null, countsToTotal, windowOf(perYear.window, asOf), perYear.hours, perYear.source, perYear.inferred);
    }
  }

  for (const m of preset.categoryMinimums) {
    const active =
      (m.activeFrom === null || compareDates(m.activeFrom, asOf) <= 0) &&
      (m.activeTo === null || compareDates(asOf, m.activeTo) <= 0);
    if (!active) continue;
    add(`min:${m.category}`, m.category, m.category, new Set([m.category]), windowOf(m.window, asOf), m.hours, m.source, m.inferred);
  }

  for (const r of roleRules) {
    add(`role:${r.role}`, r.category, r.category, new Set([r.category]), windowOf(r.window, asOf), r.hours, r.source, r.inferred);
  }

  if (induction && inductionWindow) {
    const normal = { hours: induction.hoursNormalGraduate, source: induction.normalSource };
    const nonNormal = { hours: induction.hoursNonNormalGraduate, source: induction.nonNormalSource };
    let pick = teacher.normalGraduate ? normal : nonNormal;
    if (teacher.normalGraduate === null) {
      // Unknown background: show the stricter figure rather than under-report what is owed.
      pick = normal.hours > nonNormal.hours ? normal : nonNormal;
      if (normal.hours !== nonNormal.hours) {
        notes.push(words.normalGradUnknown(pick.hours));
        summary.inductionAssumedStricter = true;
      }
    }
    add('induction', induction.category, induction.category, new Set(induction.countedCategories), inductionWindow, pick.hours, pick.source, induction.inferred);
  }

  summary.progress = slowest.progress;
  summary.onPace = slowest.progress === null ? null : slowest.progress >= 1;
  return summary;
}

function tierFor(
  preset: PolicyPreset,
  teacher: TeacherProfile,
  asOf: string,
  notes: string[],
): { key: string; label: string } | null {
  if (!preset.tiers?.computed) return null;
  if (!teacher.hireDate || !isValidDate(teacher.hireDate)) {
    notes.push(words.noHireDateTier);
    return null;
  }
  const years = teachingYears(teacher.hireDate, asOf);
  if (years === null) return null;
  const item = preset.tiers.items.find(
    (t) =>
      t.assignment === 'teachingYears' &&
      t.minTeachingYears !== null &&
      years >= t.minTeachingYears &&
      (t.maxTeachingYears === null || years <= t.maxTeachingYears),
  );
  if (!item) return null;
  const ratio = item.ratio ? labels.tierRatio(item.ratio.集中培训, item.ratio.跟岗实践) : '';
  return { key: item.key, label: `${item.label}${ratio}` };
}

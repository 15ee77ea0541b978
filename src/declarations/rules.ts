import type { PolicyPreset } from '../policy/schema.js';
import type { DeclarationRules } from '../policy/schema.js';

/**
 * The preset's `declarations` section, or the office's defaults when a preset leaves it out: every category of
 * the preset may be declared, no yearly caps (none of the seeds states one), and the office reviews after the
 * school whatever is over 24 学时 or is 集中培训.
 */
export function declarationRules(preset: PolicyPreset): DeclarationRules {
  if (preset.declarations) return preset.declarations;
  const keys = preset.categories.map((c) => c.key);
  return {
    declarableCategories: keys,
    yearCaps: [],
    officeStep: { aboveHours: 24, categories: keys.filter((k) => k === '集中培训') },
    escalateAfterDays: 7,
    reminderAfterDays: 2,
  };
}

/** Whether a declaration of this size and category goes on to the office after the school. */
export function needsOfficeStep(rules: DeclarationRules, d: { hours: number; category: string }): boolean {
  return d.hours > rules.officeStep.aboveHours || rules.officeStep.categories.some((c) => c === d.category);
}

/** Project names compare on a canonical form: 全角 → 半角, no spaces or punctuation quirks, lower case. */
export function projectKeyOf(project: string): string {
  return project
    .normalize('NFKC')
    .replace(/[\s·・"“”'‘’《》〈〉「」『』()（）【】\[\]]/g, '')
    .toLowerCase();
}

/** Certificate numbers are kept and compared in one form: half-width (－ → -), no spaces, upper case. */
export function certificateKeyOf(no: string): string {
  return no.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

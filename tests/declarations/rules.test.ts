/** The preset's 学时申报 section: its checks, the defaults when a preset leaves it out, and the comparisons 重复参训 rests on. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { certificateKeyOf, declarationRules, needsOfficeStep, projectKeyOf } from '../../src/declarations/rules.js';
import { getPreset, parsePreset } from '../../src/policy/presets.js';

const raw = (id: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../src/policy/presets/${id}.json`, import.meta.url)), 'utf8'));

describe('declarations section of a preset', () => {
  it('is optional: without it every category may be declared, no caps, the office above 24 学时 or for 集中培训', () => {
    const { declarations: _omit, ...rest } = raw('houma');
    const preset = parsePreset(rest, 'houma.json');
    expect(preset.declarations).toBeUndefined();
    expect(declarationRules(preset)).toEqual({
      declarableCategories: preset.categories.map((c) => c.key),
      yearCaps: [],
      officeStep: { aboveHours: 24, categories: ['集中培训'] },
      escalateAfterDays: 7,
      reminderAfterDays: 2,
    });
  });

  it('the bundled presets’ section is the one read', () => {
    expect(declarationRules(getPreset('liuzhou')!)).toBe(getPreset('liuzhou')!.declarations);
  });

  it('refuses a category the preset does not list, a cap quoting another seed, unknown keys', () => {
    const p = raw('laibin');
    const bad = (decl: object) => () => parsePreset({ ...p, declarations: { ...p.declarations, ...decl } }, 'laibin.json');
    expect(bad({ declarableCategories: ['打球'] })).toThrow(/declarations\.declarableCategories\.0/);
    expect(bad({ declarableCategories: [] })).toThrow(/declarableCategories/);
    expect(bad({ yearCaps: [{ category: '网络研修', hours: 40, source: { file: '001_2e4368c11b6d8dec.txt', quote: '某句' } }] })).toThrow(
      /declarations\.yearCaps\.0\.source\.file: source file 001_2e4368c11b6d8dec\.txt differs/,
    );
    expect(bad({ escalateAfterDays: 0 })).toThrow(/escalateAfterDays/);
    expect(bad({ extra: 1 })).toThrow(/declarations/);
    expect(bad({ officeStep: { aboveHours: -1, categories: [] } })).toThrow(/officeStep\.aboveHours/);
  });
});

describe('needsOfficeStep', () => {
  const rules = declarationRules(getPreset('laibin')!);
  it('more than aboveHours, or a listed category', () => {
    expect(needsOfficeStep(rules, { hours: 24, category: '网络研修' })).toBe(false);
    expect(needsOfficeStep(rules, { hours: 24.5, category: '网络研修' })).toBe(true);
    expect(needsOfficeStep(rules, { hours: 2, category: '集中培训' })).toBe(true);
  });
});

describe('comparison keys', () => {
  it('project names compare without spaces, full-width forms, brackets or case', () => {
    expect(projectKeyOf('　2026年 国培计划（初中数学）ABC ')).toBe(projectKeyOf('2026年国培计划(初中数学)abc'));
    expect(projectKeyOf('《师德》专题')).toBe(projectKeyOf('师德专题'));
    expect(projectKeyOf('师德专题一')).not.toBe(projectKeyOf('师德专题二'));
  });
  it('certificate numbers compare half-width, without spaces or case', () => {
    expect(certificateKeyOf(' gp 2026－0815 ')).toBe('GP2026-0815');
    expect(certificateKeyOf('GP2026-0815')).not.toBe(certificateKeyOf('GP2026-0816'));
  });
});

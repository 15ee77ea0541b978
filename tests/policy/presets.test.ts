import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getPreset, loadPresets, normaliseCategory, parsePreset } from '../../src/policy/presets.js';
import { CATEGORY_KEYS, PolicyPresetSchema } from '../../src/policy/schema.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const presetDir = path.join(repoRoot, 'src/policy/presets');
// The source documents travel with the presets, so every "quote is in the seed" check runs on any clone.
const seedsDir = path.join(repoRoot, 'src/policy/seeds');
const haveSeeds = existsSync(seedsDir);
const seedText = (file: string) => readFileSync(path.join(seedsDir, file), 'utf8');
// The customer's copy, when checked out next to the repo: ours must not drift from it.
const sharedSeedsDir = path.resolve(repoRoot, '../shared/seeds');

const PRESET_IDS = ['houma', 'laibin', 'liuzhou', 'national', 'otog'];
const rawPreset = (id: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(presetDir, `${id}.json`), 'utf8'));

function at(obj: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

const SEED = {
  laibin: '000_e456594dfd49fa64.txt',
  houma: '001_2e4368c11b6d8dec.txt',
  otog: '002_a5e1399ea122335d.txt',
  national: '003_a8352b0a1ccf7438.txt',
  liuzhou: '004_43c758937aa5ab6e.txt',
} as const;

/**
 * Every figure in every preset: where it sits, its value, the seed line it comes from, the words
 * in that line that state (or, for inferred values, imply) it, and where the preset stores the quote.
 */
interface Figure {
  preset: keyof typeof SEED;
  path: string;
  value: number | string;
  quote: string;
  token: string;
  quotePath: string;
}

const f = (
  preset: keyof typeof SEED,
  p: string,
  value: number | string,
  quotePath: string,
  quote: string,
  token: string,
): Figure => ({ preset, path: p, value, quote, token, quotePath });

const LAIBIN_TIERS: [number, number, number | null, string, string, number, number][] = [
  [0, 1, 2, '新教师一般教龄1-2年', '1-2年', 30, 70],
  [1, 3, 5, '一般教龄2-5年,或二级职称', '2-5年', 40, 60],
  [2, 6, 14, '一般教龄6-15年,或一级职称', '6-15年', 50, 50],
  [3, 15, null, '一般教龄15年及以上,或副高级职称', '15年及以上', 60, 40],
];

const FIGURES: Figure[] = [
  // 000 来宾
  f('laibin', 'source.date', '2022-08-31', 'source.dateQuote', '2022年8月31日', '2022年8月31日'),
  f('laibin', 'cycle.lengthYears', 5, 'cycle.source.quote', '五年一周期、不少于360学时', '五年一周期'),
  f('laibin', 'cycle.totalHours', 360, 'cycle.totalSource.quote', '五年一周期、不少于360学时', '360学时'),
  f('laibin', 'cycle.anchorStart', '2021-01-01', 'cycle.anchorSource.quote', '到2025年,完成新一轮五年一周期的教师全员培训', '到2025年'),
  ...LAIBIN_TIERS.flatMap(([i, min, max, quote, token, central, placement]) => [
    f('laibin', `tiers.items.${i}.minTeachingYears`, min, `tiers.items.${i}.source.quote`, quote, token),
    ...(max === null ? [] : [f('laibin', `tiers.items.${i}.maxTeachingYears`, max, `tiers.items.${i}.source.quote`, quote, token)]),
    f('laibin', `tiers.items.${i}.ratio.集中培训`, central, `tiers.items.${i}.ratioSource.quote`,
      `集中培训${central}% 跟岗实践${placement}%`, `集中培训${central}%`),
    f('laibin', `tiers.items.${i}.ratio.跟岗实践`, placement, `tiers.items.${i}.ratioSource.quote`,
      `集中培训${central}% 跟岗实践${placement}%`, `跟岗实践${placement}%`),
  ]),
  // 001 侯马
  f('houma', 'source.date', '2023-05-23', 'source.dateQuote', '2023年5月23日', '2023年5月23日'),
  f('houma', 'deadlines.0.monthDay', '05-31', 'deadlines.0.sourceQuote', '培训年度计划于2023531日前', '2023531日'),
  // 002 鄂托克旗
  f('otog', 'source.date', '2018-03-08', 'source.dateQuote', '2018年3月8日', '2018年3月8日'),
  f('otog', 'cycle.lengthYears', 3, 'cycle.source.quote', '每三年为一周期', '每三年'),
  f('otog', 'cycle.totalHours', 360, 'cycle.totalSource.quote', '每位教师三年内参加全员培训时间至少达到360学时', '360学时'),
  f('otog', 'cycle.anchorStart', '2018-01-01', 'cycle.anchorSource.quote', '2018年1月—2020年12月', '2018年1月'),
  f('otog', 'perYear.hours', 120, 'perYear.source.quote', '每年完成不少于120学时', '120学时'),
  f('otog', 'roleRules.0.hours', 32, 'roleRules.0.source.quote', '对全旗班主任每年进行32学时的专项培训', '32学时'),
  f('otog', 'roleRules.1.hours', 40, 'roleRules.1.source.quote', '每年要求校(园)长完成40学时的学习任务', '40学时'),
  f('otog', 'induction.months', 12, 'induction.windowSource.quote', '做好新教师岗前培训和试用期教师培训', '试用期'),
  f('otog', 'induction.hoursNormalGraduate', 120, 'induction.normalSource.quote',
    '新教师参加各级集中培训时间累计不少于120学时(包括校本培训)', '120学时'),
  f('otog', 'induction.hoursNonNormalGraduate', 120, 'induction.nonNormalSource.quote',
    '新教师参加各级集中培训时间累计不少于120学时(包括校本培训)', '120学时'),
  f('otog', 'deadlines.0.monthDay', '03-28', 'deadlines.0.sourceQuote', '于3月28日之前报送至教研中心培训部', '3月28日'),
  // 003 国培计划 (Traditional Chinese transcription, quoted as-is)
  f('national', 'source.date', '2021-04-30', 'source.dateQuote', '2021年4月30日', '2021年4月30日'),
  f('national', 'deadlines.0.monthDay', '02-28', 'deadlines.0.sourceQuote', '于每年2月底前', '2月底'),
  // 004 柳州 (draft)
  f('liuzhou', 'cycle.lengthYears', 5, 'cycle.source.quote', '五年一周期360学时学分登记', '五年一周期'),
  f('liuzhou', 'cycle.totalHours', 360, 'cycle.totalSource.quote', '五年一周期360学时学分登记', '360学时'),
  f('liuzhou', 'cycle.anchorStart', '2021-01-01', 'cycle.anchorSource.quote', '完成“十四五”五年一周期的教师全员培训', '十四五'),
  f('liuzhou', 'categoryMinimums.0.hours', 10, 'categoryMinimums.0.source.quote', '中小学教师每年师德师风专项培训不少于10学时', '10学时'),
  f('liuzhou', 'categoryMinimums.0.activeFrom', '2023-01-01', 'categoryMinimums.0.activeSource.quote', '（2023—2027年）', '2023'),
  f('liuzhou', 'categoryMinimums.0.activeTo', '2027-12-31', 'categoryMinimums.0.activeSource.quote', '（2023—2027年）', '2027'),
  f('liuzhou', 'categoryMinimums.1.hours', 10, 'categoryMinimums.1.source.quote', '每位教师每学年必须完成不低于10学时的校本研修学分', '10学时'),
  f('liuzhou', 'categoryMinimums.1.activeFrom', '2023-01-01', 'categoryMinimums.1.activeSource.quote', '（2023—2027年）', '2023'),
  f('liuzhou', 'categoryMinimums.1.activeTo', '2027-12-31', 'categoryMinimums.1.activeSource.quote', '（2023—2027年）', '2027'),
  f('liuzhou', 'induction.months', 12, 'induction.windowSource.quote', '集中培训（第一年）', '第一年'),
  f('liuzhou', 'induction.hoursNormalGraduate', 60, 'induction.normalSource.quote', '师范专业毕业教师不少于60学时', '60学时'),
  f('liuzhou', 'induction.hoursNonNormalGraduate', 120, 'induction.nonNormalSource.quote', '非师范专业毕业教师不少于120学时', '120学时'),
  f('liuzhou', 'tiers.items.1.minTeachingYears', 3, 'tiers.items.1.source.quote', '教龄3年以上，年龄35周岁以下', '教龄3年以上'),
  f('liuzhou', 'tiers.items.1.maxAge', 35, 'tiers.items.1.source.quote', '教龄3年以上，年龄35周岁以下', '35周岁以下'),
];

/** 学时申报 office settings (not from a seed; checked below); caps under declarations.yearCaps still count as figures. */
const OFFICE_SETTING = /^declarations\.(officeStep|escalateAfterDays|reminderAfterDays)/;

/** Paths of every number and date-like string in a preset, so a new figure without a test fails. */
function figurePaths(obj: unknown, prefix = ''): string[] {
  if (typeof obj === 'number') return [prefix];
  if (typeof obj === 'string') return /^(\d{4}-)?\d{2}-\d{2}$/.test(obj) ? [prefix] : [];
  if (obj && typeof obj === 'object') {
    return Object.entries(obj).flatMap(([k, v]) => figurePaths(v, prefix ? `${prefix}.${k}` : k));
  }
  return [];
}

describe('preset figures, each traced to its seed line', () => {
  for (const fig of FIGURES) {
    const file = SEED[fig.preset];
    const title = `${fig.preset} ${fig.path} = ${fig.value} — ${file}「${fig.quote}」`;
    it(title, () => {
      const raw = rawPreset(fig.preset);
      expect(at(raw, fig.path)).toBe(fig.value);
      expect(at(raw, 'source.file')).toBe(file);
      expect(at(raw, fig.quotePath)).toBe(fig.quote);
      expect(fig.quote).toContain(fig.token);
    });
    it.skipIf(!haveSeeds)(`${title}: quote appears verbatim in the seed`, () => {
      expect(seedText(file)).toContain(fig.quote);
    });
  }

  it.each(PRESET_IDS)('%s: every number and date in the preset has a figure test above', (id) => {
    const covered = FIGURES.filter((x) => x.preset === id).map((x) => x.path).sort();
    expect(figurePaths(rawPreset(id)).filter((p) => !OFFICE_SETTING.test(p)).sort()).toEqual(covered);
  });

  // 学时申报 settings (office step size, reminder and escalation days) are the office's choices, not seed figures;
  // a yearly cap would be a seed figure, and no seed states one.
  it.each(PRESET_IDS)('%s: declarations state no yearly cap (none of the seeds does); the rest are office settings', (id) => {
    const d = at(rawPreset(id), 'declarations') as Record<string, unknown>;
    expect(d.yearCaps).toEqual([]);
    expect(d).toMatchObject({ officeStep: { aboveHours: 24, categories: ['集中培训'] }, escalateAfterDays: 7, reminderAfterDays: 2 });
  });
});

describe('every stored quote comes from the seed', () => {
  function quotes(obj: unknown): string[] {
    if (!obj || typeof obj !== 'object') return [];
    return Object.entries(obj).flatMap(([k, v]) =>
      (k === 'quote' || k === 'sourceQuote' || k === 'dateQuote') && typeof v === 'string' ? [v] : quotes(v),
    );
  }
  for (const id of PRESET_IDS) {
    it.skipIf(!haveSeeds)(`${id}: all quotes are verbatim in ${SEED[id as keyof typeof SEED]}`, () => {
      const raw = rawPreset(id);
      const text = seedText(SEED[id as keyof typeof SEED]);
      const all = quotes(raw);
      expect(all.length).toBeGreaterThan(0);
      for (const q of all) expect(text, q).toContain(q);
    });
  }
});

describe('preset shape', () => {
  const presets = loadPresets();

  it('loads exactly the five seed presets, keyed by id', () => {
    expect([...presets.keys()].sort()).toEqual(PRESET_IDS);
    for (const [id, p] of presets) expect(p.source.file).toBe(SEED[id as keyof typeof SEED]);
  });

  it('names are Chinese place names', () => {
    expect(presets.get('laibin')!.name).toBe('来宾市');
    expect(presets.get('houma')!.name).toBe('侯马市');
    expect(presets.get('otog')!.name).toBe('鄂托克旗');
    expect(presets.get('liuzhou')!.name).toBe('柳州市');
    expect(presets.get('national')!.name).toContain('全国');
  });

  it('houma and national carry no numeric requirement (never borrow 360)', () => {
    for (const id of ['houma', 'national']) {
      const p = presets.get(id)!;
      expect(p.hasNumericRequirement).toBe(false);
      expect(p.cycle).toBeNull();
      expect(p.perYear).toBeNull();
      expect(p.categoryMinimums).toEqual([]);
      expect(p.roleRules).toEqual([]);
      expect(p.induction).toBeNull();
    }
    for (const id of ['laibin', 'otog', 'liuzhou']) expect(presets.get(id)!.hasNumericRequirement).toBe(true);
  });

  it('every preset lists all eight categories, all counting toward the total by default (ambiguity 3)', () => {
    for (const p of presets.values()) {
      expect(p.categories.map((c) => c.key)).toEqual([...CATEGORY_KEYS]);
      expect(p.categories.every((c) => c.countsTowardTotal)).toBe(true);
    }
  });

  it('window kinds: otog per-year/role rules are calendar years; liuzhou 师德 calendar year, 校本 school year', () => {
    const otog = presets.get('otog')!;
    expect(otog.perYear!.window).toBe('calendarYear');
    expect(otog.perYear!.carryOver).toBe(false);
    expect(otog.roleRules.map((r) => [r.role, r.category, r.window])).toEqual([
      ['homeroom', '班主任培训', 'calendarYear'],
      ['principal', '校长培训', 'calendarYear'],
    ]);
    const lz = presets.get('liuzhou')!;
    expect(lz.categoryMinimums.map((m) => [m.category, m.window])).toEqual([
      ['师德师风', 'calendarYear'],
      ['校本研修', 'schoolYear'],
    ]);
  });

  it('inferred values are flagged (domain.md section 3)', () => {
    expect(presets.get('laibin')!.cycle!.inferred).toBe(true);
    expect(presets.get('liuzhou')!.cycle!.inferred).toBe(true);
    expect(presets.get('otog')!.cycle!.inferred).toBe(false);
    expect(presets.get('otog')!.induction!.inferred).toBe(true);
    expect(presets.get('liuzhou')!.source.draft).toBe(true);
    expect(presets.get('liuzhou')!.source.issuerInferred).toBe(true);
    const laibinTiers = presets.get('laibin')!.tiers!.items;
    expect(laibinTiers.map((t) => [t.key, t.inferred])).toEqual([
      ['入格', false],
      ['合格', true],
      ['定格', true],
      ['升格', false],
      ['风格', false],
    ]);
    expect(laibinTiers[4].assignment).toBe('manual');
    expect(presets.get('liuzhou')!.tiers!.computed).toBe(false);
  });

  it('otog waivers: principals and inductees do not owe the annual total', () => {
    const otog = presets.get('otog')!;
    expect(otog.roleRules[1].waivesAnnualTotal).toBe(true);
    expect(otog.roleRules[1].waivesCycleTotal).toBe(true);
    expect(otog.roleRules[0].waivesAnnualTotal).toBe(false);
    expect(otog.induction!.waivesAnnualTotal).toBe(true);
    expect(otog.induction!.countedCategories).toEqual(['新教师培训', '集中培训', '校本研修']);
  });

  it('filing deadlines are yearly data with audience', () => {
    const d = (id: string) => presets.get(id)!.deadlines;
    expect(d('houma').map((x) => [x.monthDay, x.audience, x.recipient, x.recurrence])).toEqual([
      ['05-31', 'schoolLeaders', '市教科局师训股', 'yearly'],
    ]);
    expect(d('otog').map((x) => [x.monthDay, x.audience, x.recipient])).toEqual([['03-28', 'schoolLeaders', '教研中心培训部']]);
    expect(d('national').map((x) => [x.monthDay, x.audience])).toEqual([['02-28', 'province']]);
    expect(d('laibin')).toEqual([]);
    expect(d('liuzhou')).toEqual([]);
    for (const id of PRESET_IDS) for (const x of d(id)) expect(x.inferred).toBe(true);
  });

  it('getPreset returns bundled presets and undefined for unknown ids', () => {
    expect(getPreset('otog')?.name).toBe('鄂托克旗');
    expect(getPreset('nowhere')).toBeUndefined();
  });
});

describe('normaliseCategory', () => {
  const otog = loadPresets().get('otog')!;
  it.each([
    ['师德师风', '师德师风'],
    ['师德', '师德师风'],
    ['校本培训', '校本研修'],
    [' 校本培训 ', '校本研修'],
    ['远程培训', '网络研修'],
    ['在线培训', '网络研修'],
    ['班主任', '班主任培训'],
    ['校（园）长培训', '校长培训'],
    ['新任教师培训', '新教师培训'],
    ['跟岗', '跟岗实践'],
  ])('%s → %s', (raw, key) => {
    expect(normaliseCategory(otog, raw)).toBe(key);
  });
  it.each(['体育', '', '   ', '师德师风培训班'])('unknown %j → null', (raw) => {
    expect(normaliseCategory(otog, raw)).toBeNull();
  });
});

describe('schema rejects broken presets, naming the path', () => {
  const base = () => structuredClone(rawPreset('otog')) as Record<string, any>;
  const rejectAt = (data: unknown, pathText: string, messagePart?: string) => {
    let message = '';
    try {
      parsePreset(data, 'broken.json');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('broken.json');
    expect(message).toContain(pathText);
    if (messagePart) expect(message).toContain(messagePart);
    expect(PolicyPresetSchema.safeParse(data).success).toBe(false);
  };

  it('accepts every bundled preset as-is', () => {
    for (const id of PRESET_IDS) expect(() => parsePreset(rawPreset(id), `${id}.json`)).not.toThrow();
  });

  it('negative hours', () => {
    const p = base();
    p.perYear.hours = -1;
    rejectAt(p, 'perYear.hours', 'negative');
  });

  it('negative role hours', () => {
    const p = base();
    p.roleRules[0].hours = -32;
    rejectAt(p, 'roleRules.0.hours');
  });

  it('unknown category in a rule', () => {
    const p = base();
    p.roleRules[0].category = '体育培训';
    rejectAt(p, 'roleRules.0.category');
  });

  it('rule category missing from the categories list', () => {
    const p = base();
    p.categories = p.categories.filter((c: { key: string }) => c.key !== '班主任培训');
    rejectAt(p, 'roleRules.0.category', 'not listed');
  });

  it('alias pointing at an unknown category', () => {
    const p = base();
    p.aliases['体育'] = '体育培训';
    rejectAt(p, 'aliases.体育');
  });

  it('impossible calendar date', () => {
    const p = base();
    p.cycle.anchorStart = '2018-02-30';
    rejectAt(p, 'cycle.anchorStart', 'YYYY-MM-DD');
  });

  it('badly formatted date', () => {
    const p = base();
    p.source.date = '2018/03/08';
    rejectAt(p, 'source.date');
  });

  it('cycle length below 1 year', () => {
    const p = base();
    p.cycle.lengthYears = 0;
    rejectAt(p, 'cycle.lengthYears', 'at least 1');
  });

  it('fractional cycle length', () => {
    const p = base();
    p.cycle.lengthYears = 2.5;
    rejectAt(p, 'cycle.lengthYears');
  });

  it('impossible deadline month-day', () => {
    const p = base();
    p.deadlines[0].monthDay = '13-01';
    rejectAt(p, 'deadlines.0.monthDay');
  });

  it('unknown deadline audience', () => {
    const p = base();
    p.deadlines[0].audience = 'teachers';
    rejectAt(p, 'deadlines.0.audience');
  });

  it('carry-over the engine cannot honour', () => {
    const p = base();
    p.perYear.carryOver = true;
    rejectAt(p, 'perYear.carryOver');
  });

  it('a quote from another seed file', () => {
    const p = base();
    p.perYear.source.file = '000_e456594dfd49fa64.txt';
    rejectAt(p, 'perYear.source.file');
  });

  it('empty quote', () => {
    const p = base();
    p.roleRules[1].source.quote = '  ';
    rejectAt(p, 'roleRules.1.source.quote');
  });

  it('misspelt key (strict objects)', () => {
    const p = base();
    p.cycle.totalHour = 360;
    rejectAt(p, 'cycle', 'totalHour');
  });

  it('active range ending before it starts', () => {
    const p = structuredClone(rawPreset('liuzhou')) as Record<string, any>;
    p.categoryMinimums[0].activeTo = '2022-12-31';
    rejectAt(p, 'categoryMinimums.0.activeTo');
  });

  it('tier ratio not adding up to 100', () => {
    const p = structuredClone(rawPreset('laibin')) as Record<string, any>;
    p.tiers.items[0].ratio['跟岗实践'] = 60;
    rejectAt(p, 'tiers.items.0.ratio');
  });

  it('a no-figure source that sets hours anyway', () => {
    const p = structuredClone(rawPreset('houma')) as Record<string, any>;
    p.perYear = structuredClone(base().perYear);
    p.perYear.source.file = p.source.file;
    rejectAt(p, 'hasNumericRequirement');
  });

  it('totalHours without a source quote', () => {
    const p = base();
    p.cycle.totalSource = null;
    rejectAt(p, 'cycle.totalSource');
  });
});

describe('loadPresets errors name the file and the path', () => {
  const dirWith = (files: Record<string, string>) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xueshi-presets-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return dir;
  };

  it('invalid field', () => {
    const bad = rawPreset('otog') as Record<string, any>;
    bad.cycle.lengthYears = 0;
    const dir = dirWith({ 'otog.json': JSON.stringify(bad) });
    expect(() => loadPresets(dir)).toThrow(/otog\.json[\s\S]*cycle\.lengthYears/);
  });

  it('malformed JSON', () => {
    const dir = dirWith({ 'houma.json': '{ "id": ' });
    expect(() => loadPresets(dir)).toThrow(/houma\.json/);
  });

  it('id that does not match the file name', () => {
    const dir = dirWith({ 'other.json': JSON.stringify(rawPreset('houma')) });
    expect(() => loadPresets(dir)).toThrow(/other\.json[\s\S]*id/);
  });

  it('loads a custom directory', () => {
    const dir = dirWith({ 'houma.json': JSON.stringify(rawPreset('houma')), 'notes.txt': 'ignored' });
    expect([...loadPresets(dir).keys()]).toEqual(['houma']);
  });
});

describe('seed documents', () => {
  it('are all in the repo, one per preset', () => {
    for (const file of Object.values(SEED)) expect(existsSync(path.join(seedsDir, file)), file).toBe(true);
  });

  it.runIf(existsSync(sharedSeedsDir))('match the copies in ../shared/seeds byte for byte', () => {
    for (const file of Object.values(SEED)) {
      expect(readFileSync(path.join(seedsDir, file)).equals(readFileSync(path.join(sharedSeedsDir, file))), file).toBe(true);
    }
  });
});

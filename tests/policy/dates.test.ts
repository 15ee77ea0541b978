import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  addYears,
  calendarYearOf,
  compareDates,
  completedYears,
  daysBetween,
  isValidDate,
  isValidMonthDay,
  isWithin,
  schoolYearOf,
} from '../../src/policy/dates.js';

describe('date helpers', () => {
  it('validates real calendar dates only', () => {
    expect(isValidDate('2024-02-29')).toBe(true);
    expect(isValidDate('2023-02-29')).toBe(false);
    expect(isValidDate('2024-04-31')).toBe(false);
    expect(isValidDate('2024-2-1')).toBe(false);
    expect(isValidDate('2024-13-01')).toBe(false);
    expect(isValidDate(20240101)).toBe(false);
  });

  it('validates month-days, allowing 02-29', () => {
    expect(isValidMonthDay('02-29')).toBe(true);
    expect(isValidMonthDay('05-31')).toBe(true);
    expect(isValidMonthDay('06-31')).toBe(false);
    expect(isValidMonthDay('13-01')).toBe(false);
    expect(isValidMonthDay('5-31')).toBe(false);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2020-12-31', 1)).toBe('2021-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2023-03-01', -1)).toBe('2023-02-28');
  });

  it('adds months clamping to the month end', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2024-12-15', 1)).toBe('2025-01-15');
    expect(addMonths('2025-01-15', -1)).toBe('2024-12-15');
    expect(addMonths('2019-09-01', 12)).toBe('2020-09-01');
  });

  it('adds years, 02-29 landing on 02-28', () => {
    expect(addYears('2018-01-01', 3)).toBe('2021-01-01');
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
  });

  it('counts days between dates', () => {
    expect(daysBetween('2018-01-01', '2020-12-31')).toBe(1095);
    expect(daysBetween('2020-12-31', '2018-01-01')).toBe(-1095);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
  });

  it('compares and ranges inclusively', () => {
    expect(compareDates('2024-01-01', '2024-01-02')).toBe(-1);
    expect(compareDates('2024-01-02', '2024-01-02')).toBe(0);
    expect(compareDates('2024-01-03', '2024-01-02')).toBe(1);
    expect(isWithin('2024-01-01', '2024-01-01', '2024-12-31')).toBe(true);
    expect(isWithin('2024-12-31', '2024-01-01', '2024-12-31')).toBe(true);
    expect(isWithin('2025-01-01', '2024-01-01', '2024-12-31')).toBe(false);
    expect(() => compareDates('2024-02-30', '2024-01-01')).toThrow(/2024-02-30/);
  });

  it('finds the calendar year and the 学年 (Sep 1 – Aug 31)', () => {
    expect(calendarYearOf('2024-06-15')).toEqual({ start: '2024-01-01', end: '2024-12-31' });
    expect(schoolYearOf('2024-08-31')).toEqual({ start: '2023-09-01', end: '2024-08-31' });
    expect(schoolYearOf('2024-09-01')).toEqual({ start: '2024-09-01', end: '2025-08-31' });
    expect(schoolYearOf('2025-01-01')).toEqual({ start: '2024-09-01', end: '2025-08-31' });
  });

  it('counts completed years on anniversaries', () => {
    expect(completedYears('2020-09-01', '2020-09-01')).toBe(0);
    expect(completedYears('2020-09-01', '2021-08-31')).toBe(0);
    expect(completedYears('2020-09-01', '2021-09-01')).toBe(1);
    expect(completedYears('2024-02-29', '2025-02-27')).toBe(0);
    expect(completedYears('2024-02-29', '2025-02-28')).toBe(1);
  });
});

describe('purity of src/policy', () => {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/policy');
  it('never reads the clock (no argument-less new Date(), no Date.now())', () => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      expect(text, file).not.toMatch(/new Date\(\s*\)/);
      expect(text, file).not.toMatch(/Date\.now\(/);
    }
  });
});

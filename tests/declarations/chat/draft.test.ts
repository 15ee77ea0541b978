import { describe, expect, it } from 'vitest';
import { fieldNamed, isWord, newDraft, nextStep, readAnswer, type ReadContext } from '../../../src/declarations/chat/draft.js';

/** How the 学时申报 wizard reads each answer (today is 2026-05-27 in Beijing). */
const ctx: ReadContext = {
  today: '2026-05-27',
  categories: ['师德师风', '校本研修', '集中培训'],
  categoryOf: (raw) => ({ 校本培训: '校本研修', 集中培训: '集中培训', 师德: '师德师风' })[raw.trim()] ?? null,
};

describe('reading answers', () => {
  it.each([
    ['2025-03-01至03-05', '2025-03-01', '2025-03-05'],
    ['2025年3月1日', '2025-03-01', '2025-03-01'],
    ['5月20日-22日', '2026-05-20', '2026-05-22'],
  ])('dates %s → %s–%s', (raw, startDate, endDate) => {
    expect(readAnswer('dates', raw, ctx)).toEqual({ ok: true, patch: { startDate, endDate } });
  });

  it.each([
    ['2025-02-30', '2025年2月没有30日'],
    ['下个月', '看不出「下个月」是哪一天'],
    ['2025-03-05至03-01', '早于开始日期'],
    ['2026-05-28', '还没到'],
    ['2024-01-01至2025-06-01', '超过一年'],
  ])('dates %s are refused (%s)', (raw, problem) => {
    const r = readAnswer('dates', raw, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toContain(problem);
  });

  it.each([
    ['24', 24],
    ['24学时', 24],
    ['１２．５', 12.5],
    ['1.25 课时', 1.25],
    ['360', 360],
  ])('hours %s → %s', (raw, hours) => {
    expect(readAnswer('hours', raw, ctx)).toEqual({ ok: true, patch: { hours } });
  });

  it.each(['0', '-3', '361', '1.255', '很多', '二十四'])('hours %s are refused', (raw) => {
    expect(readAnswer('hours', raw, ctx).ok).toBe(false);
  });

  it('category by number, by name or by a preset alias; an unknown one is refused', () => {
    expect(readAnswer('category', '3', ctx)).toEqual({ ok: true, patch: { category: '集中培训' } });
    expect(readAnswer('category', '第2项', ctx)).toEqual({ ok: true, patch: { category: '校本研修' } });
    expect(readAnswer('category', '校本培训', ctx)).toEqual({ ok: true, patch: { category: '校本研修' } });
    expect(readAnswer('category', '4', ctx).ok).toBe(false);
    expect(readAnswer('category', '跟岗', ctx).ok).toBe(false);
  });

  it('certificate number: 跳过 / 无 leave it empty; any characters up to 64', () => {
    expect(readAnswer('certificateNo', '跳过', ctx)).toEqual({ ok: true, patch: { certificateNo: null } });
    expect(readAnswer('certificateNo', '无', ctx)).toEqual({ ok: true, patch: { certificateNo: null } });
    expect(readAnswer('certificateNo', '桂继教〔2025〕012号', ctx)).toEqual({ ok: true, patch: { certificateNo: '桂继教〔2025〕012号' } });
    expect(readAnswer('certificateNo', 'X'.repeat(65), ctx).ok).toBe(false);
  });

  it('project and organiser: trimmed, not empty, at most 100 characters', () => {
    expect(readAnswer('project', '  国培  计划 ', ctx)).toEqual({ ok: true, patch: { project: '国培 计划' } });
    expect(readAnswer('organiser', '   ', ctx).ok).toBe(false);
    expect(readAnswer('project', '培'.repeat(101), ctx).ok).toBe(false);
  });
});

describe('wizard words and steps', () => {
  it('reads words loosely (full width, case, trailing punctuation)', () => {
    expect(isWord('取消。', ['取消'])).toBe(true);
    expect(isWord('ＯＫ', ['ok'])).toBe(true);
    expect(isWord('取消学时', ['取消'])).toBe(false);
  });

  it('names fields as teachers do', () => {
    expect(fieldNamed('日期')).toBe('dates');
    expect(fieldNamed('证书编号')).toBe('certificateNo');
    expect(fieldNamed('照片')).toBe('evidence');
    expect(fieldNamed('天气')).toBeNull();
  });

  it('the next step is the first field still empty, then the summary', () => {
    const d = newDraft(new Date(0));
    expect(nextStep(d)).toBe('project');
    Object.assign(d, { project: 'p', organiser: 'o', startDate: '2025-01-01', endDate: '2025-01-01' });
    expect(nextStep(d)).toBe('hours');
    Object.assign(d, { hours: 1, category: '集中培训', certificateNo: null });
    expect(nextStep(d)).toBe('evidence');
    d.evidenceIds.push(7);
    expect(nextStep(d)).toBe('confirm');
  });
});

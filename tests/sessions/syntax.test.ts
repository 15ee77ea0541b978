import { describe, expect, it } from 'vitest';
import { loadPresets } from '../../src/policy/presets.js';
import { matchRotating, normaliseCode, rotatingCode, STEP_MS, stepOf } from '../../src/sessions/code.js';
import { parseAudience, parseCreateText, parseDate, parseMode, parseTimeRange } from '../../src/sessions/syntax.js';
import { instantAt, hhmmIn } from '../../src/time/zone.js';

const preset = loadPresets().get('laibin');
const parse = (text: string) => parseCreateText(text, { today: '2026-11-25', preset });

describe('新建培训 syntax', () => {
  it('reads the documented order', () => {
    const r = parse('师德专题讲座 师德师风 3 2026-12-01 08:30-09:15 签退 11:30-12:00 对象 学校:一中,二中 方式 固定码:123456');
    expect(r).toEqual({
      ok: true,
      value: {
        title: '师德专题讲座',
        category: '师德师风',
        hours: 3,
        date: '2026-12-01',
        checkin: { start: '08:30', end: '09:15' },
        checkout: { start: '11:30', end: '12:00' },
        audience: { schools: ['一中', '二中'] },
        mode: 'static',
        staticCode: '123456',
      },
    });
  });

  it('forgives full-width punctuation, other dashes, spaces around the dash, any order and defaults', () => {
    const r = parse('集中培训 1.5学时 12月1日 8：30 ～ 9：15 「新课标 解读」 角色：班主任、校长 按钮');
    expect(r.ok && r.value).toMatchObject({
      title: '新课标 解读',
      category: '集中培训',
      hours: 1.5,
      date: '2026-12-01',
      checkin: { start: '08:30', end: '09:15' },
      checkout: null,
      audience: { roles: ['班主任', '校长'] },
      mode: 'button',
    });
  });

  it('defaults to everyone and a rotating code; a second bare range is the sign-out', () => {
    const r = parse('讲座 校本研修 2 明天 14:00-14:30 16:30-17:00');
    expect(r.ok && r.value).toMatchObject({
      title: '讲座',
      date: '2026-11-26',
      checkin: { start: '14:00', end: '14:30' },
      checkout: { start: '16:30', end: '17:00' },
      audience: { all: true },
      mode: 'rotating',
      staticCode: null,
    });
  });

  it('when the title is itself a category word, the first word is the title', () => {
    const r = parse('师德师风 师德师风 3 2026-12-01 08:30-09:15');
    expect(r.ok && r.value).toMatchObject({ title: '师德师风', category: '师德师风' });
  });

  it('says what is missing', () => {
    expect(parse('讲座 3 2026-12-01 08:30-09:15')).toMatchObject({ ok: false, problem: { kind: 'category_missing' } });
    expect(parse('讲座 师德师风 2026-12-01 08:30-09:15')).toMatchObject({ ok: false, problem: { kind: 'hours_missing' } });
    expect(parse('讲座 师德师风 3 08:30-09:15')).toMatchObject({ ok: false, problem: { kind: 'date_missing' } });
    expect(parse('讲座 师德师风 3 2026-12-01')).toMatchObject({ ok: false, problem: { kind: 'window_missing' } });
    expect(parse('师德师风 3 2026-12-01 08:30-09:15')).toMatchObject({ ok: false, problem: { kind: 'title_missing' } });
    expect(parse('讲座 师德师风 3 2026-02-30 08:30-09:15')).toMatchObject({ ok: false, problem: { kind: 'date_invalid' } });
    expect(parse('讲座 师德师风 3 2026-12-01 08:30-25:15')).toMatchObject({ ok: false, problem: { kind: 'time_invalid' } });
    expect(parse('讲座 师德师风 3 2026-12-01 08:30-09:15 方式 飞鸽')).toMatchObject({ ok: false, problem: { kind: 'mode_invalid' } });
  });

  it('parses the pieces on their own', () => {
    expect(parseTimeRange('8:30至9:15')).toEqual({ ok: true, value: { start: '08:30', end: '09:15' } });
    expect(parseDate('2026/12/1', '2026-11-25')).toEqual({ ok: true, value: '2026-12-01' });
    expect(parseDate('1-5', '2026-11-25')).toEqual({ ok: true, value: '2027-01-05' });
    expect(parseAudience('全部')).toEqual({ ok: true, value: { all: true } });
    expect(parseAudience('一中，二中')).toEqual({ ok: true, value: { schools: ['一中', '二中'] } });
    expect(parseAudience('角色:培训管理员')).toEqual({ ok: true, value: { roles: ['officer'] } });
    expect(parseMode('固定码')).toEqual({ ok: true, value: { mode: 'static', staticCode: null } });
    expect(parseMode('static:12')).toMatchObject({ ok: false, problem: { kind: 'static_code_invalid' } });
  });
});

describe('rotating codes', () => {
  const secret = 'test-secret';
  it('are six digits, change every 30 s, and accept the previous step only', () => {
    const t0 = Date.parse('2026-12-01T00:30:00Z');
    const c0 = rotatingCode(secret, stepOf(t0));
    const c1 = rotatingCode(secret, stepOf(t0 + STEP_MS));
    expect(c0).toMatch(/^\d{6}$/);
    expect(c1).not.toBe(c0);
    expect(matchRotating(secret, c0, t0 + 29_999, t0)).toBe('current');
    expect(matchRotating(secret, c0, t0 + STEP_MS, t0)).toBe('previous');
    expect(matchRotating(secret, c0, t0 + 2 * STEP_MS, t0)).toBe('expired');
    expect(matchRotating('other', c0, t0, t0)).not.toBe('current');
  });

  it('normalises what phones type', () => {
    expect(normaliseCode('１２３ ４５６')).toBe('123456');
  });
});

describe('Beijing wall clock', () => {
  it('maps 2026-12-01 08:30 Asia/Shanghai to 00:30 UTC and back', () => {
    expect(instantAt('2026-12-01', '08:30', 'Asia/Shanghai').toISOString()).toBe('2026-12-01T00:30:00.000Z');
    expect(hhmmIn(new Date('2026-12-01T00:30:00Z'), 'Asia/Shanghai')).toBe('08:30');
    expect(instantAt('2026-07-01', '08:30', 'Europe/Berlin').toISOString()).toBe('2026-07-01T06:30:00.000Z');
  });
});

import { describe, expect, it } from 'vitest';
import { parseAudience } from '../../src/broadcasts/audience.js';
import { bodyFromRaw } from '../../src/broadcasts/commands.js';

describe('发布通知 audience', () => {
  it('reads 全部, schools, roles and schools + roles', () => {
    expect(parseAudience(['全部', '正文'])).toEqual({ ok: true, audience: { all: true }, used: 1 });
    expect(parseAudience(['学校：一中，二中、三中', '正文'])).toEqual({ ok: true, audience: { schools: ['一中', '二中', '三中'] }, used: 1 });
    expect(parseAudience(['角色:leaders,班主任', '正文'])).toEqual({ ok: true, audience: { roles: ['leader', 'homeroom'] }, used: 1 });
    expect(parseAudience(['学校:一中', '角色:校长', '正文'])).toEqual({ ok: true, audience: { schools: ['一中'], roles: ['principal'] }, used: 2 });
    expect(parseAudience(['对象:全部', '正文'])).toEqual({ ok: true, audience: { all: true }, used: 1 });
  });

  it('refuses what it cannot read', () => {
    expect(parseAudience(['明天开会'])).toEqual({ ok: false, problem: { kind: 'missing' } });
    expect(parseAudience(['角色:教导主任'])).toEqual({ ok: false, problem: { kind: 'unknownRoles', roles: ['教导主任'] } });
    expect(parseAudience(['学校:'])).toEqual({ ok: false, problem: { kind: 'emptyList', what: 'schools' } });
  });
});

describe('notice body', () => {
  it('keeps the line breaks of the message as typed', () => {
    const raw = '/发布通知 学校:一中\n关于期末培训\n一、时间：12月1日  \n二、地点：报告厅';
    expect(bodyFromRaw(raw, 1, '关于期末培训 一、时间：12月1日 二、地点：报告厅')).toBe('关于期末培训\n一、时间：12月1日\n二、地点：报告厅');
  });

  it('falls back to the parsed text when the raw message does not match it', () => {
    expect(bodyFromRaw('发布通知全部 正文', 1, '正文')).toBe('正文');
    expect(bodyFromRaw(null, 1, '正文')).toBe('正文');
  });
});

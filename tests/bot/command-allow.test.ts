import { z } from 'zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineCommand } from '../../src/bot/command.js';
import { findTeacherById } from '../../src/ledger/store.js';
import { grantRole } from '../../src/ledger/roles.js';
import type { Caller } from '../../src/ledger/caller.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addTeacher } from '../helpers/seed.js';

/** Issue 15 item 5: `allow` types the handler's caller, and defineCommand checks it before the handler runs. */
let app: TestApp;
let caller: (teacherId: number | null, roles: Caller['roles']) => Caller;
beforeEach(async () => {
  app = await createTestApp();
  caller = (teacherId, roles) => ({ platform: 'console', accountId: 'u1', teacher: teacherId === null ? null : (findTeacherById(app.db, teacherId) ?? null), roles });
});
afterEach(async () => app.cleanup());

const ran: string[] = [];
const officersOnly = defineCommand({
  name: '试验',
  aliases: [],
  help: () => ({ summary: 'test', usage: '试验 <word>' }),
  positional: ['word'],
  args: z.object({ word: z.string({ error: 'need a word' }) }),
  allow: ['officer'],
  run({ caller }, { word }) {
    // A role list gives a bound caller: its roster entry is there without `!`.
    ran.push(`${caller.teacher.employeeNo}:${word}`);
    return { text: `ok ${caller.teacher.name}` };
  },
});
const open = defineCommand({
  name: '公开',
  aliases: [],
  help: () => ({ summary: 'test', usage: '公开' }),
  positional: [],
  args: z.object({}),
  allow: 'anyone',
  run({ caller }) {
    // Never called: tsc checks it. 'anyone' lets unbound accounts in, so the roster entry may be null.
    // @ts-expect-error caller.teacher is possibly null
    const typedAsBound = (): string => caller.teacher.name;
    void typedAsBound;
    return { text: caller.teacher ? `bound ${caller.teacher.name}` : 'unbound' };
  },
});

describe('a command typed by who may run it', () => {
  it('refuses an unbound account and a teacher without the role, before reading arguments or running the handler', () => {
    const t = app.bot.contextFor(caller(null, new Set()), null).t;
    const id = addTeacher(app.db, { employeeNo: 'T0001', name: '张三', school: '第一中学', policyId: 'laibin' });
    ran.length = 0;
    expect(officersOnly.invoke(app.bot.contextFor(caller(null, new Set()), null), '')).toEqual({ text: t.errors.notBound });
    expect(officersOnly.invoke(app.bot.contextFor(caller(id, new Set(['teacher'])), null), 'x')).toEqual({ text: t.errors.forbidden('试验', ['officer']) });
    expect(ran).toEqual([]);

    grantRole(app.db, id, 'officer', 'test');
    const officer = app.bot.contextFor(caller(id, new Set(['teacher', 'officer'])), null);
    expect(officersOnly.invoke(officer, '').text).toBe(t.errors.badArgs('试验 <word>', 'need a word'));
    expect(officersOnly.invoke(officer, 'go')).toEqual({ text: 'ok 张三' });
    expect(ran).toEqual(['T0001:go']);
  });

  it("lets anyone run an 'anyone' command, bound or not", () => {
    const id = addTeacher(app.db, { employeeNo: 'T0002', name: '李四', school: '第二小学', policyId: 'laibin' });
    expect(open.invoke(app.bot.contextFor(caller(null, new Set()), null), '')).toEqual({ text: 'unbound' });
    expect(open.invoke(app.bot.contextFor(caller(id, new Set(['teacher'])), null), '')).toEqual({ text: 'bound 李四' });
  });
});

import { z } from 'zod';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { defineCommand, type CallerAllowedBy } from '../../src/bot/command.js';
import { findTeacherById } from '../../src/ledger/store.js';
import { grantRole } from '../../src/ledger/roles.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { callerOf, isLeader, isOfficer, type BoundCaller, type Caller, type LeaderCaller, type OfficerCaller, type TeacherCaller } from '../../src/ledger/caller.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addTeacher } from '../helpers/seed.js';

/** Issue 15 item 5: `allow` types the handler's caller, and defineCommand checks it before the handler runs. */
let app: TestApp;
let caller: (teacherId: number | null, roles: Caller['roles']) => Promise<Caller>;
beforeEach(async () => {
  app = await createTestApp();
  caller = async (teacherId, roles) => callerOf('console', 'u1', teacherId === null ? null : ((await findTeacherById(app.db, teacherId)) ?? null), roles);
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
  it('refuses an unbound account and a teacher without the role, before reading arguments or running the handler', async () => {
    const t = app.bot.contextFor(await caller(null, new Set()), null).t;
    const id = await addTeacher(app.db, { employeeNo: 'T0001', name: '张三', school: '第一中学', policyId: 'laibin' });
    ran.length = 0;
    expect(await officersOnly.invoke(app.bot.contextFor(await caller(null, new Set()), null), '')).toEqual({ text: t.errors.notBound });
    expect(await officersOnly.invoke(app.bot.contextFor(await caller(id, new Set(['teacher'])), null), 'x')).toEqual({ text: t.errors.forbidden('试验', ['officer']) });
    expect(ran).toEqual([]);

    await grantRole(app.db, id, 'officer', 'test');
    const officer = app.bot.contextFor(await caller(id, new Set(['teacher', 'officer'])), null);
    expect((await officersOnly.invoke(officer, '')).text).toBe(t.errors.badArgs('试验 <word>', 'need a word'));
    expect(await officersOnly.invoke(officer, 'go')).toEqual({ text: 'ok 张三' });
    expect(ran).toEqual(['T0001:go']);
  });

  it("lets anyone run an 'anyone' command, bound or not", async () => {
    const id = await addTeacher(app.db, { employeeNo: 'T0002', name: '李四', school: '第二小学', policyId: 'laibin' });
    expect(await open.invoke(app.bot.contextFor(await caller(null, new Set()), null), '')).toEqual({ text: 'unbound' });
    expect(await open.invoke(app.bot.contextFor(await caller(id, new Set(['teacher'])), null), '')).toEqual({ text: 'bound 李四' });
  });
});

/** One command per kind of `allow`, each handler stating (for tsc) the caller type it is given. */
const leadersOnly = defineCommand({
  name: '校长',
  aliases: [],
  help: () => ({ summary: 'test', usage: '校长' }),
  positional: [],
  args: z.object({}),
  allow: ['leader'],
  run({ caller }) {
    expectTypeOf(caller).toEqualTypeOf<LeaderCaller>();
    // The school it leads is typed non-null: no check needed.
    expectTypeOf(caller.leads).toEqualTypeOf<string>();
    return { text: `leads ${caller.leads}` };
  },
});
const leadersOrOfficers = defineCommand({
  name: '审核',
  aliases: [],
  help: () => ({ summary: 'test', usage: '审核' }),
  positional: [],
  args: z.object({}),
  allow: ['leader', 'officer'],
  run({ caller }) {
    expectTypeOf(caller).toEqualTypeOf<LeaderCaller | OfficerCaller>();
    // @ts-expect-error an officer leads no school: narrow with isLeader first
    const unnarrowed: string = caller.leads;
    void unnarrowed;
    if (isLeader(caller)) return { text: `leader of ${caller.leads}${isOfficer(caller) ? ' and officer' : ''}` };
    expectTypeOf(caller).toEqualTypeOf<OfficerCaller>();
    return { text: 'officer' };
  },
});

describe('the caller type follows allow', () => {
  it('gives each allow its own caller type', async () => {
    expectTypeOf<CallerAllowedBy<'anyone'>>().toEqualTypeOf<Caller>();
    expectTypeOf<CallerAllowedBy<readonly ['teacher']>>().toEqualTypeOf<TeacherCaller>();
    expectTypeOf<TeacherCaller>().toEqualTypeOf<BoundCaller>();
    expectTypeOf<CallerAllowedBy<readonly ['leader']>>().toEqualTypeOf<LeaderCaller>();
    expectTypeOf<CallerAllowedBy<readonly ['officer']>>().toEqualTypeOf<OfficerCaller>();
    expectTypeOf<CallerAllowedBy<readonly ['leader', 'officer']>>().toEqualTypeOf<LeaderCaller | OfficerCaller>();
    expectTypeOf<CallerAllowedBy<readonly ['teacher', 'officer']>>().toEqualTypeOf<TeacherCaller | OfficerCaller>();
    // Distinct: an officer is not a leader, nor a plain bound caller one.
    expectTypeOf<OfficerCaller>().not.toEqualTypeOf<LeaderCaller>();
    expectTypeOf<BoundCaller>().not.toMatchTypeOf<OfficerCaller>();
    expectTypeOf<BoundCaller>().not.toMatchTypeOf<LeaderCaller>();
  });

  it('a leader carries its school; the guards and allow agree with the roles held', async () => {
    const head = await addTeacher(app.db, { employeeNo: 'L0001', name: '王校长', school: '第三小学', policyId: 'laibin' });
    const clerk = await addTeacher(app.db, { employeeNo: 'O0001', name: '赵干事', school: '教师发展中心', policyId: 'laibin' });
    await grantRole(app.db, head, 'leader', 'test');
    await grantRole(app.db, clerk, 'officer', 'test');
    // The bot's own caller, as a message builds it: unbound leads nothing; bound, the roster's school.
    expect((await app.bot.callerFor('console', 'lead-1')).leads).toBeNull();
    await bindAccount(app.db, 'console', 'lead-1', head);
    expect(await app.bot.callerFor('console', 'lead-1')).toMatchObject({ leads: '第三小学', roles: new Set(['teacher', 'leader']) });
    const asLeader = await caller(head, new Set(['teacher', 'leader']));
    const asOfficer = await caller(clerk, new Set(['teacher', 'officer']));
    const asBoth = await caller(head, new Set(['teacher', 'leader', 'officer']));
    expect([asLeader.leads, asOfficer.leads, asBoth.leads]).toEqual(['第三小学', null, '第三小学']);
    expect([isLeader(asLeader), isOfficer(asLeader), isLeader(asOfficer), isOfficer(asOfficer)]).toEqual([true, false, false, true]);
    const t = app.bot.contextFor(asLeader, null).t;
    expect(await leadersOnly.invoke(app.bot.contextFor(asLeader, null), '')).toEqual({ text: 'leads 第三小学' });
    expect(await leadersOnly.invoke(app.bot.contextFor(asOfficer, null), '')).toEqual({ text: t.errors.forbidden('校长', ['leader']) });
    expect(await leadersOrOfficers.invoke(app.bot.contextFor(asLeader, null), '')).toEqual({ text: 'leader of 第三小学' });
    expect(await leadersOrOfficers.invoke(app.bot.contextFor(asBoth, null), '')).toEqual({ text: 'leader of 第三小学 and officer' });
    expect(await leadersOrOfficers.invoke(app.bot.contextFor(asOfficer, null), '')).toEqual({ text: 'officer' });
    expect(await leadersOrOfficers.invoke(app.bot.contextFor(await caller(clerk, new Set(['teacher'])), null), '')).toEqual({ text: t.errors.forbidden('审核', ['leader', 'officer']) });
  });
});

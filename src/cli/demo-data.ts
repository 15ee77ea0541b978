/**
 * The clearly labelled demo roster (工号 DEMO001…, schools 演示一中/演示二小, names 演示…) and its seeding, which
 * refuses a real database (the guard that keeps demo and real data apart is src/meta/data-kind.ts).
 */
import type { Db } from '../../db/client.js';
import { transaction } from '../../db/statements.js';
import { dateIn } from '../time/zone.js';
import { type Clock } from '../clock.js';
import { audit } from '../ledger/audit.js';
import { addDays, addMonths, calendarYearOf, compareDates, daysBetween } from '../policy/dates.js';
import { cycleFor } from '../policy/engine.js';
import { getPreset } from '../policy/presets.js';
import { demoText } from '../bot/i18n/zh-CN.demo.js';
import type { TeacherValues } from '../import/rules.js';
import { setMetaValue } from '../meta/store.js';
import { DATA_KIND_KEY, DataKindError, dataKind } from '../meta/data-kind.js';
import { countTeachersNotPrefixed, deleteRecordsByKeyPrefix, grantDemoRole, insertDemoRecords, upsertDemoTeacher } from './store.js';

export const DEMO_DATABASE_PATH = 'data/demo.db';
export const DEMO_PREFIX = 'DEMO';
interface DemoTeacher extends TeacherValues {
  roles: ('leader' | 'officer')[];
  blurb: string;
}

interface DemoRecord {
  employeeNo: string;
  date: string;
  hours: number;
  category: string;
  project: string;
}

export interface DemoSeedResult {
  /** The teacher a demo session starts as (on pace, laibin). */
  employeeNo: string;
  name: string;
  teachers: { employeeNo: string; name: string; school: string; policyId: string; blurb: string }[];
  records: number;
}


/** Splits `total` hours into realistic sessions spread evenly over [start, end]. */
function spread(
  employeeNo: string,
  total: number,
  categories: string[],
  start: string,
  end: string,
  out: DemoRecord[],
): void {
  let left = Math.round(total * 2) / 2;
  const sizes = [8, 6, 12, 4, 16, 3];
  const chunks: number[] = [];
  for (let i = 0; left > 0; i++) {
    const h = Math.min(left, sizes[i % sizes.length]);
    chunks.push(h);
    left = Math.round((left - h) * 2) / 2;
  }
  const span = Math.max(0, daysBetween(start, end));
  chunks.forEach((hours, i) => {
    const category = categories[i % categories.length];
    const projects = demoText.projects[category] ?? [demoText.otherProject];
    out.push({
      employeeNo,
      date: addDays(start, Math.floor((span * (i + 1)) / (chunks.length + 1))),
      hours,
      category,
      project: projects[i % projects.length],
    });
  });
}

const later = (a: string, b: string) => (compareDates(a, b) >= 0 ? a : b);

/** The cycle-so-far window of a preset at `today` (last 12 months when the preset has no cycle). */
function cycleSoFar(policyId: string, today: string): { start: string; expected: number } {
  const preset = getPreset(policyId);
  const cycle = preset ? cycleFor(preset, today) : null;
  const total = preset?.cycle?.totalHours ?? null;
  if (!cycle || total === null) return { start: addMonths(today, -12), expected: 0 };
  const elapsed = daysBetween(cycle.start, today) + 1;
  const length = daysBetween(cycle.start, cycle.end) + 1;
  return { start: cycle.start, expected: (total * elapsed) / length };
}

function demoRoster(today: string): { teachers: DemoTeacher[]; records: DemoRecord[] } {
  const year = calendarYearOf(today);
  const thisYear = (policyId: string) => later(year.start, cycleSoFar(policyId, today).start);
  const newHire = addMonths(today, -4);
  const { cast, schools: { first, second } } = demoText;
  const teachers: DemoTeacher[] = [
    { employeeNo: 'DEMO001', ...cast.DEMO001, school: first, hireDate: '2012-09-01', normalGraduate: true, homeroom: false, position: '教师', policyId: 'laibin', roles: [] },
    { employeeNo: 'DEMO002', ...cast.DEMO002, school: first, hireDate: '2016-09-01', normalGraduate: true, homeroom: true, position: '教师', policyId: 'laibin', roles: [] },
    { employeeNo: 'DEMO003', ...cast.DEMO003, school: second, hireDate: '2005-09-01', normalGraduate: true, homeroom: false, position: '校长', policyId: 'otog', roles: ['leader'] },
    { employeeNo: 'DEMO004', ...cast.DEMO004, school: second, hireDate: '2019-09-01', normalGraduate: true, homeroom: true, position: '教师', policyId: 'otog', roles: [] },
    { employeeNo: 'DEMO005', ...cast.DEMO005, school: second, hireDate: newHire, normalGraduate: false, homeroom: false, position: '教师', policyId: 'liuzhou', roles: [] },
    { employeeNo: 'DEMO006', ...cast.DEMO006, school: first, hireDate: '2010-09-01', normalGraduate: true, homeroom: false, position: '教师', policyId: 'houma', roles: ['officer'] },
  ];

  const records: DemoRecord[] = [];
  const laibin = cycleSoFar('laibin', today);
  spread('DEMO001', laibin.expected * 1.15 + 8, ['集中培训', '网络研修', '校本研修', '师德师风'], laibin.start, today, records);
  spread('DEMO002', laibin.expected * 0.45, ['网络研修', '校本研修', '集中培训'], laibin.start, today, records);
  spread('DEMO002', 6, ['班主任培训'], thisYear('laibin'), today, records);

  spread('DEMO003', 16, ['校长培训'], thisYear('otog'), today, records);
  const otog = cycleSoFar('otog', today);
  spread('DEMO004', otog.expected * 1.1, ['集中培训', '网络研修', '校本研修', '师德师风'], otog.start, today, records);
  spread('DEMO004', 20, ['班主任培训'], thisYear('otog'), today, records);

  spread('DEMO005', 36, ['集中培训'], newHire, today, records);
  spread('DEMO005', 6, ['师德师风'], newHire, today, records);
  spread('DEMO005', 4, ['校本研修'], newHire, today, records);

  spread('DEMO006', 20, ['集中培训', '网络研修'], addMonths(today, -12), today, records);
  return { teachers, records };
}

/**
 * Seeds (or re-seeds: demo records are replaced, bindings kept) the demo roster with records in the
 * current cycle as of `clock`. Refuses, with a Chinese message, a database that holds real data.
 */
export async function seedDemo(db: Db, clock: Clock, timeZone = 'Asia/Shanghai'): Promise<DemoSeedResult> {
  const today = dateIn(clock.now(), timeZone);
  return transaction(db, async (tx): Promise<DemoSeedResult> => {
    const kind = await dataKind(tx);
    const realTeachers = await countTeachersNotPrefixed(tx, DEMO_PREFIX);
    if (kind === 'real' || realTeachers > 0) {
      throw new DataKindError(demoText.hasRealData(realTeachers, DEMO_DATABASE_PATH));
    }
    await setMetaValue(tx, DATA_KIND_KEY, 'demo');

    const { teachers, records } = demoRoster(today);
    const ids = new Map<string, number>();
    for (const t of teachers) {
      const id = await upsertDemoTeacher(tx, t);
      ids.set(t.employeeNo, id);
      for (const role of t.roles) await grantDemoRole(tx, id, role);
    }
    // Re-seeding moves the demo to "today": drop the old demo records, write fresh ones.
    await deleteRecordsByKeyPrefix(tx, `${DEMO_PREFIX}-`);
    const counters = new Map<string, number>();
    await insertDemoRecords(
      tx,
      records.map((r) => {
        const n = (counters.get(r.employeeNo) ?? 0) + 1;
        counters.set(r.employeeNo, n);
        return { key: `${DEMO_PREFIX}-${r.employeeNo}-${String(n).padStart(3, '0')}`, teacherId: ids.get(r.employeeNo)!, date: r.date, hours: r.hours, category: r.category, project: r.project };
      }),
    );
    await audit(tx, 'demo', 'seed_demo', { teachers: teachers.length, records: records.length, asOf: today });
    const first = teachers[0];
    return {
      employeeNo: first.employeeNo,
      name: first.name,
      teachers: teachers.map((t) => ({ employeeNo: t.employeeNo, name: t.name, school: t.school, policyId: t.policyId, blurb: t.blurb })),
      records: records.length,
    };
  });
}

import type { Db } from '../../db/client.js';
import type { AudienceMember } from './audience.js';
import { audienceMembers, audienceSize, membersById } from './members.js';
import { audienceOf, type SessionRow } from './model.js';
import { attendanceCounts, attendanceRows, creditStates } from './store.js';

/* ---------------------------------------------------------------- reporting */

export interface AttendanceLine {
  member: AudienceMember;
  inAudience: boolean;
  checkedInAt: Date | null;
  checkedOutAt: Date | null;
  /** Credit record state: none yet, counted, or cancelled (with reason). */
  credit: { state: 'none' } | { state: 'credited' } | { state: 'cancelled'; reason: string | null; at: Date };
}

export interface SchoolCount {
  school: string;
  expected: number;
  signedIn: number;
  signedOut: number;
  absent: AudienceMember[];
}

export interface AttendanceReport {
  session: SessionRow;
  lines: AttendanceLine[];
  expected: number;
  signedIn: number;
  signedOut: number;
  absent: number;
  /** Signed in but no longer in the audience (roster changed since). */
  outside: number;
  bySchool: SchoolCount[];
}

export async function attendanceReport(db: Db, session: SessionRow): Promise<AttendanceReport> {
  const members = await audienceMembers(db, audienceOf(session));
  const rows = await attendanceRows(db, session.id);
  const byTeacher = new Map(rows.map((r) => [r.teacherId, r]));
  const credits = new Map((await creditStates(db, session.id)).map((r) => [r.teacherId, r]));
  const memberIds = new Set(members.map((m) => m.id));
  const outsiders = await membersById(db, rows.filter((r) => !memberIds.has(r.teacherId)).map((r) => r.teacherId));
  const line = (member: AudienceMember, inAudience: boolean): AttendanceLine => {
    const a = byTeacher.get(member.id);
    const c = credits.get(member.id);
    return {
      member,
      inAudience,
      checkedInAt: a?.checkedInAt ?? null,
      checkedOutAt: a?.checkedOutAt ?? null,
      credit: !c ? { state: 'none' } : c.cancelledAt ? { state: 'cancelled', reason: c.cancelReason, at: c.cancelledAt } : { state: 'credited' },
    };
  };
  const lines = [...members.map((m) => line(m, true)), ...[...outsiders.values()].map((m) => line(m, false))];

  const schools = new Map<string, SchoolCount>();
  for (const l of lines) {
    const s = schools.get(l.member.school) ?? { school: l.member.school, expected: 0, signedIn: 0, signedOut: 0, absent: [] };
    schools.set(l.member.school, s);
    if (l.inAudience) s.expected++;
    if (l.checkedInAt) s.signedIn++;
    if (l.checkedOutAt) s.signedOut++;
    if (l.inAudience && !l.checkedInAt) s.absent.push(l.member);
  }
  const bySchool = [...schools.values()].sort((a, b) => b.absent.length - a.absent.length || a.school.localeCompare(b.school, 'zh-CN'));
  return {
    session,
    lines,
    expected: members.length,
    signedIn: rows.length,
    signedOut: rows.filter((r) => r.checkedOutAt).length,
    absent: lines.filter((l) => l.inAudience && !l.checkedInAt).length,
    outside: outsiders.size,
    bySchool,
  };
}

/** Signed-in count and audience size, cheaply, for the projector page. */
export async function liveCounts(db: Db, session: SessionRow): Promise<{ signedIn: number; signedOut: number; expected: number }> {
  return { ...(await attendanceCounts(db, session.id)), expected: await audienceSize(db, audienceOf(session)) };
}

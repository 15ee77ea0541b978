/**
 * `declarations list|show|approve|reject|export`: 学时申报 for the office's terminal, through the same service
 * as the chat and the console. approve/reject act as the roster person given by --as (a school leader at the
 * school step, or an officer at any step), audited under `cli:<工号>`; the teacher's notice is queued for the bot.
 */
// Loads the platforms' traits (card forms, preference), which the chat messages queued here are built with.
import '../platforms/registry.js';
import { writeFileSync, renameSync } from 'node:fs';
import { dateTimeIn } from '../time/zone.js';
import { type Db } from '../../db/client.js';
import { transaction } from '../../db/statements.js';
import { messagesFor } from '../bot/i18n/index.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { DECLARATION_STATES } from '../../db/schema.js';
import { decisionDoneText, decisionRefusalText, describeFlag } from '../declarations/describe.js';
import { notifyDecision } from '../declarations/notify.js';
import { approveDeclaration, getDeclaration, listDeclarations, returnDeclaration, type DeclarationView } from '../declarations/service.js';
import type { DeclarationRow, DeclarationState } from '../declarations/store.js';
import { findTeacherByEmployeeNo, type TeacherRow } from '../ledger/store.js';
import { toCsv, toXlsx } from './attendance-export.js';
import { CliError, EXIT, loadApp, parse, withDatabase, type CliApp, type CliIo } from './context.js';

const t = messagesFor();
const c = t.declarations.core;
const m = c.cli;

function stateOf(raw: string): DeclarationState {
  const value = raw.trim();
  const byLabel = DECLARATION_STATES.find((s) => s === value || c.stateLabels[s] === value);
  if (!byLabel) throw new CliError(m.badState(value, DECLARATION_STATES.map((s) => `${c.stateLabels[s]}(${s})`)));
  return byLabel;
}

function idOf(raw: string | undefined): number {
  const match = /^#?(\d{1,9})$/.exec((raw ?? '').trim());
  if (!match) throw new CliError(cliText.withUsage(m.badNumber(raw ?? ''), m.usage));
  return Number(match[1]);
}

const stateText = (d: DeclarationRow) =>
  cliText.declarations.state(c.stateLabels[d.state] ?? d.state, d.currentStep ? c.stepLabels[d.currentStep]! : null, d.recordRevokedAt ? c.revokedMark : '');

function jsonOf(d: DeclarationRow, teacher: TeacherRow, flags: number) {
  return {
    id: d.id,
    state: d.state,
    currentStep: d.currentStep,
    employeeNo: teacher.employeeNo,
    name: teacher.name,
    school: teacher.school,
    project: d.project,
    organiser: d.organiser,
    startDate: d.startDate,
    endDate: d.endDate,
    hours: d.hours,
    category: d.category,
    certificateNo: d.certificateNo,
    returnReason: d.returnReason,
    flags,
    recordKey: d.recordId ? `declaration:${d.id}` : null,
    recordRevokedAt: d.recordRevokedAt?.toISOString() ?? null,
    submittedAt: d.submittedAt?.toISOString() ?? null,
    decidedAt: d.decidedAt?.toISOString() ?? null,
  };
}

function viewJson(v: DeclarationView) {
  return {
    ...jsonOf(v.declaration, v.teacher, v.flags.length),
    assignees: v.assignees.map((a) => ({ employeeNo: a.employeeNo, name: a.name })),
    steps: v.steps.map((s) => ({ step: s.step, action: s.action, actor: s.actor, reason: s.reason, at: s.at.toISOString() })),
    flags: v.flags.map((f) => ({ kind: f.kind, otherDeclarationId: f.otherDeclarationId, otherRecordKey: f.otherRecord?.recordKey ?? null, text: describeFlag(f, t) })),
    evidence: v.evidence.map((e) => ({ id: e.id, kind: e.kind, fileName: e.fileName, status: e.status, sha256: e.sha256, size: e.size })),
  };
}

function showText(v: DeclarationView, timeZone: string): string {
  const s = m.show;
  const d = v.declaration;
  const lines = [
    c.number(d.id),
    s.teacher(v.teacher.name, v.teacher.employeeNo, v.teacher.school),
    s.project(d.project, d.organiser),
    s.dates(c.dateRange(d.startDate, d.endDate)),
    s.hours(d.category, d.hours),
  ];
  if (d.certificateNo) lines.push(s.certificateNo(d.certificateNo));
  lines.push(s.state(c.stateLabels[d.state] ?? d.state, d.currentStep ? c.stepLabels[d.currentStep]! : null));
  if (d.state === 'returned' && d.returnReason) lines.push(s.returnReason(d.returnReason));
  if (d.recordId) lines.push(s.record(`declaration:${d.id}`));
  if (d.recordRevokedAt) lines.push(s.revoked(dateTimeIn(d.recordRevokedAt, timeZone), d.recordRevokeReason ?? ''));
  if (v.assignees.length) lines.push(s.assignees(v.assignees.map((a) => cliText.declarations.assignee(a.name, a.employeeNo))));
  lines.push(s.evidence(v.evidence.length));
  if (v.flags.length) lines.push(s.flags, ...v.flags.map((f) => `  ${describeFlag(f, t)}`));
  lines.push(s.history, ...v.steps.map((st) => s.step(dateTimeIn(st.at, timeZone), c.actionLabels[st.action] ?? st.action, st.actor, st.reason ?? '')));
  return lines.join('\n');
}

async function exportRows(db: Db, timeZone: string): Promise<string[][]> {
  const when = (x: Date | null) => (x ? dateTimeIn(x, timeZone) : '');
  const rows = (await listDeclarations(db)).reverse();
  const lines: string[][] = [[...m.headers]];
  for (const { declaration: d, teacher } of rows) {
    const view = (await getDeclaration(db, d.id))!;
    lines.push([
      String(d.id), teacher.employeeNo, teacher.name, teacher.school, d.project, d.organiser, d.startDate, d.endDate, c.hours(d.hours), d.category,
      d.certificateNo ?? '', `${c.stateLabels[d.state] ?? d.state}${d.recordRevokedAt ? c.revokedMark : ''}`,
      d.currentStep ? c.stepLabels[d.currentStep]! : '', d.returnReason ?? '', cliText.declarations.flags(view.flags.map((f) => describeFlag(f, t))),
      when(d.submittedAt), when(d.decidedAt), d.recordId ? `declaration:${d.id}` : '',
    ]);
  }
  return lines;
}

async function decide(app: CliApp, db: Db, id: number, as: string | undefined, reason: string | null): Promise<string> {
  if (!as) throw new CliError(cliText.withUsage(m.needAs, m.usage));
  const who = await findTeacherByEmployeeNo(db, as);
  if (!who) throw new CliError(m.unknownEmployee(as));
  const actor = { label: `cli:${who.employeeNo}`, teacherId: who.id };
  return transaction(db, async (tx) => {
    const now = app.clock.now();
    const outcome = reason === null ? await approveDeclaration(tx, app.presets, id, actor, now) : await returnDeclaration(tx, id, reason, actor, now);
    if (!outcome.ok) throw new CliError(decisionRefusalText(t, id, outcome));
    await notifyDecision(tx, outcome, now, t);
    return decisionDoneText(t, outcome, (await getDeclaration(tx, id))!.teacher.name);
  });
}

export async function declarationsCommand(args: string[], io: CliIo): Promise<number> {
  if (args[0] === 'help' || args[0] === '--help') {
    io.stdout.write(`${cliText.usageLine(m.usage)}\n`);
    return EXIT.ok;
  }
  const { positionals, values } = parse(
    args,
    {
      state: { type: 'string' },
      school: { type: 'string' },
      json: { type: 'boolean' },
      as: { type: 'string' },
      reason: { type: 'string' },
      out: { type: 'string' },
    },
    m.usage,
    { min: 1, max: 2 },
  );
  const [action, ref] = positionals;
  if (!['list', 'show', 'approve', 'reject', 'export'].includes(action!)) throw new CliError(cliText.withUsage(m.badAction(action!), m.usage));
  const state = values.state ? stateOf(values.state) : undefined;
  const id = action === 'show' || action === 'approve' || action === 'reject' ? idOf(ref) : 0;
  const reason = action === 'reject' ? (values.reason ?? '').trim() : null;
  if (reason !== null && reason.length < 2) throw new CliError(cliText.withUsage(m.needReason, m.usage));
  const out = values.out;
  if (action === 'export' && !/\.(xlsx|csv)$/i.test(out ?? '')) throw new CliError(cliText.withUsage(m.badOut, m.usage));
  const app = loadApp(io);
  const tz = app.config.TIMEZONE;
  return withDatabase(
    app.config,
    async (db) => {
      if (action === 'list') {
        const rows = await listDeclarations(db, { state, school: values.school?.trim() || undefined });
        const flagsOf = async (id: number) => (await getDeclaration(db, id))!.flags.length;
        if (values.json) {
          const list = [];
          for (const r of rows) list.push(jsonOf(r.declaration, r.teacher, await flagsOf(r.declaration.id)));
          io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return EXIT.ok;
        }
        if (rows.length === 0) io.stdout.write(`${m.none}\n`);
        for (const { declaration: d, teacher } of rows) {
          const flags = await flagsOf(d.id);
          io.stdout.write(
            `${cliText.declarations.line([c.number(d.id), stateText(d), `${teacher.employeeNo} ${teacher.name}`, teacher.school, c.dateRange(d.startDate, d.endDate), cliText.declarations.categoryHours(d.category, c.hours(d.hours)), cliText.declarations.project(d.project), m.flagsMark(flags)])}\n`,
          );
        }
        if (rows.length > 0) io.stdout.write(`${m.count(rows.length)}\n`);
        return EXIT.ok;
      }
      if (action === 'show') {
        const view = await getDeclaration(db, id);
        if (!view) throw new CliError(c.refusals.not_found(id));
        io.stdout.write(`${values.json ? JSON.stringify(viewJson(view), null, 2) : showText(view, tz)}\n`);
        return EXIT.ok;
      }
      if (action === 'export') {
        const rows = await exportRows(db, tz);
        const body = /\.csv$/i.test(out!) ? toCsv(rows) : await toXlsx(rows, m.sheetName, [8, 12, 10, 16, 30, 20, 12, 12, 8, 12, 16, 12, 12, 20, 40, 18, 18, 18]);
        // Written whole under a temporary name first, so a half-written export never looks finished.
        writeFileSync(`${out}.part`, body);
        renameSync(`${out}.part`, out!);
        io.stdout.write(`${m.exported(rows.length - 1, out!)}\n`);
        return EXIT.ok;
      }
      io.stdout.write(`${await decide(app, db, id, values.as, reason)}\n`);
      return EXIT.ok;
    },
    { mustExist: true },
  );
}

import { forget, recall, remember } from '../../bot/chat-state.js';
import type { CommandContext } from '../../bot/command.js';
import { isOfficer, type BoundCaller, type Caller } from '../../ledger/caller.js';
import { declarationChat as D } from '../../bot/i18n/zh-CN.declarations.js';
import type { CardForm, Reply } from '../../core/messages.js';
import type { Db } from '../../../db/client.js';
import { normaliseCategory } from '../../policy/schema.js';
import { registerEvidence } from '../evidence/register.js';
import { findEvidence } from '../evidence/store.js';
import { notifySubmitted } from '../notify.js';
import { declarationRules } from '../rules.js';
import { getDeclaration, resubmitDeclaration, submitDeclaration, type DeclarationInput, type SubmitOutcome } from '../service.js';
import {
  DRAFT_KEY,
  FIELDS,
  fieldNamed,
  isFilled,
  isWord,
  newDraft,
  nextStep,
  plain,
  readAnswer,
  summaryLines,
  type DeclarationDraft,
  type Field,
  type ReadContext,
  type Step,
} from './draft.js';
import { stateLabel } from './listing.js';
import { FORM_COMMAND } from '../approval/command-names.js';

/** The form command's name, for commands/declaration-form.ts and declaration-answer.ts. */
export { FORM_COMMAND };

/**
 * The 学时申报 wizard: one answer at a time, the draft saved after each (chat_state), so a wrong answer costs
 * nothing and the teacher can go back, change any field, or cancel. Runs inside the event's transaction (ctx.db).
 */

export async function loadDraft(db: Db, caller: Caller): Promise<DeclarationDraft | null> {
  const d = await recall<DeclarationDraft>(db, caller, DRAFT_KEY);
  // A row from an older shape is treated as no draft rather than half-read.
  return d && d.version === 1 && Array.isArray(d.trail) && Array.isArray(d.evidenceIds) && typeof d.step === 'string' ? d : null;
}

export async function hasDraft(db: Db, caller: Caller): Promise<boolean> {
  return await loadDraft(db, caller) !== null;
}

async function save(ctx: CommandContext<BoundCaller>, d: DeclarationDraft): Promise<void> {
  await remember(ctx.db, ctx.caller, DRAFT_KEY, d, ctx.clock.now());
}

function readContext(ctx: CommandContext<BoundCaller>): ReadContext {
  const preset = ctx.presets.get(ctx.caller.teacher.policyId)!;
  return {
    today: ctx.today,
    categories: declarationRules(preset).declarableCategories,
    categoryOf: (raw) => normaliseCategory(preset, raw),
  };
}

function promptFor(ctx: CommandContext<BoundCaller>, step: Step, d: DeclarationDraft): Reply {
  if (step === 'confirm') return summaryReply(d);
  const n = FIELDS.indexOf(step) + 1;
  const p = D.prompts;
  const text = step === 'category' ? p.category(readContext(ctx).categories) : p[step];
  const aside = step === 'evidence' && d.resubmitId !== null && d.keptEvidence > 0 ? `\n${D.evidence.resubmitAdds}` : '';
  return { text: `${D.stepMark(n, FIELDS.length)}${text}${aside}` };
}

export function summaryReply(d: DeclarationDraft): Reply {
  const title = d.resubmitId === null ? D.summaryTitle : D.resubmitTitle(d.resubmitId);
  const lines = summaryLines(d);
  const reason = d.returnReason ? [D.returnedBecause(d.returnReason)] : [];
  return {
    text: [title, ...reason, ...lines, D.confirmHow].join('\n'),
    card: {
      title,
      tone: 'blue',
      sections: [...(reason.length ? [{ lines: reason }] : []), { lines }],
      buttons: [
        { label: D.buttons.confirm, value: { command: D.buttons.confirm }, style: 'primary' },
        { label: D.buttons.cancel, value: { command: D.buttons.cancel }, style: 'danger' },
      ],
      note: D.confirmHow,
    },
  };
}

/** 申报: a new draft, or the open one where it stopped. */
export async function startDraft(ctx: CommandContext<BoundCaller>): Promise<Reply> {
  const open = await loadDraft(ctx.db, ctx.caller);
  if (open) return prefixed(D.resumed, promptFor(ctx, open.step, open));
  const d = newDraft(ctx.clock.now());
  await save(ctx, d);
  const reply = prefixed(D.start, promptFor(ctx, d.step, d));
  // Where cards have forms (Feishu) every field but the files can be filled in one go instead of step by step.
  return { ...reply, card: { title: D.form.title, sections: [{ lines: reply.text.split('\n') }], form: formFor(ctx) } };
}

const FORM_FIELDS = ['project', 'organiser', 'dates', 'hours', 'category', 'certificateNo'] as const;

function formFor(ctx: CommandContext<BoundCaller>): CardForm {
  const categories = readContext(ctx).categories;
  return {
    command: FORM_COMMAND,
    hint: D.form.hint,
    submitLabel: D.form.submit,
    fields: FORM_FIELDS.map((name) => ({
      name,
      label: D.stepNames[name],
      placeholder: D.form.placeholders[name],
      ...(name === 'category' ? { options: categories } : {}),
    })),
  };
}

/**
 * The form's fields, read exactly as the step-by-step answers are: the good ones go into the draft (a new one if
 * none is open), the wrong ones are listed, and the draft goes on at the first field still empty (the files).
 */
export async function answerForm(ctx: CommandContext<BoundCaller>, json: string): Promise<Reply> {
  let values: Record<string, unknown>;
  try {
    values = JSON.parse(json) as Record<string, unknown>;
    if (!values || typeof values !== 'object' || Array.isArray(values)) throw new Error('not an object');
  } catch {
    const d = await loadDraft(ctx.db, ctx.caller) ?? newDraft(ctx.clock.now());
    await save(ctx, d);
    return prefixed(D.form.notJson, promptFor(ctx, d.step, d));
  }
  const d = await loadDraft(ctx.db, ctx.caller) ?? newDraft(ctx.clock.now());
  const read = readContext(ctx);
  const wrong: string[] = [];
  for (const field of FORM_FIELDS) {
    const raw = typeof values[field] === 'string' ? (values[field] as string) : '';
    if (field === 'certificateNo' && !raw.trim()) {
      d.certificateNo = null;
      continue;
    }
    const r = readAnswer(field, raw, read);
    if (r.ok) Object.assign(d, r.patch);
    else wrong.push(D.form.wrongField(D.stepNames[field], r.problem));
  }
  const next = nextStep(d);
  if (next !== d.step) {
    d.trail.push(d.step);
    d.step = next;
  }
  await save(ctx, d);
  return prefixed(wrong.length > 0 ? D.form.wrongFields(wrong) : D.form.received, promptFor(ctx, d.step, d));
}

/** 重新申报 <编号>: the returned declaration's fields in a draft, shown as the summary to correct. */
export async function startResubmit(ctx: CommandContext<BoundCaller>, id: number): Promise<Reply> {
  const teacher = ctx.caller.teacher;
  const view = await getDeclaration(ctx.db, id);
  if (!view || view.declaration.teacherId !== teacher.id) return { text: D.notFound(id) };
  const row = view.declaration;
  if (row.state !== 'returned') return { text: D.resubmit.notReturned(id, stateLabel(row)) };
  if (await loadDraft(ctx.db, ctx.caller)) return { text: D.resubmit.draftOpen };
  const d: DeclarationDraft = {
    version: 1,
    step: 'confirm',
    trail: [],
    resubmitId: id,
    returnReason: row.returnReason,
    project: row.project,
    organiser: row.organiser,
    startDate: row.startDate,
    endDate: row.endDate,
    hours: row.hours,
    category: row.category,
    certificateNo: row.certificateNo,
    evidenceIds: [],
    keptEvidence: view.evidence.length,
    startedAt: ctx.clock.now().getTime(),
  };
  await save(ctx, d);
  return summaryReply(d);
}

function prefixed(line: string, reply: Reply): Reply {
  return { ...reply, text: `${line}\n${reply.text}` };
}

async function moveTo(ctx: CommandContext<BoundCaller>, d: DeclarationDraft, step: Step, lead?: string): Promise<Reply> {
  if (d.step !== step) d.trail.push(d.step);
  d.step = step;
  await save(ctx, d);
  const reply = promptFor(ctx, step, d);
  return lead ? prefixed(lead, reply) : reply;
}

/**
 * Files the evidence worker refused (not a photo or PDF, too big, gone from the platform) leave the draft, so the
 * summary counts only what can be kept; with none left the draft goes back to the evidence step. The teacher was
 * told why by the worker; this says the draft no longer counts them.
 */
async function dropRefusedEvidence(ctx: CommandContext<BoundCaller>, d: DeclarationDraft): Promise<string | null> {
  const kept: number[] = [];
  for (const id of d.evidenceIds) if ((await findEvidence(ctx.db, id))?.status !== 'rejected') kept.push(id);
  const dropped = d.evidenceIds.length - kept.length;
  if (dropped === 0) return null;
  d.evidenceIds = kept;
  if (d.step === 'confirm' && !isFilled(d, 'evidence')) d.step = 'evidence';
  await save(ctx, d);
  return D.evidence.dropped(dropped, kept.length + d.keptEvidence);
}

/** The answer to the step the draft is at: anything typed or sent while the draft is open comes here. */
export async function answerDraft(ctx: CommandContext<BoundCaller>, text: string): Promise<Reply> {
  const d = await loadDraft(ctx.db, ctx.caller);
  if (!d) return { text: D.noDraft };
  const dropped = await dropRefusedEvidence(ctx, d);
  const reply = await answerOpenDraft(ctx, d, text);
  return dropped ? prefixed(dropped, reply) : reply;
}

async function answerOpenDraft(ctx: CommandContext<BoundCaller>, d: DeclarationDraft, text: string): Promise<Reply> {
  const attachments = ctx.message?.attachments ?? [];
  if (attachments.length > 0) return takeEvidence(ctx, d);

  const words = D.words;
  if (isWord(text, words.cancel)) {
    await forget(ctx.db, ctx.caller, DRAFT_KEY);
    return { text: D.cancelled };
  }
  if (isWord(text, words.back)) {
    const previous = d.trail.pop();
    if (!previous) return prefixed(D.atFirstStep, promptFor(ctx, d.step, d));
    d.step = previous;
    await save(ctx, d);
    return prefixed(D.backTo, promptFor(ctx, previous, d));
  }
  const edit = editRequest(text);
  if (edit !== undefined) {
    if (edit === null) return { text: D.editWhich(FIELDS.map((f) => D.fieldNames[f][0])) };
    if (edit === 'evidence' && d.resubmitId === null && d.evidenceIds.length > 0) {
      d.evidenceIds = [];
      return moveTo(ctx, d, edit, D.evidence.cleared);
    }
    return moveTo(ctx, d, edit);
  }
  if (isWord(text, words.confirm)) {
    if (d.step !== 'confirm') return prefixed(D.notYet, promptFor(ctx, d.step, d));
    return submit(ctx, d);
  }

  switch (d.step) {
    case 'confirm':
      return prefixed(D.confirmHow, summaryReply(d));
    case 'evidence':
      if (isWord(text, words.done) && isFilled(d, 'evidence')) return moveTo(ctx, d, nextStep(d));
      return { text: D.evidence.needed };
    default: {
      const read = readAnswer(d.step, text, readContext(ctx));
      if (!read.ok) return prefixed(D.wrong(read.problem), promptFor(ctx, d.step, d));
      Object.assign(d, read.patch);
      // On to the next field still empty: after 修改 or 上一步 the filled ones are not asked again.
      return moveTo(ctx, d, nextStep(d));
    }
  }
}

/** 修改 日期 / 修改日期 / 改学时 → the field; null for 修改 alone or an unknown name; undefined if not an edit at all. */
function editRequest(text: string): Field | null | undefined {
  const p = plain(text);
  for (const word of D.words.edit) {
    if (!p.startsWith(word)) continue;
    const rest = p.slice(word.length);
    if (!rest) return null;
    const field = fieldNamed(rest);
    if (field) return field;
    if (word !== D.words.editGlued) return null;
  }
  return undefined;
}

/** Photos and PDFs, at any step: registered for download, kept in the draft, the step unchanged unless it asked for them. */
async function takeEvidence(ctx: CommandContext<BoundCaller>, d: DeclarationDraft): Promise<Reply> {
  const rows = await registerEvidence(ctx.db, ctx.message!, ctx.caller.teacher.id, ctx.clock.now());
  const fresh = rows.map((r) => r.id).filter((id) => !d.evidenceIds.includes(id));
  d.evidenceIds.push(...fresh);
  const total = d.evidenceIds.length + d.keptEvidence;
  await save(ctx, d);
  if (d.step === 'evidence') return { text: D.evidence.received(fresh.length, total) };
  return prefixed(D.evidence.receivedAside(fresh.length, total), promptFor(ctx, d.step, d));
}

function inputOf(ctx: CommandContext<BoundCaller>, d: DeclarationDraft): DeclarationInput {
  return {
    teacherId: ctx.caller.teacher.id,
    project: d.project!,
    organiser: d.organiser!,
    startDate: d.startDate!,
    endDate: d.endDate!,
    hours: d.hours!,
    category: d.category!,
    certificateNo: d.certificateNo ?? null,
    evidenceIds: d.evidenceIds,
  };
}

async function submit(ctx: CommandContext<BoundCaller>, d: DeclarationDraft): Promise<Reply> {
  const { db, presets, caller } = ctx;
  const now = ctx.clock.now();
  const actor = { label: `${caller.platform}:${caller.accountId}`, teacherId: caller.teacher.id };
  const input = inputOf(ctx, d);
  const outcome: SubmitOutcome =
    d.resubmitId === null ? await submitDeclaration(db, presets, input, actor, now) : await resubmitDeclaration(db, presets, d.resubmitId, input, actor, now);
  if (!outcome.ok) {
    if (outcome.reason === 'exact_repeat') {
      const o = outcome.other;
      return { text: D.exactRepeat(o.id, o.project, o.startDate, o.endDate, o.hours, stateLabel(o)), tone: 'warning' };
    }
    return { text: D.refused(outcome.detail), tone: 'warning' };
  }
  await notifySubmitted(db, outcome, now, ctx.t);
  await forget(db, caller, DRAFT_KEY);
  const id = outcome.declaration.id;
  // Nobody decides their own declaration: say so rather than leave it waiting in silence.
  if (outcome.assignees.length === 0) return { text: D.noApprover(id, isOfficer(caller)), tone: 'warning' };
  if (outcome.flags.length > 0) return { text: D.submittedFlagged(id), tone: 'success' };
  if (d.resubmitId !== null) return { text: D.resubmitted(id), tone: 'success' };
  return { text: D.submitted(id, D.firstStep[outcome.declaration.currentStep ?? 'school'] ?? D.firstStep.school), tone: 'success' };
}

/** Added to another command's reply while a draft is open. */
export async function keptNote(db: Db, caller: Caller): Promise<string | null> {
  const d = await loadDraft(db, caller);
  return d ? D.kept(D.stepNames[d.step] ?? d.step) : null;
}

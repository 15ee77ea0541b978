/** @jsxImportSource hono/jsx */
/** One declaration in the console: details, duplicate warnings, evidence previewed, history, and the three decisions. */
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { html } from 'hono/html';
import { transaction } from '../../../../db/statements.js';
import type { ConsoleUser } from '../../../admin/auth.js';
import { detailLines, historyLines, mayDecideNow, statusLine } from '../../../declarations/approval/cards.js';
import { stepNames } from '../../../declarations/approval/names.js';
import { decide, forwardCandidates, type Approver, type Decision, type DecisionContext } from '../../../declarations/approval/decide.js';
import { describeFlag } from '../../../declarations/describe.js';
import { getDeclaration } from '../../../declarations/service.js';
import type { DeclarationView } from '../../../declarations/types.js';
import type { TeacherRow } from '../../../ledger/store.js';
import { flash, formOf, t, takeFlash, type AdminEnv, type AdminServices, type Flash } from '../context.js';
import { Alert, CsrfField, Field, Panel } from '../components.js';
import { Page, PageHead } from '../layout.js';

const m = t.declarations.approval.console;
const w = t.declarations.approval.web;

/** Evidence is served only by the console's authenticated route (the evidence part's /admin/evidence/:id). */
const evidenceHref = (id: number) => `/admin/evidence/${id}`;

/** The console's decision context and approver: officers signed in by their own link (not the bare ADMIN_TOKEN). */
export function consoleDecision(svc: AdminServices, user: ConsoleUser): { ctx: DecisionContext; approver: Approver } | null {
  if (!user.teacher) return null;
  return {
    ctx: { db: svc.db, presets: svc.presets, now: svc.clock.now(), t, timeZone: svc.config.TIMEZONE },
    approver: { label: user.actor, teacher: user.teacher, officer: true },
  };
}

/** Runs one decision in its own transaction and tells the sender. */
export async function decideInConsole(svc: AdminServices, user: ConsoleUser, id: number, decision: Decision): Promise<{ ok: boolean; text: string }> {
  const d = consoleDecision(svc, user);
  if (!d) return { ok: false, text: m.noTeacher };
  const result = await transaction(svc.db, (tx) => decide({ ...d.ctx, db: tx }, id, decision, d.approver));
  if (result.ok) svc.onEnqueued?.();
  return { ok: result.ok, text: result.text };
}

function Evidence(props: { view: DeclarationView }) {
  const list = props.view.evidence;
  if (list.length === 0) return <p>{w.noEvidence}</p>;
  return (
    <div class="evidence">
      {list.map((e, i) => {
        const name = e.fileName ?? w.evidenceName(i + 1);
        if (e.status === 'rejected') return <p>{w.evidenceRejected(name)}</p>;
        if (e.status !== 'stored') return <p>{w.evidencePending(name)}</p>;
        if (e.mime?.startsWith('image/')) {
          return (
            <a href={evidenceHref(e.id)} target="_blank" rel="noopener">
              <img src={evidenceHref(e.id)} alt={name} loading="lazy" style="max-width:100%;max-height:480px;border:1px solid #e3e7ef;border-radius:8px;margin:6px 0" />
            </a>
          );
        }
        return (
          <p>
            <a href={evidenceHref(e.id)} target="_blank" rel="noopener" class="evidence-file">
              {w.openFile(name)}
            </a>
          </p>
        );
      })}
    </div>
  );
}

async function DeclarationPage(props: { user: ConsoleUser; view: DeclarationView; svc: AdminServices; flash: Flash | null; candidates: TeacherRow[] }) {
  const { view, user, svc } = props;
  const d = view.declaration;
  const tz = svc.config.TIMEZONE;
  // The signed-in officer's roster entry, when this declaration waits on them (the bare ADMIN_TOKEN has none).
  const decider = user.teacher !== null && mayDecideNow(view, { teacherId: user.teacher.id, officer: true }) ? user.teacher : null;
  const action = `/admin/declarations/${d.id}`;
  return (
    <Page title={w.title(d.id)} nav="declarations" user={user} flash={props.flash}>
      <PageHead title={w.title(d.id)} sub={statusLine(view, t, tz)} crumbs={[{ href: '/admin/declarations', label: m.title }, { label: t.declarations.core.number(d.id) }]} />
      {view.flags.length > 0 ? (
        <Alert kind="warn">
          {view.flags.map((f) => (
            <div>{describeFlag(f, t)}</div>
          ))}
        </Alert>
      ) : null}
      <div class="grid grid-2">
        <Panel title={w.details}>
          {detailLines(view, t).map((line) => (
            <p>{line}</p>
          ))}
          <h3>{w.history}</h3>
          <ul>
            {historyLines(view, t, tz, await stepNames(svc.db, view)).map((line) => (
              <li>{line}</li>
            ))}
          </ul>
        </Panel>
        <Panel title={w.evidence}>
          <Evidence view={view} />
        </Panel>
      </div>
      {decider ? (
        <div class="grid grid-2" id="decide">
          <Panel title={w.decide}>
            <DecisionForm href={action} user={user} decision="approve" button={w.approveButton} buttonClass="btn btn-primary" confirm={w.approveConfirm}>
              <p class="note">{w.approveHint}</p>
            </DecisionForm>
            <DecisionForm href={action} user={user} decision="forward" label={w.forwardLabel} button={w.forwardButton} buttonClass="btn" style="margin-top:18px">
              <select name="to">
                <option value="">{w.forwardNone}</option>
                {props.candidates.map((p) => (
                  <option value={p.employeeNo}>{t.declarations.approval.forwardCandidate(p.name, p.employeeNo, p.school)}</option>
                ))}
              </select>
            </DecisionForm>
          </Panel>
          <Panel title={w.returnButton}>
            <DecisionForm href={action} user={user} decision="return" label={w.returnLabel} button={w.returnButton} buttonClass="btn btn-danger">
              <textarea name="reason" rows={3} required minlength={2} maxlength={200} placeholder={w.returnPlaceholder}></textarea>
            </DecisionForm>
          </Panel>
        </div>
      ) : !user.teacher ? (
        <Alert kind="info">{m.noTeacher}</Alert>
      ) : d.state === 'pending' && d.currentStep === 'school' ? (
        <Alert kind="info">{m.schoolFirst}</Alert>
      ) : null}
    </Page>
  );
}

/**
 * One decision's form: it posts the decision with the officer's CSRF token; its fields in a Field under `label`
 * when it has one, then its button (id = the decision; `confirm` asks first).
 */
function DecisionForm(props: {
  href: string;
  user: ConsoleUser;
  decision: Decision['kind'];
  label?: string;
  button: string;
  buttonClass: string;
  confirm?: string;
  style?: string;
  children: Child;
}) {
  return (
    <form method="post" action={props.href} class="form" style={props.style}>
      <CsrfField user={props.user} />
      <input type="hidden" name="action" value={props.decision} />
      {props.label === undefined ? props.children : <Field label={props.label}>{props.children}</Field>}
      <button class={props.buttonClass} type="submit" id={props.decision} data-confirm={props.confirm}>
        {props.button}
      </button>
    </form>
  );
}

function decisionOf(form: Record<string, string>): Decision | null {
  if (form.action === 'approve') return { kind: 'approve' };
  if (form.action === 'return') return { kind: 'return', reason: (form.reason ?? '').trim() };
  if (form.action === 'forward' && (form.to ?? '').trim()) return { kind: 'forward', employeeNo: form.to!.trim() };
  return null;
}

export function mountDeclaration(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const idOf = (c: Context<AdminEnv>) => {
    const raw = c.req.param('id') ?? '';
    return /^\d{1,9}$/.test(raw) ? Number(raw) : null;
  };
  const notFound = (c: Context<AdminEnv>) =>
    c.html(
      html`<!DOCTYPE html>${(
        <Page title={w.notFoundTitle} nav="declarations" user={c.get('user')}>
          <div class="panel empty">{w.notFound}</div>
        </Page>
      )}`,
      404,
    );

  admin.get('/declarations/:id', async (c) => {
    const id = idOf(c);
    const view = id === null ? null : await getDeclaration(svc.db, id);
    if (!view) return notFound(c);
    const user = c.get('user');
    const me = user.teacher;
    const candidates = me && mayDecideNow(view, { teacherId: me.id, officer: true }) ? await forwardCandidates(svc, view, me.id) : [];
    return c.html(html`<!DOCTYPE html>${<DeclarationPage user={user} view={view} svc={svc} flash={takeFlash(c)} candidates={candidates} />}`);
  });

  admin.post('/declarations/:id', async (c) => {
    const id = idOf(c);
    if (id === null || !(await getDeclaration(svc.db, id))) return notFound(c);
    const decision = decisionOf(await formOf(c));
    const result = decision ? await decideInConsole(svc, c.get('user'), id, decision) : { ok: false, text: w.badAction };
    flash(c, result.ok ? 'ok' : 'err', result.text, svc.secureCookies);
    return c.redirect(`/admin/declarations/${id}`, 303);
  });
}

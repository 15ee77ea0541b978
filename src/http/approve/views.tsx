/** @jsxImportSource hono/jsx */
/** The approval page's markup: phone-sized (it opens in Feishu's or DingTalk's browser), no script, no outside assets. */
import type { Child } from 'hono/jsx';
import { messagesFor } from '../../bot/i18n/index.js';
import { detailLines, historyLines, statusLine } from '../../declarations/approval/cards.js';
import { describeFlag } from '../../declarations/describe.js';
import type { DeclarationView } from '../../declarations/types.js';
import type { Decision } from '../../declarations/approval/decide.js';
import type { TeacherRow } from '../../ledger/store.js';
import type { IdentityProvider } from '../../websignin/identity.js';
import { LoginButtons } from '../login-buttons.js';
import { PageShell } from '../page-shell.js';

const t = messagesFor('zh-CN');
const w = t.declarations.approval.web;

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;background:#f4f6fa;color:#1d2433;padding:16px}
.card{background:#fff;border-radius:14px;box-shadow:0 4px 18px rgba(15,42,74,.07);padding:18px;max-width:640px;margin:0 auto 14px}
h1{font-size:21px;margin:0 0 6px}
h2{font-size:17px;margin:0 0 10px}
p,li{font-size:16px;line-height:1.6;margin:0 0 6px}
ul{padding-left:18px;margin:0}
.status{font-weight:600}
.who,.small{color:#5b6478;font-size:14px}
.flag{background:#fff6e5;border-left:4px solid #f0a020;padding:8px 10px;margin:8px 0;border-radius:6px}
.note{padding:10px 12px;border-radius:8px;margin:0 auto 14px;max-width:640px}
.note.ok{background:#e8f7ee;color:#1d6b3a}.note.err{background:#fdecec;color:#a32020}
.ev img{display:block;max-width:100%;border-radius:8px;margin:8px 0;border:1px solid #e3e7ef}
form{margin:12px 0 0}
textarea,select,input[type=text]{width:100%;font-size:16px;padding:10px;border:1px solid #cfd6e4;border-radius:8px;margin:6px 0}
button,.btn{display:block;width:100%;padding:13px;border:0;border-radius:10px;font-size:17px;color:#fff;background:#3370ff;text-align:center;text-decoration:none;margin-top:6px}
button.danger{background:#d83931}button.plain{background:#5b6478}.btn.ding{background:#0089ff}
`;

export function Shell(props: { title: string; children?: Child }) {
  return <PageShell title={props.title} style={STYLE}>{props.children}</PageShell>;
}

export function NoticeView(props: { title: string; text: string }) {
  return (
    <Shell title={props.title}>
      <div class="card">
        <h1>{props.title}</h1>
        <p>{props.text}</p>
      </div>
    </Shell>
  );
}

export function ChooseView(props: { path: string; providers: IdentityProvider[] }) {
  return (
    <Shell title={w.chooseTitle}>
      <div class="card">
        <h1>{w.chooseTitle}</h1>
        <p>{w.choose}</p>
        <LoginButtons path={props.path} providers={props.providers} />
      </div>
    </Shell>
  );
}

export interface ApprovalPageProps {
  view: DeclarationView;
  me: TeacherRow;
  canDecide: boolean;
  candidates: TeacherRow[];
  csrfToken: string;
  timeZone: string;
  flash: { kind: 'ok' | 'err'; text: string } | null;
  evidenceHref: (evidenceId: number) => string;
  names: ReadonlyMap<number, string>;
}

export function ApprovalPage(props: ApprovalPageProps) {
  const { view, timeZone } = props;
  const d = view.declaration;
  const action = `/approve/${d.id}`;
  return (
    <Shell title={w.title(d.id)}>
      {props.flash ? <div class={`note ${props.flash.kind}`} id="flash">{props.flash.text}</div> : null}
      <div class="card">
        <h1>{w.title(d.id)}</h1>
        <p class="status" id="status">
          {statusLine(view, t, timeZone)}
        </p>
        <p class="who">{w.signedInAs(props.me.name, props.me.employeeNo)}</p>
      </div>
      <div class="card">
        <h2>{w.details}</h2>
        {detailLines(view, t).map((line) => (
          <p>{line}</p>
        ))}
        {view.flags.map((f) => (
          <div class="flag">{describeFlag(f, t)}</div>
        ))}
      </div>
      <div class="card ev">
        <h2>{w.evidence}</h2>
        {view.evidence.length === 0 ? <p>{w.noEvidence}</p> : null}
        {view.evidence.map((e, i) => {
          const name = e.fileName ?? w.evidenceName(i + 1);
          if (e.status === 'rejected') return <p>{w.evidenceRejected(name)}</p>;
          if (e.status !== 'stored') return <p>{w.evidencePending(name)}</p>;
          if (e.mime?.startsWith('image/')) return <img src={props.evidenceHref(e.id)} alt={name} loading="lazy" />;
          return (
            <p>
              <a href={props.evidenceHref(e.id)} target="_blank" rel="noopener">
                {w.openFile(name)}
              </a>
            </p>
          );
        })}
      </div>
      {props.canDecide ? (
        <div class="card" id="decide">
          <h2>{w.decide}</h2>
          <DecisionForm href={action} csrfToken={props.csrfToken} decision="approve" button={w.approveButton}>
            <p class="small">{w.approveHint}</p>
          </DecisionForm>
          <DecisionForm href={action} csrfToken={props.csrfToken} decision="return" label={w.returnLabel} button={w.returnButton} buttonClass="danger">
            <textarea name="reason" rows={3} required minlength={2} maxlength={200} placeholder={w.returnPlaceholder}></textarea>
          </DecisionForm>
          <DecisionForm href={action} csrfToken={props.csrfToken} decision="forward" label={w.forwardLabel} button={w.forwardButton} buttonClass="plain">
            <select name="to">
              <option value="">{w.forwardNone}</option>
              {props.candidates.map((p) => (
                <option value={p.employeeNo}>{t.declarations.approval.forwardCandidate(p.name, p.employeeNo, p.school)}</option>
              ))}
            </select>
            <input type="text" name="employeeNo" maxlength={32} placeholder={w.forwardPlaceholder} />
          </DecisionForm>
        </div>
      ) : null}
      <div class="card">
        <h2>{w.history}</h2>
        <ul>
          {historyLines(view, t, timeZone, props.names).map((line) => (
            <li>{line}</li>
          ))}
        </ul>
      </div>
    </Shell>
  );
}

/**
 * One decision's form: it posts the decision with the session's CSRF token to the page itself; its fields under
 * `label` when it has one, then its button (id = the decision, for the tests and the eye).
 */
function DecisionForm(props: { href: string; csrfToken: string; decision: Decision['kind']; label?: string; button: string; buttonClass?: string; children: Child }) {
  return (
    <form method="post" action={props.href}>
      <input type="hidden" name="_csrf" value={props.csrfToken} />
      <input type="hidden" name="action" value={props.decision} />
      {props.label === undefined ? (
        props.children
      ) : (
        <label class="small">
          {props.label}
          {props.children}
        </label>
      )}
      <button type="submit" class={props.buttonClass} id={props.decision}>
        {props.button}
      </button>
    </form>
  );
}

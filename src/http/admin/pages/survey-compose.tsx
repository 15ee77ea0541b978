/** @jsxImportSource hono/jsx */
/**
 * The officer's side of needs surveys and evaluation templates (issue 17, item 4):
 * - /admin/surveys/new: title, questions (rows of a form: no script needed), an audience as for broadcasts, a
 *   closing date; 预览人数 shows how many it reaches, 发送 validates again and sends through sendSurvey (the
 *   outbox and its pacing), then the round's page shows the delivery progress.
 * - /admin/surveys/templates: the evaluation question list per session category (or the default), edited as JSON
 *   and validated like the CLI's `surveys template set`.
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { transaction } from '../../../../db/statements.js';
import { surveysConsoleText as C } from '../../../bot/i18n/zh-CN.surveys-console.js';
import { dueNow, headcount } from '../../../broadcasts/broadcasts.js';
import { audit } from '../../../ledger/audit.js';
import { normaliseCategory } from '../../../policy/schema.js';
import { isValidDate } from '../../../policy/dates.js';
import { checkQuestions, MAX_QUESTIONS, type Questions } from '../../../surveys/questions.js';
import { MAX_SURVEY_TITLE, sendSurvey } from '../../../surveys/service.js';
import { evaluationTemplate, saveEvaluationTemplate } from '../../../surveys/store.js';
import { templateFor, type EvaluationTemplate } from '../../../surveys/templates.js';
import { zonedInstant } from '../../../time/zone.js';
import { AudiencePicker, readAudience } from '../audience.js';
import { CsrfField, DataTable, Field, FormError, Panel } from '../components.js';
import { flash, formOf, takeFlash, type AdminContext, type AdminEnv, type AdminServices } from '../context.js';
import { Page, PageHead } from '../layout.js';

/** Question rows shown at once; the rest sit under 更多题目. */
const SHOWN_ROWS = 5;
const KINDS = ['choice', 'text', 'rating'] as const;
const MAX_TEMPLATE_TITLE = 40;

/** The question rows of the form as a question list (blank rows dropped; keys q1, q2 … in order). */
function questionsOf(form: Record<string, string>): unknown[] {
  const out: unknown[] = [];
  for (let i = 1; i <= MAX_QUESTIONS; i++) {
    const prompt = (form[`q${i}_prompt`] ?? '').trim();
    if (!prompt) continue;
    const kind = form[`q${i}_kind`] ?? 'choice';
    const options = (form[`q${i}_options`] ?? '').split(/\r?\n/).map((o) => o.trim()).filter(Boolean);
    out.push({
      key: `q${out.length + 1}`,
      kind,
      prompt,
      ...(kind === 'choice' ? { options } : {}),
      required: form[`q${i}_required`] === 'on',
    });
  }
  return out;
}

function QuestionRow(props: { n: number; values: Record<string, string> }) {
  const v = props.values;
  const p = `q${props.n}_`;
  return (
    <fieldset class="survey-row">
      <Field label={C.compose.prompt(props.n)}>
        <input type="text" name={`${p}prompt`} value={v[`${p}prompt`] ?? ''} maxlength={100} />
      </Field>
      <div class="choices">
        {KINDS.map((k) => (
          <label>
            <input type="radio" name={`${p}kind`} value={k} checked={(v[`${p}kind`] ?? 'choice') === k} />
            {C.compose.kind[k]}
          </label>
        ))}
        <label>
          <input type="checkbox" name={`${p}required`} checked={v[`${p}required`] === 'on' || (!v[`${p}prompt`] && props.n === 1)} />
          {C.compose.required}
        </label>
      </div>
      <Field label={C.compose.options}>
        <textarea name={`${p}options`} rows={3}>
          {v[`${p}options`] ?? ''}
        </textarea>
      </Field>
    </fieldset>
  );
}

export function mountSurveyCompose(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const tz = svc.config.TIMEZONE;
  const preset = () => svc.presets.get(svc.config.DEFAULT_POLICY);

  const composePage = (c: AdminContext, values: Record<string, string>, o: { error?: string; preview?: { total: number; bound: number; unbound: number } } = {}) => {
    const user = c.get('user');
    const rows = Array.from({ length: MAX_QUESTIONS }, (_, i) => i + 1);
    return html`<!DOCTYPE html>${(
      <Page title={C.compose.title} nav="surveys" user={user}>
        <PageHead title={C.compose.title} crumbs={[{ href: '/admin/surveys', label: C.title }, { label: C.compose.crumb }]} />
        <form method="post" action="/admin/surveys/new" class="form" id="compose">
          <CsrfField user={user} />
          <FormError error={o.error} />
          {o.preview ? (
            <Panel title={C.compose.previewTitle} style="margin-bottom:14px">
              <p id="headcount">{C.compose.counts(o.preview.total, o.preview.bound, o.preview.unbound)}</p>
              <p class="muted">{C.compose.notAnonymous}</p>
              <button class="btn btn-primary" type="submit" name="step" value="send" data-confirm={C.compose.sendAsk}>
                {C.compose.send(o.preview.bound)}
              </button>
            </Panel>
          ) : null}
          <Field label={C.compose.surveyTitle}>
            <input type="text" name="title" value={values.title ?? ''} maxlength={MAX_SURVEY_TITLE} required />
          </Field>
          <AudiencePicker values={values} />
          <Field label={C.compose.closesOn} hint={C.compose.closesHint}>
            <input type="date" name="closes" value={values.closes ?? ''} required />
          </Field>
          <Field label={C.compose.questions} hint={C.compose.questionsHint} group>
            {rows.slice(0, SHOWN_ROWS).map((n) => (
              <QuestionRow n={n} values={values} />
            ))}
            <details>
              <summary>{C.compose.more}</summary>
              {rows.slice(SHOWN_ROWS).map((n) => (
                <QuestionRow n={n} values={values} />
              ))}
            </details>
          </Field>
          <div>
            <button class="btn" type="submit" name="step" value="preview">
              {C.compose.preview}
            </button>
          </div>
        </form>
      </Page>
    )}`;
  };

  admin.get('/surveys/new', (c) => c.html(composePage(c, {})));

  admin.post('/surveys/new', async (c) => {
    const form = await formOf(c);
    const fail = (error: string) => c.html(composePage(c, form, { error }), 400);
    const picked = await readAudience(svc.db, form);
    if (!picked.ok) return fail(picked.error);
    const closes = (form.closes ?? '').trim();
    if (!isValidDate(closes)) return fail(C.compose.badDate);
    // The whole closing day counts: it closes at the next midnight, Beijing time.
    const closesAt = new Date(zonedInstant(closes, '00:00', tz).getTime() + 24 * 3600_000 - 60_000);
    const checked = checkQuestions(questionsOf(form));
    if (!checked.ok) return fail(checked.problems.join(C.problemSeparator));
    const now = svc.clock.now();
    const count = await headcount(svc.db, picked.audience);
    if (form.step !== 'send') return c.html(composePage(c, form, { preview: count }));
    const by = c.get('user').actor;
    const outcome = await transaction(svc.db, (tx) =>
      sendSurvey(
        { db: tx, now, sendAt: dueNow(svc.clock), timeZone: tz },
        { questions: checked.questions, title: form.title ?? '', audience: picked.audience, closesAt, by },
      ),
    );
    if (!outcome.ok) return fail(outcome.problems.join(C.problemSeparator));
    svc.onEnqueued?.();
    flash(c, 'ok', C.compose.sent(outcome.invited, outcome.queued), svc.secureCookies);
    return c.redirect(`/admin/surveys/${outcome.round.id}`, 303);
  });

  admin.get('/surveys/templates', async (c) => {
    const categories = preset()?.categories.map((cat) => cat.key) ?? [];
    const rows: { category: string | null; own: boolean; t: EvaluationTemplate }[] = [];
    for (const category of [null, ...categories]) {
      const own = category === null || (await evaluationTemplate(svc.db, category)) !== null;
      rows.push({ category, own, t: await templateFor(svc.db, category) });
    }
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={C.templates.title} nav="surveys" user={c.get('user')} flash={takeFlash(c)}>
          <PageHead title={C.templates.title} sub={C.templates.intro} crumbs={[{ href: '/admin/surveys', label: C.title }, { label: C.templates.title }]} />
          <Panel>
            <DataTable
              rows={rows}
              row={({ category, own, t }) => {
                return (
                  <tr data-category={category ?? ''}>
                    <td class="strong">{category === null ? C.templates.default : C.templates.category(category)}</td>
                    <td class="small">{category === null ? t.row.title : C.templates.ownOrDefault(own)}</td>
                    <td class="num">{t.questions.length}</td>
                    <td>
                      <a class="btn btn-small" href={`/admin/surveys/templates/edit${category === null ? '' : `?category=${encodeURIComponent(category)}`}`}>
                        {C.templates.edit}
                      </a>
                    </td>
                  </tr>
                );
              }}
            />
          </Panel>
        </Page>
      )}`,
    );
  });

  const editPage = (c: AdminContext, category: string | null, values: { title: string; json: string }, error?: string) => {
    const user = c.get('user');
    const which = category === null ? C.templates.default : C.templates.category(category);
    return html`<!DOCTYPE html>${(
      <Page title={C.templates.editTitle(which)} nav="surveys" user={user}>
        <PageHead title={C.templates.editTitle(which)} crumbs={[{ href: '/admin/surveys/templates', label: C.templates.title }, { label: which }]} />
        <Panel>
          <form method="post" action="/admin/surveys/templates" class="form" id="template">
            <CsrfField user={user} />
            <FormError error={error} />
            <input type="hidden" name="category" value={category ?? ''} />
            <Field label={C.templates.name}>
              <input type="text" name="title" value={values.title} maxlength={MAX_TEMPLATE_TITLE} required />
            </Field>
            <Field label={C.templates.json} hint={C.templates.jsonHint}>
              <textarea name="questions" rows={18} class="mono">
                {values.json}
              </textarea>
            </Field>
            <div>
              <button class="btn btn-primary" type="submit">
                {C.templates.save}
              </button>
            </div>
          </form>
        </Panel>
      </Page>
    )}`;
  };

  /** The category of a query or form field: '' is the default template; an unknown one is refused. */
  const categoryOf = (raw: string | undefined): { ok: true; category: string | null } | { ok: false } => {
    const text = (raw ?? '').trim();
    if (!text) return { ok: true, category: null };
    const p = preset();
    const category = p ? normaliseCategory(p, text) : null;
    return category ? { ok: true, category } : { ok: false };
  };

  admin.get('/surveys/templates/edit', async (c) => {
    const chosen = categoryOf(c.req.query('category'));
    if (!chosen.ok) {
      flash(c, 'err', C.templates.unknownCategory(c.req.query('category') ?? ''), svc.secureCookies);
      return c.redirect('/admin/surveys/templates', 303);
    }
    const t = await templateFor(svc.db, chosen.category);
    return c.html(editPage(c, chosen.category, { title: t.row.title, json: JSON.stringify(t.questions, null, 2) }));
  });

  admin.post('/surveys/templates', async (c) => {
    const form = await formOf(c);
    const chosen = categoryOf(form.category);
    if (!chosen.ok) return c.text(C.templates.unknownCategory(form.category ?? ''), 400);
    const values = { title: (form.title ?? '').trim(), json: form.questions ?? '' };
    const fail = (error: string) => c.html(editPage(c, chosen.category, values, error), 400);
    if (!values.title) return fail(C.templates.titleMissing);
    if (values.title.length > MAX_TEMPLATE_TITLE) return fail(C.templates.titleLong(MAX_TEMPLATE_TITLE));
    let json: unknown;
    try {
      json = JSON.parse(values.json);
    } catch (error) {
      return fail(C.templates.notJson((error as Error).message));
    }
    const checked = checkQuestions(json);
    if (!checked.ok) return fail(checked.problems.join(C.problemSeparator));
    const by = c.get('user').actor;
    const questions: Questions = checked.questions;
    await transaction(svc.db, async (tx) => {
      const row = await saveEvaluationTemplate(tx, { category: chosen.category, title: values.title, questions, by, now: svc.clock.now() });
      await audit(tx, by, 'survey_template_set', { questionnaireId: row.id, category: chosen.category, questions: questions.length });
    });
    const which = chosen.category === null ? C.templates.default : C.templates.category(chosen.category);
    flash(c, 'ok', C.templates.saved(which, questions.length), svc.secureCookies);
    return c.redirect('/admin/surveys/templates', 303);
  });
}

/** @jsxImportSource hono/jsx */
/**
 * One credit record, reached from a teacher's records list: correct its hours, category or date, or revoke it,
 * with a reason — the same ledger functions as 更正记录 / 撤销记录 in chat and `records` in the CLI.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { transaction } from '../../../../db/statements.js';
import type { ConsoleUser } from '../../../admin/auth.js';
import { dateIn, dateTimeIn } from '../../../time/zone.js';
import { changeList, problemText } from '../../../ledger/correction-text.js';
import { correctRecord, findRecordByRef, revokeRecord } from '../../../ledger/corrections.js';
import type { RecordRow, TeacherRow } from '../../../ledger/store.js';
import { a, flash, formOf, t, takeFlash, type AdminEnv, type AdminServices, type Flash } from '../context.js';
import { CsrfField, DataTable, Field, FormError, Panel } from '../components.js';
import { hrs, Page, PageHead } from '../layout.js';
import { declarationRecordHooks } from '../../../declarations/revocation.js';

const m = t.corrections.console;

export const recordHref = (key: string) => `/admin/records/edit?key=${encodeURIComponent(key)}`;

interface Errors {
  correct?: string;
  revoke?: string;
}

function RecordPage(props: {
  user: ConsoleUser;
  record: RecordRow;
  teacher: TeacherRow;
  categories: string[];
  timeZone: string;
  values: Record<string, string>;
  errors: Errors;
  flash?: Flash | null;
}) {
  const { record: r, teacher, user, values: v, errors: e } = props;
  const revoked = r.cancelledAt !== null;
  return (
    <Page title={m.title(r.recordKey)} nav="dashboard" user={user} flash={props.flash}>
      <PageHead
        title={m.title(r.recordKey)}
        crumbs={[{ href: '/admin', label: m.crumbs }, { href: `/admin/teachers/${teacher.id}`, label: a.person(teacher.name, teacher.employeeNo) }, { label: r.recordKey }]}
      />
      <Panel title={m.record}>
        <DataTable
          rows={[r]}
          head={
            <>
              <th>{m.teacher}</th>
              <th>{m.date}</th>
              <th>{m.category}</th>
              <th class="num">{m.hours}</th>
              <th>{m.project}</th>
              <th>{m.source}</th>
              <th>{m.status}</th>
            </>
          }
          row={(x) => (
            <tr>
              <td>
                <a href={`/admin/teachers/${teacher.id}`}>{a.personAt(teacher.name, teacher.employeeNo, teacher.school)}</a>
              </td>
              <td class="nowrap">{x.date}</td>
              <td>{x.category}</td>
              <td class="num">{hrs(x.hours)}</td>
              <td>{x.project}</td>
              <td>{m.sources[x.source] ?? x.source}</td>
              <td>{x.cancelledAt ? m.revokedAt(dateTimeIn(x.cancelledAt, props.timeZone), x.cancelReason) : m.active}</td>
            </tr>
          )}
        />
      </Panel>
      {revoked ? null : (
        <div class="grid grid-2">
          <Panel title={m.correctTitle} head={<span class="note">{m.correctHint}</span>}>
            <form method="post" action="/admin/records/correct" class="form">
              <CsrfField user={user} />
              <input type="hidden" name="key" value={r.recordKey} />
              <FormError error={e.correct} />
              <div class="form-row">
                <Field label={m.hours}>
                  <input type="text" inputmode="decimal" name="hours" value={v.hours ?? String(r.hours)} />
                </Field>
                <Field label={m.category}>
                  <select name="category">
                    {props.categories.map((c) => (
                      <option value={c} selected={(v.category ?? r.category) === c}>
                        {c}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field label={m.date}>
                  <input type="date" name="date" value={v.date ?? r.date} />
                </Field>
              </div>
              <Field label={m.reason}>
                <input type="text" name="reason" value={v.correctReason ?? ''} placeholder={m.reasonPlaceholder} required minlength={2} maxlength={200} />
              </Field>
              <button type="submit" class="btn btn-primary">
                {m.correctButton}
              </button>
            </form>
          </Panel>
          <Panel title={m.revokeTitle} head={<span class="note">{m.revokeHint}</span>}>
            <form method="post" action="/admin/records/revoke" class="form">
              <CsrfField user={user} />
              <input type="hidden" name="key" value={r.recordKey} />
              <FormError error={e.revoke} />
              <Field label={m.reason}>
                <input type="text" name="reason" value={v.revokeReason ?? ''} placeholder={m.reasonPlaceholder} required minlength={2} maxlength={200} />
              </Field>
              <button type="submit" class="btn btn-danger" data-confirm={m.revokeConfirm}>
                {m.revokeButton}
              </button>
            </form>
          </Panel>
        </div>
      )}
    </Page>
  );
}

export function mountRecords(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const tz = svc.config.TIMEZONE;
  const categoriesOf = (teacher: TeacherRow, current: string) => {
    const keys: string[] = svc.presets.get(teacher.policyId)?.categories.map((c) => c.key) ?? [];
    return keys.includes(current) ? keys : [current, ...keys];
  };
  const show = async (c: Context<AdminEnv>, key: string, values: Record<string, string>, errors: Errors, status: 200 | 400 | 404) => {
    const found = await findRecordByRef(svc.db, key);
    if (!found) {
      return c.html(
        html`<!DOCTYPE html>${(
          <Page title={m.notFound} nav="dashboard" user={c.get('user')}>
            <div class="panel empty">{m.notFound}</div>
          </Page>
        )}`,
        404,
      );
    }
    const page = (
      <RecordPage
        user={c.get('user')}
        record={found.record}
        teacher={found.teacher}
        categories={categoriesOf(found.teacher, found.record.category)}
        timeZone={tz}
        values={values}
        errors={errors}
        flash={status === 200 ? takeFlash(c) : null}
      />
    );
    return c.html(html`<!DOCTYPE html>${page}`, status);
  };

  admin.get('/records/edit', (c) => show(c, c.req.query('key') ?? '', {}, {}, 200));

  admin.post('/records/correct', async (c) => {
    const form = await formOf(c);
    const key = form.key ?? '';
    const found = await findRecordByRef(svc.db, key);
    if (!found) return show(c, key, {}, {}, 404);
    // Only fields that differ from the record count as a correction (the form shows every current value).
    const r = found.record;
    const changed = (field: string, current: string) => (form[field] !== undefined && form[field].trim() !== current ? form[field] : undefined);
    const outcome = await transaction(svc.db, (tx) =>
      correctRecord(
        tx,
        found,
        { hours: changed('hours', String(r.hours)), category: changed('category', r.category), date: changed('date', r.date) },
        form.reason ?? '',
        { presets: svc.presets, today: dateIn(svc.clock.now(), tz), actor: c.get('user').actor, now: svc.clock.now(), hooks: declarationRecordHooks },
      ),
    );
    if (outcome.kind === 'refused') {
      const problem = outcome.problem.kind === 'nothing' ? { kind: 'unchanged' as const } : outcome.problem;
      return show(c, key, { hours: form.hours ?? '', category: form.category ?? '', date: form.date ?? '', correctReason: form.reason ?? '' }, { correct: problemText(t, problem) }, 400);
    }
    const text = t.corrections.corrected(found.teacher.name, found.teacher.employeeNo, r.recordKey, changeList(t, outcome), (form.reason ?? '').trim());
    flash(c, 'ok', text, svc.secureCookies);
    return c.redirect(`/admin/teachers/${found.teacher.id}`, 303);
  });

  admin.post('/records/revoke', async (c) => {
    const form = await formOf(c);
    const key = form.key ?? '';
    const found = await findRecordByRef(svc.db, key);
    if (!found) return show(c, key, {}, {}, 404);
    const reason = (form.reason ?? '').trim();
    const outcome = await transaction(svc.db, (tx) => revokeRecord(tx, found, reason, c.get('user').actor, svc.clock.now(), declarationRecordHooks));
    if (outcome.kind === 'no_reason') return show(c, key, { revokeReason: reason }, { revoke: t.corrections.missingReason }, 400);
    const r = found.record;
    const text =
      outcome.kind === 'revoked'
        ? t.corrections.revoked(found.teacher.name, found.teacher.employeeNo, r.recordKey, r.date, r.hours, r.category, reason)
        : t.corrections.alreadyRevoked(r.recordKey, dateTimeIn(outcome.at, tz), outcome.reason);
    flash(c, outcome.kind === 'revoked' ? 'ok' : 'err', text, svc.secureCookies);
    return c.redirect(`/admin/teachers/${found.teacher.id}`, 303);
  });
}

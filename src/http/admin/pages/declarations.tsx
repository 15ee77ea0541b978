/** @jsxImportSource hono/jsx */
/**
 * 学时申报 in the console: the queue (filters: state, school, category, suspected duplicates; batch approval of
 * the ticked ones), and one declaration with its evidence previewed (images inline, PDFs by link, both through the
 * authenticated /admin/evidence/:id), 通过 / 退回 with a reason / 转交. Every decision is the chat's (decide.ts),
 * by the signed-in officer, audited under their console name.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { dateIn } from '../../../time/zone.js';
import { listDeclarations } from '../../../declarations/service.js';
import { assigneesOf, evidenceOf, flagsOf, isAssignee, type DeclarationState } from '../../../declarations/store.js';
import { listSchools } from '../../../deadlines/store.js';
import { a, flash, formOf, t, takeFlash, type AdminEnv, type AdminServices, type Flash } from '../context.js';
import { CsrfField, DataTable, Field, Panel } from '../components.js';
import { hrs, Page, PageHead } from '../layout.js';
import { decideInConsole, mountDeclaration } from './declaration.js';

const m = t.declarations.approval.console;
const core = t.declarations.core;

/** Rows shown at most; filters narrow the rest. */
export const QUEUE_LIMIT = 200;
const STATES = ['pending', 'returned', 'approved', 'withdrawn'] as const;

export interface QueueFilter {
  state: DeclarationState | 'all';
  school: string;
  category: string;
  flagged: boolean;
}

function filterOf(c: Context): QueueFilter {
  const state = c.req.query('state') ?? 'pending';
  return {
    state: state === 'all' || (STATES as readonly string[]).includes(state) ? (state as QueueFilter['state']) : 'pending',
    school: (c.req.query('school') ?? '').slice(0, 100),
    category: (c.req.query('category') ?? '').slice(0, 50),
    flagged: c.req.query('flagged') === '1',
  };
}

function Filters(props: { filter: QueueFilter; schools: string[]; categories: string[] }) {
  const f = props.filter;
  return (
    <form method="get" action="/admin/declarations" class="form" id="filters">
      <div class="form-row">
        <Field label={m.filters.state}>
          <select name="state">
            {[...STATES, 'all' as const].map((s) => (
              <option value={s} selected={f.state === s}>
                {s === 'all' ? m.filters.all : (core.stateLabels[s] ?? s)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={m.filters.school}>
          <select name="school">
            <option value="">{m.filters.all}</option>
            {props.schools.map((s) => (
              <option value={s} selected={f.school === s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label={m.filters.category}>
          <select name="category">
            <option value="">{m.filters.all}</option>
            {props.categories.map((k) => (
              <option value={k} selected={f.category === k}>
                {k}
              </option>
            ))}
          </select>
        </Field>
        <Field label={m.filters.flaggedLabel} group>
          <label>
            <input type="checkbox" name="flagged" value="1" checked={f.flagged} />
            {m.filters.flagged}
          </label>
        </Field>
      </div>
      <div>
        <button class="btn btn-primary" type="submit">
          {m.filters.apply}
        </button>{' '}
        <a class="btn" href="/admin/declarations">
          {m.filters.reset}
        </a>
      </div>
    </form>
  );
}

export function mountDeclarations(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const tz = svc.config.TIMEZONE;
  const categories = () => [...new Set([...svc.presets.values()].flatMap((p) => p.categories.map((k) => k.key)))];

  const queue = async (c: Context<AdminEnv>, note: Flash | null) => {
    const user = c.get('user');
    const filter = filterOf(c);
    const rows = await listDeclarations(svc.db, {
      state: filter.state === 'all' ? undefined : filter.state,
      school: filter.school || undefined,
      category: filter.category || undefined,
      flagged: filter.flagged || undefined,
      // What waits is worked through from the oldest; everything else reads newest first.
      oldestFirst: filter.state === 'pending',
      limit: QUEUE_LIMIT + 1,
    });
    const shown = rows.slice(0, QUEUE_LIMIT);
    const schools = await listSchools(svc.db);
    const pending = filter.state === 'pending';
    // What each row shows beyond its own columns, read before rendering (the page renders synchronously).
    const extras = new Map<number, { flags: number; decidable: boolean; unassigned: boolean; evidence: number }>();
    for (const { declaration: d } of shown) {
      extras.set(d.id, {
        flags: (await flagsOf(svc.db, d.id)).length,
        // Ticked only where this officer may decide now (the office step, or assigned to them).
        decidable:
          user.teacher !== null && d.teacherId !== user.teacher.id && (d.currentStep === 'office' || (await isAssignee(svc.db, d.id, user.teacher.id))),
        unassigned: d.state === 'pending' && (await assigneesOf(svc.db, d.id)).length === 0,
        evidence: (await evidenceOf(svc.db, d.id)).length,
      });
    }
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={m.title} nav="declarations" user={user} flash={note}>
          <PageHead title={m.title} sub={m.intro} />
          <Panel>
            <Filters filter={filter} schools={schools} categories={categories()} />
          </Panel>
          <Panel title={m.count(shown.length, rows.length > QUEUE_LIMIT)}>
            <form method="post" action="/admin/declarations/batch" id="queue">
              <CsrfField user={user} />
              <DataTable
                rows={shown}
                empty={m.none}
                wrap
                head={
                  <>
                    {pending ? <th>{m.cols.select}</th> : null}
                    <th>{m.cols.id}</th>
                    <th>{m.cols.teacher}</th>
                    <th>{m.cols.project}</th>
                    <th>{m.cols.category}</th>
                    <th class="num">{m.cols.hours}</th>
                    <th>{m.cols.dates}</th>
                    <th>{m.cols.state}</th>
                    <th class="num">{m.cols.evidence}</th>
                    <th>{m.cols.submitted}</th>
                  </>
                }
                row={({ declaration: d, teacher }) => {
                  const { flags, decidable, unassigned, evidence } = extras.get(d.id)!;
                  return (
                    <tr data-id={String(d.id)}>
                      {pending ? <td>{decidable ? <input type="checkbox" name="ids" value={String(d.id)} aria-label={m.selectOne(d.id)} /> : null}</td> : null}
                      <td class="nowrap">
                        <a href={`/admin/declarations/${d.id}`}>{core.number(d.id)}</a>
                      </td>
                      <td>{a.personAt(teacher.name, teacher.employeeNo, teacher.school)}</td>
                      <td>
                        {d.project}
                        {flags > 0 ? <span class="badge behind">{m.flagged(flags)}</span> : null}
                      </td>
                      <td>{d.category}</td>
                      <td class="num">{hrs(d.hours)}</td>
                      <td class="nowrap">{core.dateRange(d.startDate, d.endDate)}</td>
                      <td>
                        {d.state === 'pending' ? (core.stepLabels[d.currentStep ?? 'school'] ?? '') : (core.stateLabels[d.state] ?? d.state)}
                        {unassigned ? <span class="badge behind">{m.needsAnotherOfficer}</span> : null}
                      </td>
                      <td class="num">{String(evidence)}</td>
                      <td class="nowrap">{d.submittedAt ? dateIn(d.submittedAt, tz) : ''}</td>
                    </tr>
                  );
                }}
              />
              {pending && shown.length > 0 ? (
                <p>
                  <button class="btn btn-primary" type="submit" id="batch-approve" data-confirm={m.batchConfirm}>
                    {m.batchApprove}
                  </button>
                </p>
              ) : null}
            </form>
          </Panel>
        </Page>
      )}`,
    );
  };

  admin.get('/declarations', (c) => queue(c, takeFlash(c)));

  admin.post('/declarations/batch', async (c) => {
    const user = c.get('user');
    const form = await formOf(c);
    const ids = [...new Set((form.ids ?? '').split(',').filter((x) => /^\d{1,9}$/.test(x)).map(Number))];
    if (ids.length === 0) {
      flash(c, 'err', m.batchNone, svc.secureCookies);
      return c.redirect('/admin/declarations', 303);
    }
    // One transaction each: one refusal (decided meanwhile by a leader) does not undo the others.
    const results: { id: number; ok: boolean; text: string }[] = [];
    for (const id of ids) results.push({ id, ...(await decideInConsole(svc, user, id, { kind: 'approve' })) });
    const approved = results.filter((r) => r.ok).length;
    const refused = results.filter((r) => !r.ok).map((r) => r.text);
    flash(c, refused.length ? 'err' : 'ok', m.batchDone(approved, refused), svc.secureCookies);
    return c.redirect('/admin/declarations', 303);
  });

  mountDeclaration(admin, svc);
}

/** @jsxImportSource hono/jsx */
/** Downloads: compliance by school, the behind-pace list, attendance by session — CSV (UTF-8 BOM) or XLSX. */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { complianceRows, overdueRows } from '../../../admin/exports.js';
import type { Filter } from '../../../admin/compliance/overview.js';
import { attendanceRows, toCsv, toXlsx, type Cell } from '../../../cli/attendance-export.js';
import { attendanceReport } from '../../../sessions/report.js';
import { getSession, listSessions } from '../../../sessions/store.js';
import { a, attachment, type AdminEnv, type AdminServices } from '../context.js';
import { Alert, DataTable, Field } from '../components.js';
import { Page, PageHead } from '../layout.js';
import { asOfChoice, withAsOf } from '../as-of.js';

const m = a.exports;

export async function download(c: Context, rows: readonly (readonly Cell[])[], name: string, format: string, sheet: string, widths?: readonly number[]): Promise<Response> {
  if (format === 'xlsx') {
    const body = await toXlsx(rows, sheet, widths);
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': attachment(`${name}.xlsx`),
    });
  }
  return c.body(toCsv(rows), 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': attachment(`${name}.csv`) });
}

export function mountExports(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const filterOf = (c: Context): Filter => {
    const policy = c.req.query('policy');
    return { school: c.req.query('school') || null, policyId: policy && svc.presets.has(policy) ? policy : null };
  };

  admin.get('/exports', async (c) => {
    const user = c.get('user');
    const sessions = await listSessions(svc.db, { limit: 30 });
    const today = svc.cache.today();
    const choice = asOfChoice(c, today);
    const Links = (props: { base: string; dated?: boolean }) => (
      <div class="actions">
        <a class="btn btn-small" href={props.dated ? withAsOf(`${props.base}.csv`, choice) : `${props.base}.csv`}>
          {m.csv}
        </a>
        <a class="btn btn-small" href={props.dated ? withAsOf(`${props.base}.xlsx`, choice) : `${props.base}.xlsx`}>
          {m.xlsx}
        </a>
      </div>
    );
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={m.title} nav="exports" user={user}>
          <PageHead title={m.title} sub={m.intro}>
            <form method="get" action="/admin/exports" class="inline-form">
              <Field label={a.dashboard.asOfLabel}>
                <input type="date" name="asOf" value={choice.asOf} max={today} />
              </Field>
              <button class="btn btn-primary" type="submit">
                {a.dashboard.apply}
              </button>
            </form>
          </PageHead>
          {choice.problem ? <Alert kind="err">{choice.problem}</Alert> : choice.past ? <Alert kind="info">{a.dashboard.asOfPast(choice.asOf)}</Alert> : null}
          <div class="grid grid-2" style="margin-bottom:18px">
            <div class="panel">
              <h2>{m.compliance}</h2>
              <p class="muted" style="margin:6px 0 12px">{m.complianceNote}</p>
              <Links base="/admin/exports/compliance" dated />
            </div>
            <div class="panel">
              <h2>{m.overdue}</h2>
              <p class="muted" style="margin:6px 0 12px">{m.overdueNote}</p>
              <Links base="/admin/exports/overdue" dated />
            </div>
          </div>
          <div class="panel">
            <h2>{m.attendance}</h2>
            <p class="muted" style="margin:6px 0 12px">{m.attendanceNote}</p>
            <DataTable
              rows={sessions}
              empty={m.noSessions}
              row={(s) => (
                <tr>
                  <td class="mono">{`#${s.id}`}</td>
                  <td class="strong">{s.title}</td>
                  <td class="nowrap">{s.date}</td>
                  <td>
                    <Links base={`/admin/exports/attendance/${s.id}`} />
                  </td>
                </tr>
              )}
            />
          </div>
        </Page>
      )}`,
    );
  });

  for (const format of ['csv', 'xlsx'] as const) {
    // `?asOf=` exports the state on a past date (only records dated on or before it), as the dashboard shows it.
    admin.get(`/exports/compliance.${format}`, async (c) => {
      const choice = asOfChoice(c, svc.cache.today());
      if (choice.problem) return c.text(choice.problem, 400);
      const read = await svc.cache.readAt(choice.asOf, 30_000);
      if (!read.snapshot) return c.redirect(withAsOf('/admin', choice), 303);
      return download(c, complianceRows(a, read.snapshot, filterOf(c)), m.complianceFile(read.snapshot.asOf), format, m.sheetCompliance);
    });

    admin.get(`/exports/overdue.${format}`, async (c) => {
      const choice = asOfChoice(c, svc.cache.today());
      if (choice.problem) return c.text(choice.problem, 400);
      const read = await svc.cache.readAt(choice.asOf, 30_000);
      if (!read.snapshot) return c.redirect(withAsOf('/admin', choice), 303);
      return download(c, await overdueRows(a, svc.db, read.snapshot, svc.presets, filterOf(c)), m.overdueFile(read.snapshot.asOf), format, m.sheetOverdue);
    });
  }

  admin.get('/exports/attendance/:file', async (c) => {
    const match = /^(\d{1,12})\.(csv|xlsx)$/.exec(c.req.param('file'));
    const session = match ? await getSession(svc.db, Number(match[1])) : null;
    if (!match || !session) return c.notFound();
    const rows = attendanceRows(await attendanceReport(svc.db, session), svc.config.TIMEZONE);
    return download(c, rows, m.attendanceFile(session.id, session.title), match[2], `${session.id} ${session.title}`);
  });
}

/** @jsxImportSource hono/jsx */
/** The audit log: who changed what, newest first, 50 a page, filterable by action; names, Chinese actions, local time. */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { auditPage } from '../../../admin/audit.js';
import { auditActions } from '../../../admin/store.js';
import { auditViews } from '../../../admin/audit-view.js';
import { a, t, type AdminEnv, type AdminServices } from '../context.js';
import { DataTable, Field, Panel } from '../components.js';
import { Page, PageHead, Pager } from '../layout.js';

const m = a.audit;
const label = (action: string) => m.actions[action] ?? action;

export function mountAudit(admin: Hono<AdminEnv>, svc: AdminServices): void {
  admin.get('/audit', async (c) => {
    const user = c.get('user');
    const actions = await auditActions(svc.db);
    const wanted = c.req.query('action');
    const action = wanted && actions.includes(wanted) ? wanted : null;
    const result = await auditPage(svc.db, Number(c.req.query('page')) || 1, action);
    const views = await auditViews(svc.db, result.rows, t, svc.config.TIMEZONE);
    const base = new URLSearchParams();
    if (action) base.set('action', action);
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={m.title} nav="audit" user={user}>
          <PageHead title={m.title} sub={m.intro}>
            <form method="get" action="/admin/audit" class="inline-form">
              <Field label={m.filter}>
                <select name="action">
                  <option value="">{m.all}</option>
                  {actions.map((x) => (
                    <option value={x} selected={x === action}>
                      {label(x)}
                    </option>
                  ))}
                </select>
              </Field>
              <button class="btn" type="submit">
                {a.dashboard.apply}
              </button>
            </form>
          </PageHead>
          <Panel>
            <DataTable
              rows={views}
              empty={m.none}
              wrap
              head={
                <>
                  <th>{m.when}</th>
                  <th>{m.actor}</th>
                  <th>{m.action}</th>
                  <th>{m.detail}</th>
                </>
              }
              row={(r) => (
                <tr>
                  <td class="nowrap small">{r.when}</td>
                  <td class="nowrap">{r.actor}</td>
                  <td class="nowrap">
                    <span class="badge">{r.action}</span>
                  </td>
                  <td class="small">
                    {r.details.map(([k, v]) => (
                      <span class="pair">
                        <span class="muted">{k}</span> {v.length > 80 ? `${v.slice(0, 80)}…` : v}
                      </span>
                    ))}
                  </td>
                </tr>
              )}
            />
            <Pager page={result.page} pages={result.pages} text={m.pageOf(result.page, result.pages, result.total)} base={base} path="/admin/audit" />
          </Panel>
        </Page>
      )}`,
    );
  });
}

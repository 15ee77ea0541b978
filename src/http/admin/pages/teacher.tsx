/** @jsxImportSource hono/jsx */
/** One teacher: standing, records, roles, chat accounts (/admin/teachers/:id). */
import { html } from 'hono/html';
import type { Hono } from 'hono';
import { standingOf } from '../../../admin/compliance/model.js';
import { accountsOfTeacher, recentRecords, findTeacherById, rolesOf } from '../../../ledger/store.js';
import { hoursSummary } from '../../../ledger/summary.js';
import { a, t, takeFlash, type AdminEnv, type AdminServices } from '../context.js';
import { recordHref } from './records.js';
import { DataTable, Panel, Stat } from '../components.js';
import { Meter, Page, PageHead, StatusBadge, hrs } from '../layout.js';
import { asOfChoice, withAsOf } from '../as-of.js';
import { AsOfNote, schoolHref } from './compliance-parts.js';

export function mountTeacher(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const policyName = (id: string) => svc.presets.get(id)?.name ?? id;

  admin.get('/teachers/:id', async (c) => {
    const user = c.get('user');
    const id = Number(c.req.param('id'));
    const teacher = Number.isInteger(id) ? await findTeacherById(svc.db, id) : null;
    if (!teacher) {
      return c.html(
        html`<!DOCTYPE html>${(
          <Page title={a.teacher.notFound} nav="dashboard" user={user}>
            <div class="panel empty">{a.teacher.notFound}</div>
          </Page>
        )}`,
        404,
      );
    }
    const choice = asOfChoice(c, svc.cache.today());
    const asOf = choice.asOf;
    const preset = svc.presets.get(teacher.policyId);
    const summary = preset ? await hoursSummary(svc.db, svc.presets, teacher, asOf) : null;
    // On a past date, records dated after it did not exist yet.
    const records = (await recentRecords(svc.db, teacher.id, 200)).filter((r) => r.date <= asOf);
    const roleNames = a.list([...(await rolesOf(svc.db, teacher))].map((r) => t.whoami.roleNames[r] ?? r));
    const bound = await accountsOfTeacher(svc.db, teacher.id);
    const m = a.teacher;
    const yn = (v: boolean | null) => (v === null ? m.unknown : v ? m.yes : m.no);
    // The same standing the dashboard computes, for the same date.
    const standing = summary ? standingOf(teacher, summary) : null;

    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={teacher.name} nav="dashboard" user={user} flash={takeFlash(c)}>
          <PageHead
            title={`${teacher.name}`}
            sub={`${teacher.employeeNo} · ${teacher.school}`}
            crumbs={[{ href: withAsOf('/admin', choice), label: a.dashboard.title }, { href: withAsOf(schoolHref(teacher.school), choice), label: teacher.school }, { label: teacher.name }]}
          >
            {standing ? <StatusBadge status={standing.status} /> : null}
          </PageHead>
          <AsOfNote choice={choice} todayHref={`/admin/teachers/${teacher.id}`} />
          <div class="grid grid-2-1" style="margin-bottom:18px">
            <Panel title={m.cycle} head={<span class="note">{summary?.cycleStart && summary.cycleEnd ? m.cycleRange(summary.cycleStart, summary.cycleEnd, summary.cycleInferred) : m.noCycle}</span>}>
              {summary ? (
                <>
                  <div class="bigstat">
                    <Stat label={m.earned} value={hrs(summary.earned)} />
                    <Stat label={m.required} value={summary.required === null ? '—' : hrs(summary.required)} />
                    <Stat label={m.remaining} value={summary.remaining === null ? '—' : hrs(summary.remaining)} colour={summary.remaining ? 'var(--behind)' : 'var(--done)'} />
                    <Stat
                      label={summary.pace && summary.pace.since !== summary.cycleStart ? m.expectedSince(summary.pace.since) : m.expected}
                      value={summary.pace ? hrs(summary.pace.expected) : '—'}
                    />
                  </div>
                  {standing && standing.progress !== null ? (
                    <div style="margin-top:10px">
                      <div class="small muted">{a.school.progress}</div>
                      <Meter value={standing.progress} status={standing.status} />
                    </div>
                  ) : null}
                  <h3 style="margin:18px 0 8px">{m.obligations}</h3>
                  {summary.obligations.length === 0 ? (
                    <p class="muted">{m.noObligations}</p>
                  ) : (
                    <DataTable
                      rows={summary.obligations}
                      head={
                        <>
                          <th>{m.obligation}</th>
                          <th>{m.window}</th>
                          <th class="num">{m.required}</th>
                          <th class="num">{m.earned}</th>
                          <th class="num">{m.owed}</th>
                          <th>{m.source}</th>
                        </>
                      }
                      row={(o) => (
                        <tr>
                          <td class="strong">
                            {o.label}
                            {o.inferred ? <span class="badge warn" style="margin-left:6px">{m.inferred}</span> : null}
                          </td>
                          <td class="small nowrap">{a.range(o.windowStart, o.windowEnd)}</td>
                          <td class="num">{hrs(o.required)}</td>
                          <td class="num">{hrs(o.earned)}</td>
                          <td class="num">{o.owed > 0 ? <span class="badge behind">{hrs(o.owed)}</span> : <span class="badge done">0</span>}</td>
                          <td class="quote">{a.quote(o.source.quote)}</td>
                        </tr>
                      )}
                    />
                  )}
                  {summary.notes.length ? (
                    <div style="margin-top:12px">
                      <h3 style="margin-bottom:6px">{m.notes}</h3>
                      {summary.notes.map((n) => (
                        <div class="small muted">{`· ${n}`}</div>
                      ))}
                    </div>
                  ) : null}
                </>
              ) : (
                <p class="muted">{t.errors.presetMissing(teacher.policyId)}</p>
              )}
            </Panel>
            <Panel title={m.profile}>
              <dl class="kv">
                <dt>{m.employeeNo}</dt>
                <dd class="mono">{teacher.employeeNo}</dd>
                <dt>{m.school}</dt>
                <dd>
                  <a href={schoolHref(teacher.school)}>{teacher.school}</a>
                </dd>
                <dt>{m.position}</dt>
                <dd>{teacher.position}</dd>
                <dt>{m.homeroom}</dt>
                <dd>{teacher.homeroom ? m.yes : m.no}</dd>
                <dt>{m.hireDate}</dt>
                <dd>{teacher.hireDate ?? m.unknown}</dd>
                <dt>{m.normalGraduate}</dt>
                <dd>{yn(teacher.normalGraduate)}</dd>
                <dt>{m.policy}</dt>
                <dd>{policyName(teacher.policyId)}</dd>
                <dt>{m.tier}</dt>
                <dd>{summary?.tier?.label ?? m.none}</dd>
                <dt>{m.roles}</dt>
                <dd>{roleNames}</dd>
                <dt>{m.accounts}</dt>
                <dd>{bound.length ? a.list(bound.map((b) => t.words.audit.bound[b.platform] ?? b.platform)) : t.words.audit.unbound}</dd>
              </dl>
            </Panel>
          </div>
          <Panel title={m.records} head={<span class="note">{m.recordsNote(records.length)}</span>}>
            <DataTable
              rows={records}
              empty={m.noRecords}
              wrap
              head={
                <>
                  <th>{m.date}</th>
                  <th>{m.category}</th>
                  <th class="num">{m.hoursCol}</th>
                  <th>{m.project}</th>
                  <th>{m.key}</th>
                </>
              }
              row={(r) => (
                <tr>
                  <td class="nowrap">{r.date}</td>
                  <td>{r.category}</td>
                  <td class="num">{hrs(r.hours)}</td>
                  <td>{r.project}</td>
                  <td class="mono small">
                    {/* Officers correct or revoke a record from its own page (records.tsx). */}
                    <a href={recordHref(r.recordKey)} title={t.corrections.console.manage}>
                      {r.recordKey}
                    </a>
                  </td>
                </tr>
              )}
            />
          </Panel>
        </Page>
      )}`,
    );
  });
}

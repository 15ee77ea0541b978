/** @jsxImportSource hono/jsx */
/**
 * 学时证明 in the console: batch export for a school or all (run in the background by CertificateExports, the
 * page follows its progress), the list of issued certificates searched by 工号 or serial, and revocation with a
 * required reason (audited; the public verify page then says 已作废 with the date and reason).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { certificateConsole as m, certificatesText as T } from '../../../bot/i18n/zh-CN.certificates.js';
import type { CertificateExport } from '../../../certificates/exports.js';
import { groupSerial, normaliseSerial, SERIAL_PATTERN } from '../../../certificates/serial.js';
import { revokeAudited } from '../../../certificates/issue.js';
import { listCertificates, type CertificateRow } from '../../../certificates/store.js';
import { dateIn } from '../../../time/zone.js';
import { listSchools } from '../../../deadlines/store.js';
import { attachment, flash, formOf, takeFlash, type AdminEnv, type AdminServices } from '../context.js';
import { Alert, CsrfField, DataTable, Field, Panel, PostButton } from '../components.js';
import { Page, PageHead, Pager } from '../layout.js';
import { PLATFORMS } from '../../../platforms/registry.js';

const PER_PAGE = 50;
const REASON_MAX = 200;
const ALL = '__all__';

/** How a certificate came to be, from the actor that issued it (chat accounts, the CLI, a console officer). */
function via(issuedBy: string): string {
  const kind = issuedBy.split(':')[0];
  if (kind === 'cli') return m.via.cli;
  if (kind === 'console' || PLATFORMS.some((p) => p.id === kind)) return m.via.chat;
  return m.via.console;
}

const running = (job: CertificateExport) => job.phase === 'queued' || job.phase === 'running';

function Progress(props: { job: CertificateExport }) {
  const { job } = props;
  const pct = job.total > 0 ? Math.round((job.done / job.total) * 100) : 0;
  return (
    <div class="meter-row" style="max-width:480px">
      <div class="meter">
        <i style={`width:${pct}%`} data-live-width="done/total" />
      </div>
      <span class="num small nowrap">
        <span data-live-key="done">{job.done}</span> / <span data-live-key="total">{job.total}</span>
      </span>
    </div>
  );
}

function Downloads(props: { job: CertificateExport }) {
  if (props.job.phase !== 'done') return null;
  return (
    <div class="actions">
      <a class="btn btn-small btn-primary" href={`/admin/certificates/exports/${props.job.id}/zip`}>
        {m.zip}
      </a>
      <a class="btn btn-small" href={`/admin/certificates/exports/${props.job.id}/xlsx`}>
        {m.workbook}
      </a>
    </div>
  );
}

export function mountCertificates(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const tz = svc.config.TIMEZONE;
  const exports = svc.certificates;

  admin.get('/certificates', async (c) => {
    const user = c.get('user');
    const raw = (c.req.query('q') ?? '').trim().slice(0, 64);
    const serial = normaliseSerial(raw);
    const query = raw ? { employeeNo: raw, serial: SERIAL_PATTERN.test(serial) ? serial : undefined } : null;
    const list = await listCertificates(svc.db, query, Number(c.req.query('page')) || 1, PER_PAGE);
    const schools = await listSchools(svc.db);
    const jobs = exports.list();
    const base = new URLSearchParams();
    if (raw) base.set('q', raw);
    const Status = (props: { r: CertificateRow }) =>
      props.r.revokedAt ? (
        <span title={props.r.revokeReason ?? ''}>
          <span class="badge behind">{m.revokedOn(dateIn(props.r.revokedAt, tz))}</span>
          <div class="small muted">{props.r.revokeReason}</div>
        </span>
      ) : (
        <span class="badge done">{m.valid}</span>
      );
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={m.title} nav="certificates" user={user} flash={takeFlash(c)}>
          <PageHead title={m.title} sub={m.intro} />
          <div class="grid grid-2-1" style="margin-bottom:18px">
            <Panel title={m.exportHeading}>
              <p class="muted" style="margin:6px 0 12px">{m.exportNote}</p>
              {schools.length === 0 ? (
                <Alert kind="info">{m.emptyRoster}</Alert>
              ) : (
                <form method="post" action="/admin/certificates/export" class="inline-form">
                  <CsrfField user={user} />
                  <Field label={m.school}>
                    <select name="school" required>
                      <option value={ALL}>{m.allSchools}</option>
                      {schools.map((s) => (
                        <option value={s}>{s}</option>
                      ))}
                    </select>
                  </Field>
                  <button class="btn btn-primary" type="submit">
                    {m.start}
                  </button>
                </form>
              )}
            </Panel>
            <Panel title={m.recent}>
              <DataTable
                rows={jobs}
                empty={m.noRecent}
                row={(j) => (
                  <tr>
                    <td class="nowrap small">{dateIn(j.createdAt, tz)}</td>
                    <td>
                      <a href={`/admin/certificates/exports/${j.id}`}>{exports.label(j)}</a>
                    </td>
                    <td class="nowrap">
                      {running(j) ? `${m.phases[j.phase]} ${m.progress(j.done, j.total)}` : <span class={`badge ${j.phase === 'done' ? 'done' : 'behind'}`}>{m.phases[j.phase]}</span>}
                    </td>
                    <td>
                      <Downloads job={j} />
                    </td>
                  </tr>
                )}
              />
            </Panel>
          </div>
          <Panel
            title={m.listHeading}
            head={
              <form method="get" action="/admin/certificates" class="inline-form">
                <Field label={m.search}>
                  <input type="search" name="q" value={raw} maxlength={64} />
                </Field>
                <button class="btn" type="submit">
                  {m.searchButton}
                </button>
                {raw ? (
                  <a class="btn" href="/admin/certificates">
                    {m.clear}
                  </a>
                ) : null}
              </form>
            }
          >
            <DataTable
              rows={list.rows}
              empty={raw ? m.noMatch(raw) : m.none}
              wrap
              head={
                <>
                  <th>{m.columns.serial}</th>
                  <th>{m.columns.name}</th>
                  <th>{m.columns.employeeNo}</th>
                  <th>{m.columns.school}</th>
                  <th>{m.columns.kind}</th>
                  <th>{m.columns.hours}</th>
                  <th>{m.columns.issuedOn}</th>
                  <th>{m.columns.via}</th>
                  <th>{m.columns.status}</th>
                  <th></th>
                </>
              }
              row={(r) => (
                <tr data-serial={r.serial}>
                  <td class="mono nowrap">
                    <a href={`/verify/${r.serial}`} target="_blank" rel="noopener" title={m.verify}>
                      {groupSerial(r.serial)}
                    </a>
                  </td>
                  <td class="nowrap">{r.name}</td>
                  <td class="mono">{r.employeeNo}</td>
                  <td class="nowrap">{r.school}</td>
                  <td class="nowrap">{r.year === null ? m.kindCycle : m.kindYear(r.year)}</td>
                  <td class="small">{T.totals(r.required, r.earned, r.remaining)}</td>
                  <td class="nowrap">{dateIn(r.issuedAt, tz)}</td>
                  <td class="nowrap small">{via(r.issuedBy)}</td>
                  <td>
                    <Status r={r} />
                  </td>
                  <td class="revoke">
                    {r.revokedAt ? null : (
                      <PostButton action={`/admin/certificates/${r.serial}/revoke`} user={user} class="btn btn-small btn-danger" label={m.revoke} confirm={m.revokeConfirm(groupSerial(r.serial))}>
                        <input type="text" name="reason" required maxlength={REASON_MAX} placeholder={m.reasonPlaceholder} aria-label={m.reason} style="min-width:12em" />
                      </PostButton>
                    )}
                  </td>
                </tr>
              )}
            />
            <Pager page={list.page} pages={list.pages} text={m.pageOf(list.page, list.pages, list.total)} base={base} path="/admin/certificates" />
          </Panel>
        </Page>
      )}`,
    );
  });

  admin.post('/certificates/export', async (c) => {
    const user = c.get('user');
    const form = await formOf(c);
    const known = await listSchools(svc.db);
    const all = form.school === ALL;
    const schools = all ? known : known.filter((s) => s === form.school);
    if (schools.length === 0) {
      flash(c, 'err', known.length ? m.unknownSchool : m.emptyRoster, svc.secureCookies);
      return c.redirect('/admin/certificates', 303);
    }
    const job = await exports.start(schools, all, user.actor);
    if ('refused' in job) {
      flash(c, 'err', job.refused, svc.secureCookies);
      return c.redirect('/admin/certificates', 303);
    }
    flash(c, 'ok', m.started(exports.label(job), job.total), svc.secureCookies);
    return c.redirect(`/admin/certificates/exports/${job.id}`, 303);
  });

  admin.get('/certificates/exports/:id', (c) => {
    const user = c.get('user');
    const job = exports.get(c.req.param('id'));
    if (!job) {
      flash(c, 'err', m.jobNotFound, svc.secureCookies);
      return c.redirect('/admin/certificates', 303);
    }
    const label = exports.label(job);
    const live = running(job);
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={m.jobTitle(label)} nav="certificates" user={user} flash={takeFlash(c)} refreshSeconds={live ? 10 : undefined}>
          <PageHead title={m.jobTitle(label)} crumbs={[{ href: '/admin/certificates', label: m.title }, { label }]} />
          <Panel>
            {live ? (
              <div data-live-url={`/admin/certificates/exports/${job.id}/progress.json`} data-live-every="1000">
                <p>
                  <span class="badge warn">{m.phases.running}</span> {job.phase === 'queued' ? m.jobQueued : m.jobRunning}
                </p>
                <Progress job={job} />
              </div>
            ) : job.phase === 'done' ? (
              <>
                <Alert kind="ok">{m.jobDone(job.done, Math.round(job.bytes / 1024))}</Alert>
                <Downloads job={job} />
              </>
            ) : (
              <Alert kind="err">{job.error ?? m.failed}</Alert>
            )}
          </Panel>
        </Page>
      )}`,
    );
  });

  admin.get('/certificates/exports/:id/progress.json', (c) => {
    const job = exports.get(c.req.param('id'));
    if (!job) return c.json({ error: 'not found' }, 404);
    return c.json({ phase: job.phase, done: job.done, total: job.total, reload: !running(job) });
  });

  for (const kind of ['zip', 'xlsx'] as const) {
    admin.get(`/certificates/exports/:id/${kind}`, (c) => {
      const job = exports.get(c.req.param('id'));
      const path = job?.phase === 'done' ? (kind === 'zip' ? job.zipPath : job.workbookPath) : null;
      if (!path || !existsSync(path)) return c.notFound();
      const type = kind === 'zip' ? 'application/zip' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      // Streamed from disk: a county's ZIP is tens of megabytes.
      return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200, {
        'Content-Type': type,
        'Content-Length': String(statSync(path).size),
        'Content-Disposition': attachment(basename(path)),
      });
    });
  }

  admin.post('/certificates/:serial/revoke', async (c) => {
    const user = c.get('user');
    const serial = normaliseSerial(c.req.param('serial'));
    const reason = ((await formOf(c)).reason ?? '').trim();
    const back = `/admin/certificates?q=${encodeURIComponent(SERIAL_PATTERN.test(serial) ? serial : '')}`;
    const refuse = (text: string) => {
      flash(c, 'err', text, svc.secureCookies);
      return c.redirect(back, 303);
    };
    if (!SERIAL_PATTERN.test(serial)) return refuse(m.notRevocable);
    if (!reason) return refuse(m.reasonRequired);
    if ([...reason].length > REASON_MAX) return refuse(m.reasonTooLong(REASON_MAX));
    if (!(await revokeAudited(svc.db, serial, user.actor, reason, svc.clock.now()))) return refuse(m.notRevocable);
    svc.logger.info({ serial, actor: user.actor }, 'certificate revoked in the console');
    flash(c, 'ok', m.revokedOk(groupSerial(serial)), svc.secureCookies);
    return c.redirect(back, 303);
  });
}

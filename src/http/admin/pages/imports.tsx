/** @jsxImportSource hono/jsx */
/** Upload → row-level check (dry run) → import the same file → counts. */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { percentRead, type ImportJob, type ImportKind } from '../../../admin/imports.js';
import type { ImportResult } from '../../../import/index.js';
import { toCsv } from '../../../cli/attendance-export.js';
import { a, attachment, flash, takeFlash, type AdminEnv, type AdminServices } from '../context.js';
import { Alert, Choices, CsrfField, DataTable, Field, Panel, PostButton, Stat } from '../components.js';
import { Page, PageHead } from '../layout.js';
import { dateTimeIn } from '../../../time/zone.js';
import { rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { receiveUpload } from '../upload.js';
import { csrfRefusal } from './login.js';

const SHOW_ERRORS = 200;

const m = a.imports;

function Steps(props: { at: 1 | 2 | 3 }) {
  const step = (n: 1 | 2 | 3, label: string) => <span class={props.at === n ? 'on' : undefined}>{`${'①②③'[n - 1]} ${label}`}</span>;
  return (
    <div class="steps">
      {step(1, m.steps[0])}
      <i>→</i>
      {step(2, m.steps[1])}
      <i>→</i>
      {step(3, m.steps[2])}
    </div>
  );
}

function Counts(props: { r: ImportResult }) {
  const r = props.r;
  return (
    <div class="bigstat">
      <Stat label={m.rows} value={a.int(r.rows)} />
      <Stat label={m.added} value={a.int(r.added)} colour="var(--done)" />
      {r.kind === 'teachers' ? <Stat label={m.updated} value={a.int(r.updated)} colour="var(--pace)" /> : null}
      <Stat label={m.unchanged} value={a.int(r.unchanged)} />
      {r.skipped ? <Stat label={m.skipped} value={a.int(r.skipped)} /> : null}
      <Stat label={m.invalid} value={a.int(r.invalid)} colour={r.invalid ? 'var(--behind)' : undefined} />
    </div>
  );
}

function ErrorTable(props: { job: ImportJob; r: ImportResult }) {
  const { r } = props;
  if (r.errors.length === 0) return null;
  const shown = r.errors.slice(0, SHOW_ERRORS);
  return (
    <>
      <DataTable
        rows={shown}
        wrap
        head={
          <>
            <th class="num">{m.row}</th>
            <th>{m.column}</th>
            <th>{m.reason}</th>
          </>
        }
        row={(e) => (
          <tr>
            <td class="num mono">{e.row || '—'}</td>
            <td>{e.column ?? '—'}</td>
            <td>{e.reason}</td>
          </tr>
        )}
      />
      <div class="pager">
        <span>{r.errorCount > shown.length ? m.moreErrors(shown.length, r.errorCount) : ''}</span>
        <a class="btn btn-small" href={`/admin/imports/${props.job.id}/errors.csv`}>
          {m.downloadErrors}
        </a>
      </div>
    </>
  );
}

export function mountImports(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const tz = svc.config.TIMEZONE;

  admin.get('/imports', (c) => {
    const user = c.get('user');
    const jobs = svc.imports.list();
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={m.title} nav="imports" user={user} flash={takeFlash(c)}>
          <PageHead title={m.title} sub={m.intro} />
          <Steps at={1} />
          <div class="grid grid-2-1" style="margin-bottom:18px">
            <div class="panel">
              <form method="post" action="/admin/imports" enctype="multipart/form-data" class="form">
                <CsrfField user={user} />
                <Field label={m.kind} group>
                  <Choices name="kind" options={(['teachers', 'records'] as const).map((k) => [k, m.kinds[k]] as const)} checked={['teachers']} required />
                </Field>
                <Field label={m.file} hint={m.fileHint(Math.round(svc.config.MAX_UPLOAD_BYTES / 1024 / 1024))}>
                  <input type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required />
                </Field>
                <div>
                  <button class="btn btn-primary" type="submit">
                    {m.check}
                  </button>
                </div>
              </form>
            </div>
            <div class="panel">
              <h2 style="margin-bottom:10px">{m.columnsLabel}</h2>
              {(['teachers', 'records'] as const).map((k) => (
                <div style="margin-bottom:12px">
                  <div class="small muted">{m.kinds[k]}</div>
                  <div class="code-box">{m.columns[k]}</div>
                </div>
              ))}
            </div>
          </div>
          <Panel title={m.recent}>
            <DataTable
              rows={jobs}
              empty={m.noRecent}
              head={
                <>
                  <th>{m.when}</th>
                  <th>{m.kind}</th>
                  <th>{m.file}</th>
                  <th>{m.state}</th>
                  <th class="num">{m.rows}</th>
                  <th class="num">{m.added}</th>
                  <th class="num">{m.invalid}</th>
                </>
              }
              row={(j) => {
                const r = j.result ?? j.check;
                return (
                  <tr>
                    <td class="nowrap">{dateTimeIn(j.createdAt, tz)}</td>
                    <td>{m.kinds[j.kind]}</td>
                    <td>
                      <a href={`/admin/imports/${j.id}`}>{j.fileName}</a>
                    </td>
                    <td>
                      <span class={`badge ${j.phase === 'done' ? 'done' : j.phase === 'failed' ? 'behind' : j.phase === 'validated' ? 'warn' : ''}`}>{m.phases[j.phase]}</span>
                    </td>
                    <td class="num">{r ? a.int(r.rows) : '—'}</td>
                    <td class="num">{j.result ? a.int(j.result.added) : '—'}</td>
                    <td class="num">{r ? a.int(r.invalid) : '—'}</td>
                  </tr>
                );
              }}
            />
          </Panel>
        </Page>
      )}`,
    );
  });

  admin.post('/imports', async (c) => {
    // The session and the Origin were checked before this (security.ts); the body is read only now, as a stream.
    const user = c.get('user');
    const maxBytes = svc.config.MAX_UPLOAD_BYTES;
    const target = svc.imports.reserve();
    // Node's own request stream when served by node (fewer copies than the fetch body over it). Only one of the
    // two may be touched: merely looking at the fetch body starts it reading the node stream.
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const got = await receiveUpload({
      ...(incoming ? { incoming } : { body: c.req.raw.body }),
      headers: { 'content-type': c.req.header('content-type'), 'content-length': c.req.header('content-length') },
      csrfToken: user.csrfToken,
      maxBytes,
      path: target,
    });
    if (!got.ok) {
      svc.logger.warn({ reason: got.reason, actor: user.actor }, 'console upload refused');
      // The rest of the body is not parsed or stored; the node server discards what is in flight (at most
      // 64 MB or half a second) and then cuts the connection, so the browser still gets to show this answer.
      if (got.reason === 'csrf') return csrfRefusal(c);
      if (got.reason === 'tooBig') return c.text(m.tooBig(Math.round(maxBytes / 1024 / 1024)), 413);
      flash(c, 'err', m.noFile, svc.secureCookies);
      return c.redirect('/admin/imports', 303);
    }
    const kind = got.fields.kind;
    if (kind !== 'teachers' && kind !== 'records') {
      rmSync(got.file.path, { force: true });
      flash(c, 'err', m.badKind, svc.secureCookies);
      return c.redirect('/admin/imports', 303);
    }
    const job = svc.imports.startFile(kind as ImportKind, got.file.name, got.file.path, user.actor);
    return c.redirect(`/admin/imports/${job.id}`, 303);
  });

  admin.get('/imports/:id', (c) => {
    const user = c.get('user');
    const job = svc.imports.get(c.req.param('id'));
    if (!job) {
      flash(c, 'err', m.notFound, svc.secureCookies);
      return c.redirect('/admin/imports', 303);
    }
    const running = job.phase === 'validating' || job.phase === 'importing';
    const title = running ? m.progressTitle(job.fileName) : job.phase === 'done' ? m.resultTitle(job.fileName) : m.reportTitle(job.fileName);
    let body;
    if (running) {
      const pct = percentRead(job);
      body = (
        <div class="panel">
          <p>{m.progress(job.rows, pct)}</p>
          <div class="meter" style="max-width:480px">
            <i style={`width:${pct ?? 5}%`} />
          </div>
        </div>
      );
    } else if (job.phase === 'failed') {
      body = (
        <div class="panel">
          <Alert kind="err">{m.failed(job.error ?? '')}</Alert>
          <a class="btn" href="/admin/imports">
            {m.again}
          </a>
        </div>
      );
    } else if (job.phase === 'done' && job.result) {
      const r = job.result;
      body = (
        <div class="panel">
          <Alert kind={r.committed ? 'ok' : 'err'}>
            {r.committed ? m.committedNote(r.elapsedMs) : m.rejectedNote}
            {r.committed && r.invalid ? ` ${m.skippedNote(r.invalid)}` : ''}
          </Alert>
          <Counts r={r} />
          {r.kind === 'teachers' && (r.extra.leadersGranted || r.extra.leadersRevoked) ? (
            <p class="muted">{m.leaders(r.extra.leadersGranted ?? 0, r.extra.leadersRevoked ?? 0)}</p>
          ) : null}
          <ErrorTable job={job} r={r} />
          <div class="actions" style="margin-top:14px">
            <a class="btn btn-primary" href="/admin">
              {a.nav.dashboard}
            </a>
            <a class="btn" href="/admin/imports">
              {m.again}
            </a>
          </div>
        </div>
      );
    } else {
      const r = job.check!;
      const headerBad = r.rejected && r.rows === 0 && r.errorCount > 0;
      const good = r.rows - r.invalid;
      body = (
        <div class="panel">
          <Alert kind={r.errorCount === 0 ? 'ok' : 'err'}>{headerBad ? m.headerBad : r.errorCount === 0 ? m.allGood(r.rows) : m.someBad(r.invalid, r.rows)}</Alert>
          {headerBad ? <div class="code-box" style="margin-bottom:12px">{m.columns[job.kind]}</div> : <Counts r={r} />}
          <ErrorTable job={job} r={r} />
          {job.phase === 'validated' ? (
            <div class="actions" style="margin-top:14px">
              {r.errorCount === 0 ? (
                <PostButton action={`/admin/imports/${job.id}/commit`} user={user} class="btn btn-primary" label={m.commit} />
              ) : !headerBad && good > 0 ? (
                <PostButton action={`/admin/imports/${job.id}/commit`} user={user} class="btn" confirm={m.commitSkip(good)} label={m.commitSkip(good)}>
                  <input type="hidden" name="skipInvalid" value="1" />
                </PostButton>
              ) : null}
              <PostButton action={`/admin/imports/${job.id}/discard`} user={user} class="btn btn-danger" label={m.discard} />
              <a class="btn" href="/admin/imports">
                {m.again}
              </a>
            </div>
          ) : (
            <div class="actions" style="margin-top:14px">
              <span class="badge">{m.phases[job.phase]}</span>
              <a class="btn" href="/admin/imports">
                {m.again}
              </a>
            </div>
          )}
        </div>
      );
    }
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={title} nav="imports" user={user} flash={takeFlash(c)} refreshSeconds={running ? 1 : undefined}>
          <PageHead title={title} sub={`${m.kinds[job.kind]} · ${(job.size / 1024).toFixed(1)} KB`} crumbs={[{ href: '/admin/imports', label: m.title }, { label: job.fileName }]} />
          <Steps at={job.phase === 'validating' || job.phase === 'validated' || job.phase === 'discarded' ? 2 : 3} />
          {body}
        </Page>
      )}`,
    );
  });

  admin.get('/imports/:id/errors.csv', (c) => {
    const job = svc.imports.get(c.req.param('id'));
    const r = job?.result ?? job?.check;
    if (!job || !r) return c.notFound();
    const rows = [[...m.errorsCsvHeader], ...r.errors.map((e) => [String(e.row), e.column ?? '', e.reason])];
    return c.body(toCsv(rows), 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': attachment(m.errorsFile(job.fileName)) });
  });

  admin.post('/imports/:id/commit', async (c) => {
    const body = await c.req.parseBody();
    const job = svc.imports.commit(c.req.param('id'), body.skipInvalid === '1');
    if (!job) {
      flash(c, 'err', m.notFound, svc.secureCookies);
      return c.redirect('/admin/imports', 303);
    }
    return c.redirect(`/admin/imports/${job.id}`, 303);
  });

  admin.post('/imports/:id/discard', (c) => {
    svc.imports.discard(c.req.param('id'));
    return c.redirect('/admin/imports', 303);
  });
}

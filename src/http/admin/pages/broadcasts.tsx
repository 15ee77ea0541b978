/** @jsxImportSource hono/jsx */
/** Broadcasts: compose → preview (exact audience) → confirm → progress → delivery report. */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { transaction } from '../../../../db/statements.js';
import { recentBroadcasts, getBroadcast } from '../../../broadcasts/store.js';
import type { ConsoleUser } from '../../../admin/auth.js';
import type { BroadcastAudience } from '../../../broadcasts/audience.js';
import { broadcastProgress, broadcastReply, cancelBroadcast, confirmBroadcast, createPreview, dueNow, headcount, MAX_BROADCAST_CHARS, ownerOf } from '../../../broadcasts/broadcasts.js';
import { audienceText } from '../../../broadcasts/commands.js';
import { dateIn, dateTimeIn } from '../../../time/zone.js';
import { a, flash, formOf, t, takeFlash, type AdminEnv, type AdminServices } from '../context.js';
import { Alert, CsrfField, DataTable, Field, FormError, Panel, PostButton, Stat } from '../components.js';
import { AudiencePicker, readAudience } from '../audience.js';
import { Page, PageHead } from '../layout.js';

const m = a.broadcasts;

/** The broadcast owner of a console user: their roster id (0 for the ADMIN_TOKEN session, which has none). */
const ownerId = (user: ConsoleUser) => user.teacher?.id ?? 0;

function Compose(props: { user: ConsoleUser; values: Record<string, string>; error?: string }) {
  const v = props.values;
  return (
    <form method="post" action="/admin/broadcasts" class="form">
      <CsrfField user={props.user} />
      <FormError error={props.error} />
      <AudiencePicker values={v} />
      <Field label={m.text} hint={m.textHint(MAX_BROADCAST_CHARS)}>
        <textarea name="text" maxlength={MAX_BROADCAST_CHARS} required>
          {v.text ?? ''}
        </textarea>
      </Field>
      <div>
        <button class="btn btn-primary" type="submit">
          {m.preview}
        </button>
      </div>
    </form>
  );
}

export function mountBroadcasts(admin: Hono<AdminEnv>, svc: AdminServices): void {
  const tz = svc.config.TIMEZONE;

  const listPage = async (user: ConsoleUser, values: Record<string, string>, error?: string, note?: ReturnType<typeof takeFlash>) => {
    const rows = await recentBroadcasts(svc.db, 30);
    return html`<!DOCTYPE html>${(
      <Page title={m.title} nav="broadcasts" user={user} flash={note}>
        <PageHead title={m.title} />
        <div class="grid grid-2-1">
          <Panel title={m.compose}>
            <Compose user={user} values={values} error={error} />
          </Panel>
          <Panel title={m.list}>
            <DataTable
              rows={rows}
              empty={m.none}
              row={(b) => (
                <tr>
                  <td class="mono">
                    <a href={`/admin/broadcasts/${b.id}`}>{`#${b.id}`}</a>
                  </td>
                  <td>
                    <a href={`/admin/broadcasts/${b.id}`}>{b.text.length > 28 ? `${b.text.slice(0, 28)}…` : b.text}</a>
                    <div class="sub">{dateTimeIn(b.createdAt, tz)}</div>
                  </td>
                  <td>
                    <span class={`badge ${b.status === 'sending' ? 'done' : b.status === 'preview' ? 'warn' : ''}`}>{m.states[b.status]}</span>
                  </td>
                </tr>
              )}
            />
          </Panel>
        </div>
      </Page>
    )}`;
  };

  admin.get('/broadcasts', async (c) => c.html(await listPage(c.get('user'), {}, undefined, takeFlash(c))));

  admin.post('/broadcasts', async (c) => {
    const user = c.get('user');
    const form = await formOf(c);
    const text = (form.text ?? '').replace(/\r\n?/g, '\n').trim();
    const fail = async (error: string) => c.html(await listPage(user, form, error), 400);
    if (!text) return fail(m.errors.emptyText);
    const length = [...text].length;
    if (length > MAX_BROADCAST_CHARS) return fail(m.errors.tooLong(length, MAX_BROADCAST_CHARS));
    const picked = await readAudience(svc.db, form);
    if (!picked.ok) return fail(picked.error);
    const audience = picked.audience;
    const preview = { text, audience, ownerTeacherId: ownerId(user), requestedVia: null, now: svc.clock.now() };
    const { broadcast } = await transaction(svc.db, (tx) => createPreview(tx, preview));
    return c.redirect(`/admin/broadcasts/${broadcast.id}`, 303);
  });

  admin.get('/broadcasts/:id/progress.json', async (c) => {
    const p = await broadcastProgress(svc.db, Number(c.req.param('id')) || 0);
    if (!p) return c.json({ error: 'not found' }, 404);
    return c.json({ ...p, reload: p.status === 'sending' && p.done });
  });

  admin.get('/broadcasts/:id', async (c) => {
    const user = c.get('user');
    const id = Number(c.req.param('id')) || 0;
    const row = await getBroadcast(svc.db, id);
    if (!row) {
      flash(c, 'err', m.errors.notFound, svc.secureCookies);
      return c.redirect('/admin/broadcasts', 303);
    }
    const audience = JSON.parse(row.audience) as BroadcastAudience;
    const who = audienceText(t, audience);
    const mine = row.createdBy === ownerOf(ownerId(user));
    let body;
    let refresh: number | undefined;
    if (row.status === 'preview') {
      const count = await headcount(svc.db, audience);
      body = (
        <div class="panel">
          <dl class="kv" style="margin-bottom:14px">
            <dt>{m.audience}</dt>
            <dd class="strong">{who}</dd>
            <dt>{m.total}</dt>
            <dd>{m.counts(count.total, count.bound, count.unbound)}</dd>
          </dl>
          <div class="code-box" style="white-space:pre-wrap;font-family:var(--font);font-size:14px;margin-bottom:16px">
            {row.text}
          </div>
          {mine ? (
            <div class="actions">
              <PostButton action={`/admin/broadcasts/${row.id}/confirm`} user={user} class="btn btn-primary" confirm={m.confirmAsk} label={m.confirmCount(count.bound)} />
              <PostButton action={`/admin/broadcasts/${row.id}/cancel`} user={user} class="btn btn-danger" label={m.cancel} />
            </div>
          ) : (
            <Alert kind="warn">{m.errors.notOwner}</Alert>
          )}
        </div>
      );
    } else if (row.status === 'cancelled') {
      body = (
        <div class="panel">
          <Alert kind="warn">{m.cancelled}</Alert>
          <div class="code-box" style="white-space:pre-wrap;font-family:var(--font)">
            {row.text}
          </div>
        </div>
      );
    } else {
      const p = (await broadcastProgress(svc.db, row.id))!;
      if (!p.done) refresh = 2;
      body = (
        <div class="panel" data-live-url={p.done ? undefined : `/admin/broadcasts/${row.id}/progress.json`} data-live-every="1500">
          <Alert kind={p.done ? (p.failed ? 'warn' : 'ok') : 'info'}>{p.done ? a.labelled(m.report, m.done) : m.sending}</Alert>
          <div class="bigstat">
            <Stat label={m.total} value={p.total} liveKey="total" />
            <Stat label={m.delivered} value={p.delivered} liveKey="delivered" colour="var(--done)" />
            <Stat label={m.failed} value={p.failed} liveKey="failed" colour={p.failed ? 'var(--behind)' : undefined} />
            {p.maybeDuplicate ? <Stat label={m.maybeDuplicate} value={p.maybeDuplicate} liveKey="maybeDuplicate" colour="var(--behind)" /> : null}
            <Stat label={m.pending} value={p.pending} liveKey="pending" colour="var(--pace)" />
            <Stat label={m.unbound} value={p.unbound} liveKey="unbound" colour="var(--faint)" />
          </div>
          <div class="meter done" style="margin-bottom:14px">
            <i data-live-width="delivered/bound" style={`width:${p.bound ? ((p.delivered / p.bound) * 100).toFixed(1) : 0}%`} />
          </div>
          {p.maybeDuplicate ? <Alert kind="warn">{m.maybeDuplicateHint(p.maybeDuplicate)}</Alert> : null}
          {p.failures.length ? (
            <DataTable
              rows={p.failures}
              style="margin-bottom:14px"
              head={
                <>
                  <th>{m.failures}</th>
                  <th class="num">{m.failureCount}</th>
                </>
              }
              row={(f) => (
                <tr>
                  <td class="small">{t.broadcasts.progress.reason(f.reason)}</td>
                  <td class="num">{f.count}</td>
                </tr>
              )}
            />
          ) : null}
          <dl class="kv">
            <dt>{m.audience}</dt>
            <dd>{who}</dd>
            <dt>{m.when}</dt>
            <dd>{row.confirmedAt ? dateTimeIn(row.confirmedAt, tz) : '—'}</dd>
          </dl>
          <div class="code-box" style="white-space:pre-wrap;font-family:var(--font);margin-top:12px">
            {row.text}
          </div>
        </div>
      );
    }
    return c.html(
      html`<!DOCTYPE html>${(
        <Page title={`#${row.id}`} nav="broadcasts" user={user} flash={takeFlash(c)} refreshSeconds={refresh}>
          <PageHead
            title={row.status === 'preview' ? m.previewTitle(row.id) : m.progressTitle(row.id)}
            crumbs={[{ href: '/admin/broadcasts', label: m.title }, { label: `#${row.id}` }]}
          />
          {body}
        </Page>
      )}`,
    );
  });

  admin.post('/broadcasts/:id/confirm', async (c) => {
    const user = c.get('user');
    const id = Number(c.req.param('id')) || 0;
    const row = await getBroadcast(svc.db, id);
    if (!row) return c.redirect('/admin/broadcasts', 303);
    const now = svc.clock.now();
    const sender = user.teacher?.name ?? a.nav.adminToken;
    const outcome = await transaction(svc.db, (tx) =>
      confirmBroadcast(tx, {
        id,
        teacherId: ownerId(user),
        now,
        sendAt: dueNow(svc.clock),
        reply: broadcastReply(t, row.text, sender, dateIn(now, svc.config.TIMEZONE)),
      }),
    );
    if (outcome.kind === 'started') svc.onEnqueued?.();
    else {
      const text = { notFound: m.errors.notFound, notOwner: m.errors.notOwner, alreadySending: m.errors.alreadySending, cancelled: m.cancelled, expired: m.errors.expired }[outcome.kind];
      flash(c, 'err', text, svc.secureCookies);
    }
    return c.redirect(`/admin/broadcasts/${id}`, 303);
  });

  admin.post('/broadcasts/:id/cancel', async (c) => {
    const id = Number(c.req.param('id')) || 0;
    const outcome = await transaction(svc.db, (tx) => cancelBroadcast(tx, id, ownerId(c.get('user'))));
    if (outcome === 'notOwner') flash(c, 'err', m.errors.notOwner, svc.secureCookies);
    return c.redirect(`/admin/broadcasts/${id}`, 303);
  });
}

/**
 * What the bench server processes (webhook, signin-burst) share around a real app: Feishu's app-wide send
 * pacing that the parent can lift between timed phases, inbox/outbox counts, waiting until everything
 * accepted was handled and sent, and shutting down.
 */
import type { Server } from 'node:http';
import type { Xueshi } from '../../src/app.js';
import { statement } from '../../db/statements.js';
import { closeServer } from '../../src/http/server.js';
import type { OutboxMessage } from '../../src/outbox/outbox.js';
import { APP_LIMIT_KEY } from '../../src/platforms/feishu/send.js';

/**
 * Feishu's documented send limits (50/s, 1000/min per app) stay on while requests are timed; lifting the
 * app-wide ones afterwards lets thousands of replies drain in seconds rather than many minutes.
 */
export function liftableAppPacing(app: Xueshi): { set(on: boolean): boolean } {
  const sender = app.adapters.find((a) => a.platform === 'feishu')?.sender;
  if (!sender) throw new Error('feishu adapter not enabled');
  const limitsFor = sender.limitsFor.bind(sender);
  let on = true;
  sender.limitsFor = (m: OutboxMessage) => (on ? limitsFor(m) : limitsFor(m).filter((l) => !l.key.startsWith(APP_LIMIT_KEY)));
  return {
    set(value) {
      on = value;
      app.outbox.kick();
      return on;
    },
  };
}

/** A count (or sum) over the app's database, either dialect (PostgreSQL returns bigints as strings). */
export async function countOf(app: Xueshi, sql: string, ...params: unknown[]): Promise<number> {
  return Number((await statement(app.db, sql).pluck().get(...params)) ?? 0);
}

export type QueueCounts = Record<'inboxPending' | 'inboxDone' | 'inboxFailed' | 'outboxPending' | 'outboxSent' | 'outboxFailed', number>;

export async function queueCounts(app: Xueshi): Promise<QueueCounts> {
  const byStatus = async (table: 'inbox' | 'outbox') => {
    const rows = await statement(app.db, `SELECT status, count(*) AS n FROM ${table} GROUP BY status`).all();
    const of = (status: string) => Number((rows as { status: string; n: number | string }[]).find((r) => r.status === status)?.n ?? 0);
    return { pending: of('pending'), done: of('done'), failed: of('failed'), sent: of('sent') };
  };
  const [inbox, outbox] = [await byStatus('inbox'), await byStatus('outbox')];
  return {
    inboxPending: inbox.pending,
    inboxDone: inbox.done,
    inboxFailed: inbox.failed,
    outboxPending: outbox.pending,
    outboxSent: outbox.sent,
    outboxFailed: outbox.failed,
  };
}

/** Waits until every accepted event was handled and every reply left the outbox (sent or failed). */
export async function settle<C extends QueueCounts>(app: Xueshi, counts: () => Promise<C>, timeoutMs: unknown): Promise<C> {
  const deadline = Date.now() + Number(timeoutMs ?? 300_000);
  for (;;) {
    await app.bot.drain();
    await app.outbox.whenIdle();
    const c = await counts();
    if (c.inboxPending === 0 && c.outboxPending === 0) return c;
    if (Date.now() > deadline) throw new Error(`not settled after ${String(timeoutMs)} ms: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function shutDown(server: Server, app: Xueshi): Promise<void> {
  await closeServer(server);
  await app.stop();
}

/**
 * What the bench server processes (webhook, signin-burst) share around a real app: Feishu's app-wide send
 * pacing that the parent can lift between timed phases, inbox/outbox counts, waiting until everything
 * accepted was handled and sent, and shutting down.
 */
import type { Server } from 'node:http';
import type { Xueshi } from '../../src/app.js';
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

export function countOf(app: Xueshi, sql: string, ...params: unknown[]): number {
  return (app.db.$client.prepare(sql).pluck().get(...params) as number) ?? 0;
}

export function queueCounts(app: Xueshi) {
  return {
    inboxPending: countOf(app, `SELECT count(*) FROM inbox WHERE status = 'pending'`),
    inboxDone: countOf(app, `SELECT count(*) FROM inbox WHERE status = 'done'`),
    inboxFailed: countOf(app, `SELECT count(*) FROM inbox WHERE status = 'failed'`),
    outboxPending: countOf(app, `SELECT count(*) FROM outbox WHERE status = 'pending'`),
    outboxSent: countOf(app, `SELECT count(*) FROM outbox WHERE status = 'sent'`),
    outboxFailed: countOf(app, `SELECT count(*) FROM outbox WHERE status = 'failed'`),
  };
}

/** Waits until every accepted event was handled and every reply left the outbox (sent or failed). */
export async function settle<C extends ReturnType<typeof queueCounts>>(app: Xueshi, counts: () => C, timeoutMs: unknown): Promise<C> {
  const deadline = Date.now() + Number(timeoutMs ?? 300_000);
  for (;;) {
    await app.bot.drain();
    await app.outbox.whenIdle();
    const c = counts();
    if (c.inboxPending === 0 && c.outboxPending === 0) return c;
    if (Date.now() > deadline) throw new Error(`not settled after ${String(timeoutMs)} ms: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function shutDown(server: Server, app: Xueshi): Promise<void> {
  await closeServer(server);
  await app.stop();
}

import type { Db } from '../../db/client.js';
import { dialectOf } from '../../db/handle.js';
import { isInTransaction, transaction } from '../../db/statements.js';
import { dateIn } from '../time/zone.js';
import { systemClock, type Clock } from '../clock.js';
import { ClaimBatch } from '../inbox/claim-batch.js';
import { eventKeyOf, parsePayload } from '../inbox/inbox.js';
import { INBOX_LEASE_MS, watchLeases } from '../inbox/leases.js';
import { claimEvent, claimPending, isPending, pendingRowFor, markAttemptFailed, markDone, type InboxRow } from '../inbox/store.js';
import { silentLogger, type Logger } from '../logger.js';
import { enqueue, firstReplyFor } from '../outbox/store.js';
import { findTeacherByAccount, rolesOf } from '../ledger/store.js';
import type { BotServices, Command, CommandContext } from './command.js';
import { callerOf, isBound, type BoundCaller, type Caller } from '../ledger/caller.js';
import { HandlingPace } from './handling-pace.js';
import { messagesFor, type Messages } from './i18n/index.js';
import { Router } from './router.js';
import { normalizeText, textForLog } from '../core/text.js';
import type { CardAction, InboundEvent, IncomingMessage, Outgoing, Reply, Target } from '../core/messages.js';

const DRAIN_RETRY_MS = 1_000;

/** What a message gets: the reply, whether it is personal (never to a group), and a note an open form adds. */
interface Answer {
  reply: Reply;
  personal: boolean;
  note?: string | null;
}

/** A step-by-step form the caller has open: the command taking its answers, and the form's hooks. */
interface OpenConversation {
  command: Command;
  form: NonNullable<Command['conversation']>;
  caller: BoundCaller;
}

function withNote(reply: Reply, note: string | null | undefined): Reply {
  return note ? { ...reply, text: `${reply.text}\n\n${note}` } : reply;
}

/**
 * A reply with a file becomes two rows: its text, then the file alone. One row is one platform message, so a
 * retry of either repeats only that message (DingTalk has no idempotency key to lean on).
 */
function withFileApart(o: Outgoing): Outgoing[] {
  const { file, ...text } = o.reply;
  if (!file) return [o];
  return [
    { ...o, reply: text },
    { ...o, reply: { text: file.name, file }, idempotencyKey: `${o.idempotencyKey}#file` },
  ];
}

export interface BotOptions extends BotServices {
  commands: readonly Command[];
  logger?: Logger;
  /** The sender's clock: new outbox rows are due at once on it, even when the business clock is moved. */
  transportClock?: Clock;
  /** Called after replies were committed to the outbox, so the sender can start at once. */
  onEnqueued?: () => void;
  maxAttempts?: number;
  /** How handling shares the thread with acks (see handling-pace.ts). */
  pace?: HandlingPace;
  /** This instance's name on a shared database (INSTANCE_ID): whose lease an inbox row is under. */
  instanceId: string;
  /** Inbox lease length (default INBOX_LEASE_MS). */
  leaseMs?: number;
}

/**
 * The platform-neutral middle of the message path: claim an event (inbox), then, after the receiver has
 * acked, route it to a command and commit the command's effect, its replies (outbox) and the event's
 * "done" mark in one transaction.
 */
export class Bot {
  readonly router: Router;
  readonly t: Messages = messagesFor('zh-CN');
  private readonly logger: Logger;
  private readonly sendClock: Clock;
  private readonly claims: ClaimBatch;
  private readonly pace: HandlingPace;
  private draining: Promise<void> | null = null;
  private again = false;
  private drainQueued = false;
  /** The drain pass whose failure schedule() already watches. */
  private watched: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopWatching: (() => void) | null = null;
  private closed = false;

  constructor(private readonly options: BotOptions) {
    this.router = new Router(options.commands);
    this.logger = options.logger ?? silentLogger;
    this.sendClock = options.transportClock ?? systemClock;
    this.claims = new ClaimBatch(options.db);
    this.pace = options.pace ?? new HandlingPace();
  }

  /** Step 1, before the ack: true if this event is new; false for a duplicate, which must be acked and dropped. */
  async accept(event: InboundEvent): Promise<boolean> {
    this.pace.noteArrival();
    return this.noteDuplicate(event, await claimEvent(this.options.db, event));
  }

  /**
   * `accept` for receivers that can wait one event-loop turn: claims made in the same turn share one commit
   * (see claim-batch.ts). Resolves only after the claim is committed, so the caller may ack then.
   */
  async acceptGrouped(event: InboundEvent): Promise<boolean> {
    this.pace.noteArrival();
    return this.noteDuplicate(event, await this.claims.claim(event));
  }

  private noteDuplicate(event: InboundEvent, fresh: boolean): boolean {
    if (!fresh) this.logger.info({ platform: event.platform, eventId: event.eventId }, 'duplicate event dropped');
    return fresh;
  }

  /** Step 2, after the ack: handle every pending event. Concurrent calls share one pass. */
  drain(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      do {
        this.again = false;
        let batch: InboxRow[];
        while ((batch = await claimPending(this.options.db, { by: this.options.instanceId, now: this.sendClock.now(), ms: this.leaseMs }, 200)).length > 0) {
          for (let next = 0; next < batch.length; ) {
            next = await this.handleSlice(batch, next);
            // On SQLite a slice never leaves the thread (its store calls resolve at once): between slices,
            // requests that arrived meanwhile are read and acked.
            await this.pace.pause();
          }
        }
      } while (this.again);
    })().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /**
   * accept + drain in the background: what a receiver calls right after acking. Under a burst a drain is
   * nearly always under way: then it is only told to look again, with nothing queued per event.
   */
  schedule(): void {
    if (this.closed) return;
    if (this.draining) {
      this.again = true;
      this.retryIfFails(this.draining);
      return;
    }
    if (this.drainQueued) return;
    this.drainQueued = true;
    setImmediate(() => {
      this.drainQueued = false;
      this.retryIfFails(this.drain());
    });
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? INBOX_LEASE_MS;
  }

  /** Takes over the events an instance sharing the database crashed holding, once their lease ends (see leases.ts). */
  watchLeases(): void {
    if (!this.closed) this.stopWatching ??= watchLeases(this.options.db, this.leaseMs, () => this.schedule());
  }

  /** Once per drain pass: if it fails, the accepted events wait in the inbox and are tried again shortly. */
  private retryIfFails(pass: Promise<void>): void {
    if (this.watched === pass) return;
    this.watched = pass;
    pass.catch((error: unknown) => {
      // E.g. the database stayed locked past the busy timeout (a big import): the accepted events are safe
      // in the inbox, so try again shortly rather than wait for the next event to arrive.
      this.logger.error({ err: error }, 'drain failed; retrying in 1 s');
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = null;
        this.schedule();
      }, DRAIN_RETRY_MS);
      this.retryTimer.unref();
    });
  }

  /** After the last drain at shutdown: no retries after this. */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stopWatching?.();
    this.retryTimer = null;
  }

  /**
   * Handles one accepted event at once, ahead of any backlog: a card click, whose answer (toast, redrawn card)
   * Feishu waits for. False if it was not pending (already handled, or not claimed).
   */
  async handleNow(event: InboundEvent): Promise<boolean> {
    const row = await pendingRowFor(this.options.db, event);
    if (!row) return false;
    await this.handleRow(this.options.db, row, false);
    this.options.onEnqueued?.();
    return true;
  }

  /**
   * Handles rows from `from` on for one slice of time; returns the index of the first row left for the next
   * slice. Each row is one transaction: its effect, its replies and its inbox `done` commit together. On SQLite
   * the slice's rows share one commit (group commit: a commit each cost more than handling), each row in its own
   * savepoint so a failing event rolls back alone. PostgreSQL commits per event (its commits are cheap).
   */
  private async handleSlice(rows: readonly InboxRow[], from: number): Promise<number> {
    const { db } = this.options;
    const budgetMs = this.pace.sliceMs();
    const started = performance.now();
    let next = from;
    const handleSome = async (handle: Db, inSlice: boolean) => {
      do await this.handleRow(handle, rows[next++], inSlice);
      while (next < rows.length && performance.now() - started < budgetMs);
    };
    if (dialectOf(db) === 'sqlite') await transaction(db, (tx) => handleSome(tx, true));
    else await handleSome(db, false);
    this.options.onEnqueued?.();
    return next;
  }

  /** Handles one row in its own transaction (a savepoint when `handle` is a slice's transaction). */
  private async handleRow(handle: Db, row: InboxRow, inSlice: boolean): Promise<void> {
    const { clock } = this.options;
    try {
      const event = parsePayload(row);
      await transaction(handle, async (tx) => {
        // Handled meanwhile (a card click answered out of turn by handleNow): nothing to do twice.
        if (!(await isPending(tx, row.id))) return;
        const outgoing = await this.respond(event, row.eventKey, tx);
        await enqueue(tx, outgoing, this.sendClock.now());
        await markDone(tx, row.id, clock.now());
      });
    } catch (error) {
      // An error that rolled back the slice's whole transaction (disk full, I/O): stop the slice; every row
      // in it is still pending and is retried, none is marked failed for it.
      if (inSlice && !isInTransaction(handle)) throw error;
      const giveUp = row.attempts + 1 >= (this.options.maxAttempts ?? 3);
      this.logger.error({ err: error, eventKey: row.eventKey, giveUp }, 'event handling failed');
      await transaction(handle, async (tx) => {
        await markAttemptFailed(tx, row.id, String(error), giveUp, clock.now());
        if (giveUp) await this.enqueueApology(tx, row);
      });
    }
  }

  /** A failed event still gets an answer, so the teacher is not left waiting in silence. */
  private async enqueueApology(tx: Db, row: InboxRow): Promise<void> {
    try {
      const event = parsePayload(row);
      if (event.kind !== 'message') return;
      await enqueue(tx, [this.replyTo(event, row.eventKey, 0, { text: this.t.errors.internal })], this.sendClock.now());
    } catch {
      // The payload itself is unreadable: nothing to answer to.
    }
  }

  /**
   * Runs the event's command and returns the messages to send. `db` is the event's transaction (the handler's
   * `ctx.db`); the console and tests call it with the database itself.
   */
  async respond(event: InboundEvent, eventKey: string, db: Db = this.options.db): Promise<Outgoing[]> {
    const outgoing = event.kind === 'message' ? await this.respondToMessage(db, event, eventKey) : await this.respondToCardAction(db, event, eventKey);
    return outgoing.flatMap(withFileApart);
  }

  /** The first reply an event produced (after it was handled), e.g. to answer a card click in its callback. */
  async firstReplyTo(event: InboundEvent): Promise<Reply | null> {
    return firstReplyFor(this.options.db, eventKeyOf(event));
  }

  async callerFor(platform: IncomingMessage['platform'], accountId: string, db: Db = this.options.db): Promise<Caller> {
    const teacher = await findTeacherByAccount(db, platform, accountId);
    return callerOf(platform, accountId, teacher, await rolesOf(db, teacher));
  }

  /** What a handler gets; `db` is the event's transaction when there is one. */
  contextFor<C extends Caller>(caller: C, message: IncomingMessage | null, db: Db = this.options.db): CommandContext<C> {
    const { clock, presets, timeZone, defaultPolicy, certificates } = this.options;
    return { db, clock, presets, timeZone, defaultPolicy, certificates, caller, message, t: this.t, today: dateIn(clock.now(), timeZone) };
  }

  private async respondToMessage(db: Db, message: IncomingMessage, eventKey: string): Promise<Outgoing[]> {
    const caller = await this.callerFor(message.platform, message.accountId, db);
    const open = isBound(caller) ? await this.openConversation(db, caller) : undefined;
    const answer = open ? await this.continueConversation(db, open, message) : await this.answer(db, message, caller, eventKey);
    const { reply, personal, note } = answer;
    if (personal && message.chatType === 'group') {
      // Personal numbers never go to a group: the full answer goes by direct message, the group hears where it went.
      const name = caller.teacher?.name ?? message.accountName ?? '';
      return [
        this.directTo(message, eventKey, '#dm', withNote(reply, note)),
        this.replyTo(message, eventKey, 1, { text: this.t.group.answeredPrivately(name) }),
      ];
    }
    if (note && message.chatType === 'group') {
      // A form left open is the teacher's own business: the reminder goes by direct message.
      return [this.replyTo(message, eventKey, 0, reply), this.directTo(message, eventKey, '#note', { text: note })];
    }
    return [this.replyTo(message, eventKey, 0, withNote(reply, note))];
  }

  /** The step-by-step form (a command with a `conversation`) the caller has open, if any. */
  private async openConversation(db: Db, caller: BoundCaller): Promise<OpenConversation | undefined> {
    for (const command of this.options.commands) {
      if (command.conversation && (await command.conversation.isOpen(db, caller))) return { command, form: command.conversation, caller };
    }
    return undefined;
  }

  /**
   * While a form is open its answers go to it, whatever they look like (a project name may read like a question);
   * a message starting with another command's name still runs that command, and the form says it is kept.
   */
  private async continueConversation(db: Db, { command, form, caller }: OpenConversation, message: IncomingMessage): Promise<Answer> {
    const ctx = this.contextFor(caller, message, db);
    const named = this.router.named(message.text);
    // Words every form shares (取消, 跳过) are the open form's, whichever form's command carries them as names.
    if (!named || named.command === command || named.command.conversation) {
      return { reply: await command.invoke(ctx, normalizeText(message.text)), personal: Boolean(command.personal) };
    }
    const reply = await named.command.invoke(ctx, named.argText);
    return { reply, personal: Boolean(named.command.personal), note: await form.keptNote(ctx, named.command) };
  }

  private async answer(db: Db, message: IncomingMessage, caller: Caller, eventKey: string): Promise<Answer> {
    const route = this.router.route(message.text);
    const t = this.t;
    let reply: Reply;
    let personal = false;
    switch (route.kind) {
      case 'empty':
        reply = { text: t.errors.unsupportedMessage };
        break;
      case 'unknown':
        reply = { text: t.errors.unknown(route.suggestion ? route.suggestion.help(t).usage : null) };
        // Never the words: they may be a comment meant for an evaluation, or anything personal.
        this.logger.info({ eventKey, text: textForLog(message.text) }, 'unknown command');
        break;
      case 'someone_else':
        reply = { text: t.errors.otherTeacher };
        this.logger.warn({ eventKey, accountId: message.accountId }, 'asked for another teacher’s data');
        break;
      case 'command':
        reply = await route.command.invoke(this.contextFor(caller, message, db), route.argText);
        personal = Boolean(route.command.personal) && caller.teacher !== null;
        break;
    }
    return { reply, personal };
  }

  private directTo(message: IncomingMessage, eventKey: string, suffix: string, reply: Reply): Outgoing {
    return { platform: message.platform, target: { type: 'user', accountId: message.accountId }, reply, idempotencyKey: `${eventKey}${suffix}`, origin: eventKey };
  }

  private async respondToCardAction(db: Db, action: CardAction, eventKey: string): Promise<Outgoing[]> {
    // A click is a command typed by the clicker: the button carries {command, args}.
    const command = typeof action.value.command === 'string' ? action.value.command : '';
    // A submitted form travels as its command's last argument: the fields as JSON (the command reads them back),
    // after the button's own args if it has any (CardForm.args).
    const buttonArgs = typeof action.value.args === 'string' ? action.value.args : '';
    const args = action.form ? `${buttonArgs} ${JSON.stringify(action.form)}`.trim() : buttonArgs;
    const asMessage: IncomingMessage = {
      kind: 'message',
      platform: action.platform,
      eventId: action.eventId,
      accountId: action.accountId,
      chatId: action.chatId ?? action.accountId,
      chatType: 'direct',
      text: `${command} ${args}`.trim(),
      receivedAt: action.receivedAt,
      replyVia: {},
    };
    // The card may sit in a group: whatever the click produces goes to the clicker alone.
    return (await this.respondToMessage(db, asMessage, eventKey)).map((o) => ({ ...o, target: { type: 'user', accountId: action.accountId } }));
  }

  private replyTo(message: IncomingMessage, eventKey: string, n: number, reply: Reply): Outgoing {
    const target: Target = message.replyVia.messageId || message.replyVia.sessionWebhook
      ? {
          type: 'reply',
          messageId: message.replyVia.messageId ?? message.messageId ?? message.eventId,
          chatId: message.chatId,
          chatType: message.chatType,
          accountId: message.accountId,
          sessionWebhook: message.replyVia.sessionWebhook,
          sessionWebhookExpiresAt: message.replyVia.sessionWebhookExpiresAt,
        }
      : { type: 'chat', chatId: message.chatId };
    return { platform: message.platform, target, reply, idempotencyKey: `${eventKey}#${n}`, origin: eventKey };
  }
}

import type { OutboxMessage } from './outbox.js';
import type { Limit } from './rate-limit.js';
import type { Sender } from './sender.js';

/** A platform call built and waiting for a free rate-limit slot: its rows are read, its batch is formed. */
export interface ReadyCall {
  sender: Sender;
  batch: OutboxMessage[];
  limits: readonly Limit[];
  /** Set for a call sent ahead of the backlog (a chat reply): when its newest row fell due. */
  urgentDueAt?: number;
}

/**
 * Calls held ready for the moment the rate limiter frees a slot, in the order they are to go. A window that
 * reopens must not wait for a look at the table (reading and batching rows costs milliseconds, tens on a busy
 * machine): the next call is already built and goes on the timer. Bounded, so a chat reply enqueued meanwhile
 * is never queued behind more than this; and such a reply is put at the front (`urgentDueAt`): urgent calls go
 * before the others, the most recently due first, and in the order they came among equals.
 */
export class ReadyCalls {
  private readonly calls: ReadyCall[] = [];
  /** Row ids held here: the worker's look skips them as it skips rows in flight. */
  private readonly ids = new Set<number>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.calls.length;
  }

  /** Rows held, over all calls. */
  get rows(): number {
    return this.ids.size;
  }

  get full(): boolean {
    return this.calls.length >= this.capacity;
  }

  holds(id: number): boolean {
    return this.ids.has(id);
  }

  /** Appends a call, or puts an urgent one ahead (then the last one is dropped if over capacity: its rows are read again later). */
  add(call: ReadyCall): void {
    const dueAt = call.urgentDueAt;
    const at = dueAt === undefined ? -1 : this.calls.findIndex((c) => c.urgentDueAt === undefined || c.urgentDueAt < dueAt);
    if (at < 0) this.calls.push(call);
    else this.calls.splice(at, 0, call);
    for (const m of call.batch) this.ids.add(m.id);
    if (this.calls.length > this.capacity) this.forget(this.calls.pop()!);
  }

  /** Takes out, in order, the calls `take` accepts; stops at the first it answers 'stop' to. */
  takeWhile(take: (call: ReadyCall) => 'take' | 'keep' | 'stop'): ReadyCall[] {
    const taken: ReadyCall[] = [];
    for (let i = 0; i < this.calls.length; ) {
      const verdict = take(this.calls[i]);
      if (verdict === 'stop') break;
      if (verdict === 'keep') {
        i++;
        continue;
      }
      const [call] = this.calls.splice(i, 1);
      this.forget(call);
      taken.push(call);
    }
    return taken;
  }

  /** The lanes of the rows held (each lane sends one row at a time). */
  *lanes(): Iterable<string> {
    for (const call of this.calls) for (const m of call.batch) if (m.lane) yield m.lane;
  }

  each(): readonly ReadyCall[] {
    return this.calls;
  }

  clear(): void {
    this.calls.length = 0;
    this.ids.clear();
  }

  private forget(call: ReadyCall): void {
    for (const m of call.batch) this.ids.delete(m.id);
  }
}

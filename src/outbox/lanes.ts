/**
 * Lanes: each recipient's queue in the outbox (outbox.lane, `<platform>:user:<account>` or `<platform>:chat:<chat>`).
 *
 * A recipient held by its own rate limit (Feishu's 5 messages a second to one user) must not hold back anyone
 * else's messages, however many rows it has queued: two officers with 2,000 approval cards between them once kept
 * teachers' replies waiting for over a minute, because every look read the oldest rows first and stopped after a
 * few blocked ones. A look now holds a blocked row's lane (its later rows wait with it: one recipient's messages go
 * in order) and every lane a full limit covers (`Limit.lanes`: an app-wide limit covers the platform), skips their
 * rows without routing them, and when the rows it read are used up, walks on lane by lane (`walkLanes`): one index
 * seek per lane, so a held lane costs the same with ten rows or a hundred thousand.
 */
import type { Db } from '../../db/client.js';
import { firstRowOfLaneAfter, laneHead, newestDueRows, type DueRow } from './store.js';
import type { Limit } from './rate-limit.js';

/** Sorts after every lane that starts with a prefix (no lane holds this code point). */
const AFTER_ALL = '\u{10FFFF}';

/** A row's lane; a row whose target has none (unreadable: the worker fails it) is a lane of its own. */
export function laneOf(row: Pick<DueRow, 'id' | 'lane'>): string {
  return row.lane ?? `row:${row.id}`;
}

/**
 * What one look at the table knows about lanes: which are busy (a row out, being sent or held ready: the lane's
 * next row waits for its answer, so a recipient gets its messages in order) and which are held by a full limit.
 */
export class LookLanes {
  private readonly heldLanes = new Set<string>();
  /** Lane prefixes (ending in ':') held as a whole: an app-wide limit is full. */
  private readonly heldPrefixes = new Set<string>();

  /**
   * `me`: the reading instance (rows other instances are sending are not read); `claimed`: whether instances claim
   * rows (PostgreSQL), so a lane's first pending row may be another's and its head is read past those.
   */
  constructor(
    readonly busy: Set<string>,
    readonly me = '',
    readonly claimed = false,
  ) {}

  /** Whether a row was skipped for its lane: the rows read may then be mostly such rows, and others lie beyond. */
  skippedAny = false;

  get heldAny(): boolean {
    return this.heldLanes.size > 0 || this.heldPrefixes.size > 0;
  }

  /** Busy or held: its rows are skipped for the rest of this look. */
  skips(lane: string): boolean {
    if (this.busy.has(lane) || this.heldLanes.has(lane) || this.heldPrefixOf(lane) !== undefined) {
      this.skippedAny = true;
      return true;
    }
    return false;
  }

  /** The prefix that holds this lane, if a whole group of lanes is held. */
  heldPrefixOf(lane: string): string | undefined {
    for (const prefix of this.heldPrefixes) if (lane.startsWith(prefix)) return prefix;
    return undefined;
  }

  /**
   * A row of `lane` cannot go yet because these limits are full: holds its lane and every lane those limits
   * cover. Returns whether a limit covered more than the lane (then the rows it holds cost nothing to skip).
   */
  hold(lane: string, full: readonly Limit[]): boolean {
    this.heldLanes.add(lane);
    let scoped = false;
    for (const l of full) {
      if (!l.lanes) continue;
      scoped = true;
      if (l.lanes.endsWith(':')) this.heldPrefixes.add(l.lanes);
      else this.heldLanes.add(l.lanes);
    }
    return scoped;
  }
}

/** A lane to send ahead of a backlog: its oldest due row, and when its newest row fell due (what ranks it). */
export interface UrgentLane {
  head: DueRow;
  dueAt: number;
}

/**
 * The lanes of the most recently due rows, each from its oldest due row: a chat reply goes ahead of a backlog,
 * without overtaking older messages to the same recipient. Only rows due after `backlogSince` (when the oldest due
 * row fell due) count: a broadcast's own rows, all due at once, are the backlog, not newcomers to put ahead of it.
 */
export async function newestLaneHeads(db: Db, at: Date, count: number, lanes: LookLanes, backlogSince: number): Promise<UrgentLane[]> {
  const heads = new Map<string, UrgentLane>();
  for (const row of await newestDueRows(db, at, count, lanes.me)) {
    if (row.nextAttemptAt <= backlogSince) break; // newest first: the rest are no newer
    const lane = laneOf(row);
    if (heads.has(lane) || lanes.skips(lane)) continue;
    heads.set(lane, { head: (row.lane !== null && (await laneHead(db, row.lane, at, lanes.me))) || row, dueAt: row.nextAttemptAt });
  }
  return [...heads.values()];
}

/**
 * Whether rows due after the backlog began wait in lanes with nothing out (a chat reply enqueued without a kick).
 * A broadcast's own newest rows do not count: asking for a look for them after every call sent re-read the table
 * for nothing (on PostgreSQL, a look every few milliseconds).
 */
export async function newcomersWaiting(db: Db, at: Date, count: number, backlogSince: number, busy: ReadonlySet<string>, me: string): Promise<boolean> {
  return (await newestDueRows(db, at, count, me)).some((r) => r.nextAttemptAt > backlogSince && !busy.has(laneOf(r)));
}

/**
 * The oldest due row of each lane after `from`, in lane order, stepping over lanes this look skips (a held prefix
 * in one step), for at most `steps` index seeks; wraps around to the first lane once. Returns the rows and the lane
 * to start from next time, so every lane is reached in turn however many there are.
 */
export async function walkLanes(db: Db, at: Date, from: string, steps: number, lanes: LookLanes): Promise<{ rows: DueRow[]; next: string }> {
  const rows: DueRow[] = [];
  let after = from;
  let wrapped = from === '';
  for (let step = 0; step < steps; step++) {
    const first = await firstRowOfLaneAfter(db, after);
    if (!first?.lane || (wrapped && from !== '' && first.lane > from)) {
      if (wrapped) break;
      wrapped = true;
      after = '';
      continue;
    }
    const lane = first.lane;
    const prefix = lanes.heldPrefixOf(lane);
    after = prefix ? prefix + AFTER_ALL : lane;
    if (prefix || lanes.skips(lane)) continue;
    const head = first.nextAttemptAt <= at.getTime() && !lanes.claimed ? first : await laneHead(db, lane, at, lanes.me);
    if (head) rows.push(head);
  }
  return { rows, next: after };
}

/** How many rows of each lane are out (sent, not answered yet). */
export class LaneCounts {
  private readonly counts = new Map<string, number>();

  add(lane: string): void {
    this.counts.set(lane, (this.counts.get(lane) ?? 0) + 1);
  }

  remove(lane: string): void {
    const left = (this.counts.get(lane) ?? 1) - 1;
    if (left > 0) this.counts.set(lane, left);
    else this.counts.delete(lane);
  }

  lanes(): IterableIterator<string> {
    return this.counts.keys();
  }
}

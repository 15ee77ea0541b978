import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKSTOP_PAGES, BackgroundCheckpointer, CHECKPOINT_NICE } from '../../db/checkpointer.js';
import { closeDatabase, openDatabase, type Db } from '../../db/client.js';
import { onPostgres } from '../helpers/db.js';

// SQLite's write-ahead log and its checkpoints: PostgreSQL has neither (its WAL is the server's own business).
describe.skipIf(onPostgres())('background WAL checkpoints', () => {
  let dir: string;
  let db: Db;
  let checkpointer: BackgroundCheckpointer | null = null;

  const open = () => {
    dir = mkdtempSync(join(tmpdir(), 'xueshi-wal-'));
    db = openDatabase(join(dir, 'x.db'));
    return join(dir, 'x.db');
  };
  const insertRows = (from: number, n: number) => {
    const insert = db.$client.prepare(`insert into inbox (claim_key, event_key, platform, payload) values (?, ?, 'feishu', ?)`);
    db.$client.transaction(() => {
      for (let i = from; i < from + n; i++) insert.run(`e:feishu:e${i}`, `feishu:e${i}`, 'x'.repeat(400));
    })();
  };
  const walBytes = (path: string) => statSync(`${path}-wal`).size;

  afterEach(async () => {
    await checkpointer?.stop();
    checkpointer = null;
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops the serving connection from checkpointing and does it on its own thread', async () => {
    const path = open();
    checkpointer = new BackgroundCheckpointer(db, path, { intervalMs: 60_000 });
    checkpointer.start();
    expect(db.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);

    // ~5 MB of commits: past the 1,000-page point where a commit would otherwise checkpoint inline.
    for (let b = 0; b < 10; b++) insertRows(b * 1000, 1000);
    const before = walBytes(path);
    expect(before).toBeGreaterThan(4_096 * 1000);

    const result = await checkpointer.checkpointNow();
    expect(result.busy).toBe(0);
    expect(result.checkpointed).toBe(result.log);
    expect(checkpointer.checkpoints).toBeGreaterThanOrEqual(1);

    // Once everything is backfilled the next writer starts the WAL over instead of growing it.
    insertRows(10_000, 10);
    expect(walBytes(path)).toBe(before);
    await checkpointer.checkpointNow();
    for (let b = 0; b < 10; b++) insertRows(20_000 + b * 1000, 1000);
    expect(walBytes(path)).toBeLessThanOrEqual(before + 4_096 * 64);

    // Nothing lost: another connection sees every row.
    expect(db.$client.prepare('select count(*) from inbox').pluck().get()).toBe(20_010);
  });

  it('keeps the WAL bounded while writes never stop and the background thread does not keep up', async () => {
    const path = open();
    // The thread is up but does not get to run in time (as when a burst starves it of CPU): the backstop in
    // the writer's own commits must hold the WAL alone. (A checkpoint on another thread could not, anyway:
    // commits keep landing while it copies, so the log is never fully copied and never started over.)
    checkpointer = new BackgroundCheckpointer(db, path, { intervalMs: 60_000 });
    checkpointer.start();
    const insert = db.$client.prepare(`insert into inbox (claim_key, event_key, platform, payload) values (?, ?, 'feishu', ?)`);
    // 40,000 commits of ≥ 3 pages each: over 450 MB of WAL frames if the log were never started over.
    const commits = 40_000;
    let peak = 0;
    for (let n = 0; n < commits; ) {
      // Small commits back to back, yielding now and then so the checkpoint thread hears its timer.
      for (let i = 0; i < 200; i++, n++) insert.run(`e:feishu:s${n}`, `feishu:s${n}`, 'x'.repeat(400));
      peak = Math.max(peak, walBytes(path));
      await new Promise((r) => setImmediate(r));
    }
    const n = commits;
    // About the backstop (~40 MB of frames); with only background checkpoints this reached 467–603 MB.
    expect(peak).toBeLessThan(BACKSTOP_PAGES * 4120 * 1.25);
    expect(db.$client.prepare('select count(*) from inbox').pluck().get()).toBe(n);
  });

  it('runs on its timer without being asked', async () => {
    const path = open();
    checkpointer = new BackgroundCheckpointer(db, path, { intervalMs: 20 });
    checkpointer.start();
    insertRows(0, 100);
    await expect.poll(() => checkpointer!.checkpoints, { timeout: 2_000 }).toBeGreaterThan(1);
  });

  it.runIf(existsSync('/proc/self/task'))('runs at the lowest CPU priority, leaving the serving thread alone', async () => {
    const niceOf = (tid: string) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const niceByThread = () => readdirSync('/proc/self/task').map(niceOf);
    // The main thread is the one whose id is the process id. It is not always listed first: once process ids wrap
    // around (a CI machine that has started many processes), a new thread can get a lower id than the main one.
    const mainThreadNice = () => niceOf(String(process.pid));
    const path = open();
    const mainNice = mainThreadNice(); // 0, unless the run itself was started under `nice`
    const before = niceByThread().filter((n) => n === CHECKPOINT_NICE).length;
    checkpointer = new BackgroundCheckpointer(db, path);
    checkpointer.start();
    await checkpointer.checkpointNow(); // the thread is up and has set its priority
    expect(niceByThread().filter((n) => n === CHECKPOINT_NICE).length).toBe(before + 1);
    expect(mainThreadNice()).toBe(mainNice); // the main thread keeps its priority
  });

  it('hands checkpointing back to the connection when stopped', async () => {
    const path = open();
    checkpointer = new BackgroundCheckpointer(db, path);
    checkpointer.start();
    expect(checkpointer.running).toBe(true);
    await checkpointer.stop();
    expect(checkpointer.running).toBe(false);
    expect(db.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('does nothing for an in-memory database', () => {
    dir = mkdtempSync(join(tmpdir(), 'xueshi-wal-'));
    db = openDatabase(':memory:');
    checkpointer = new BackgroundCheckpointer(db, ':memory:');
    checkpointer.start();
    expect(checkpointer.running).toBe(false);
  });
});

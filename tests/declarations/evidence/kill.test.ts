import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import type { Db } from '../../../db/client.js';
import { transaction } from '../../../db/statements.js';
import { FixedClock } from '../../../src/clock.js';
import { loadConfig, settingsOf } from '../../../src/config.js';
import { PLATFORM_SETTINGS } from '../../../src/platforms/settings.js';
import { evidenceDirFor, storedPath } from '../../../src/declarations/evidence/files.js';
import { registerEvidence } from '../../../src/declarations/evidence/register.js';
import { findEvidence } from '../../../src/declarations/evidence/store.js';
import { EvidenceWorker } from '../../../src/declarations/evidence/worker.js';
import { silentLogger } from '../../../src/logger.js';
import { feishuResources } from '../../../src/platforms/feishu/resources.js';
import { FeishuSender } from '../../../src/platforms/feishu/send.js';
import { FakeFeishu } from '../../helpers/fakes/feishu-platform.js';
import { addTeacher } from '../../helpers/seed.js';
import { png } from '../../helpers/evidence.js';
import { until } from '../../helpers/outbox.js';
import { closeConnection, testDatabase } from '../../helpers/db.js';
import { feishuSettings } from '../../../src/platforms/feishu/settings.js';

/**
 * kill -9 in the middle of a download. The app runs as in production (`src/main.ts`, its own process) against a
 * fake Feishu whose download sends half the file and then stalls; the process is SIGKILLed while it holds the
 * row and half a temp file. What is left: the row still pending under its lease, nothing stored. A worker that
 * comes later leaves it alone while the lease lives, and once it has passed sweeps the temp file and stores it.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.length = 0;
  for (const f of cleanups.splice(0).reverse()) await f();
});

const FEISHU = { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718', FEISHU_APP_SECRET: 'secret-for-evidence-kill' };

// The bot in src/main.ts refuses DATABASE_URL until the data access is asynchronous (issue 16); then this runs on PostgreSQL too.
it('a download killed with SIGKILL is left pending under its lease, then finished by the next worker once the lease ends', async () => {
  const fake = await FakeFeishu.start();
  cleanups.push(() => fake.close());
  const database = await testDatabase();
  cleanups.push(() => database.drop());
  const evidenceDir = evidenceDirFor(database.env);

  const bytes = png(400_000);
  fake.putResource('om_kill_1', 'img_kill_1', bytes);
  fake.files.planNext('om_kill_1/img_kill_1', { kind: 'stall' });

  let db: Db = await database.open();
  const teacherId = await addTeacher(db, { employeeNo: 'T0001', name: '张三' });
  const [row] = await transaction(db, (tx) =>
    registerEvidence(
      tx,
      { kind: 'message', platform: 'feishu', eventId: 'ev-kill', messageId: 'om_kill_1', accountId: 'ou_t1', chatId: 'oc_1', chatType: 'direct', text: '', attachments: [{ kind: 'image', key: 'img_kill_1' }], receivedAt: 0, replyVia: {} },
      teacherId,
      new Date(),
    ),
  );
  await closeConnection(db);

  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...FEISHU, ...database.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', FEISHU_BASE_URL: fake.url, XUESHI_NOW: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  const partial = () => (existsSync(join(evidenceDir, '.incoming')) ? readdirSync(join(evidenceDir, '.incoming')) : []);
  // Half the file has reached the temp file: the download is under way.
  await until(() => partial().some((n) => statSync(join(evidenceDir, '.incoming', n)).size > 0), 30_000, 'the download to be half-way');
  child.kill('SIGKILL');
  await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

  db = await database.open();
  cleanups.push(() => closeConnection(db));
  const left = (await findEvidence(db, row.id))!;
  expect(left).toMatchObject({ status: 'pending', attempts: 1, sha256: null });
  expect(left.claimedUntil!.getTime()).toBeGreaterThan(Date.now());
  expect(partial()).toHaveLength(1);
  expect(existsSync(storedPath(evidenceDir, createHash('sha256').update(bytes).digest('hex')))).toBe(false);

  const config = loadConfig({ ...FEISHU, ...database.env, FEISHU_BASE_URL: fake.url }, PLATFORM_SETTINGS);
  const source = feishuResources(new FeishuSender({ settings: settingsOf(config, feishuSettings), logger: silentLogger }), fake.url);
  const workerAt = (clock: FixedClock) => {
    const worker = new EvidenceWorker({ db, sources: [source], dir: evidenceDir, maxBytes: config.MAX_EVIDENCE_BYTES, clock, pollMs: 20 });
    cleanups.push(() => worker.stop());
    worker.start();
    return worker;
  };

  // While the lease lives (the first process might still be downloading) nobody else takes the row.
  const early = workerAt(new FixedClock(new Date()));
  await new Promise((r) => setTimeout(r, 300));
  await early.stop();
  expect(fake.files.served).toEqual(['om_kill_1/img_kill_1']);
  expect(await findEvidence(db, row.id)).toMatchObject({ status: 'pending', attempts: 1 });

  // After it: the temp file is swept, the download done again in full and stored.
  const late = workerAt(new FixedClock(new Date(left.claimedUntil!.getTime() + 1000)));
  await until(async () => (await findEvidence(db, row.id))?.status === 'stored', 10_000, 'stored by the next worker');
  await late.whenIdle();
  const stored = (await findEvidence(db, row.id))!;
  expect(stored).toMatchObject({ attempts: 2, size: bytes.length, mime: 'image/png', sha256: createHash('sha256').update(bytes).digest('hex') });
  expect(readFileSync(storedPath(evidenceDir, stored.sha256!))).toEqual(bytes);
  expect(partial()).toEqual([]);
  expect(fake.files.served).toEqual(['om_kill_1/img_kill_1', 'om_kill_1/img_kill_1']);
}, 60_000);

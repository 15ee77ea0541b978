/**
 * 学时申报 bench: 1,000 declarations, each with its certificate picture, through the whole chain on the real app
 * (temp SQLite file, console platform): the picture registered as evidence and fetched, checked, hashed and stored
 * by the evidence worker; the declaration submitted (duplicate checks, first approvers asked); approved by the
 * school leader; the big ones (over 24 学时 or 集中培训) approved by the office, each final approval writing its
 * ledger record and the teacher's notice with new totals. Every step runs in its own transaction, as an event
 * would. One picture in fifty is a copy of an earlier one, so the evidence-hash flag is exercised.
 * Reports time per step (per declaration), the evidence store's size, and checks one record per declaration.
 *
 *   npx tsx bench/declarations-service.ts [--declarations 1000] [--schools 50] [--keep]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { schema } from '../db/client.js';
import { inTransaction, transaction } from '../db/statements.js';
import { createXueshi } from '../src/app.js';
import { FixedClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { PLATFORM_SETTINGS } from '../src/platforms/settings.js';
import { registerEvidence } from '../src/declarations/evidence/register.js';
import { notifyDecision, notifySubmitted } from '../src/declarations/notify.js';
import { approveDeclaration, submitDeclaration } from '../src/declarations/service.js';
import { bindAccount } from '../src/ledger/accounts.js';
import { grantRole } from '../src/ledger/roles.js';
import { silentLogger } from '../src/logger.js';
import { employeeNo, rng } from './lib/ledger-data.js';
import { Reporter, fmt, isEntry, options, runStandalone } from './lib/report.js';
import { du } from './lib/disk.js';
import { distribution, mib } from './lib/stats.js';

const NOW = '2026-11-25T10:00:00+08:00';
// pngjs ships no types (the certificates' png-sync.ts reads it the same way).
const { PNG } = createRequire(import.meta.url)('pngjs') as {
  PNG: { sync: { write(png: { width: number; height: number; data: Buffer }): Buffer } };
};
const CATEGORIES = ['网络研修', '校本研修', '师德师风', '集中培训', '跟岗实践'];
const HOURS = [4, 8, 12, 16, 24, 32, 40];

/** A 240×160 certificate "photo" of noise: distinct bytes (and sha256) per seed, about 110 KB as PNG. */
function picture(path: string, seed: number): void {
  const rand = rng(seed);
  const png = { width: 240, height: 160, data: Buffer.alloc(240 * 160 * 4) };
  for (let i = 0; i < png.data.length; i += 4) {
    png.data[i] = Math.floor(rand() * 256);
    png.data[i + 1] = Math.floor(rand() * 256);
    png.data[i + 2] = 200;
    png.data[i + 3] = 255;
  }
  writeFileSync(path, PNG.sync.write(png));
}


export async function main(args: string[] = []): Promise<void> {
  const opt = options(args);
  const total = opt.int('declarations', 1000);
  const schools = opt.int('schools', 50);
  const r = new Reporter('declarations-service');
  r.machine('at start');
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-bench-decl-'));
  const pictures = join(dir, 'pictures');
  const evidenceDir = join(dir, 'evidence');
  mkdirSync(pictures);
  const clock = new FixedClock(NOW);
  const config = loadConfig({ DATABASE_PATH: join(dir, 'bench.db'), LOG_LEVEL: 'silent', EVIDENCE_DIR: evidenceDir }, PLATFORM_SETTINGS);
  const app = await createXueshi({ config, clock, logger: silentLogger });
  await app.start();
  const { db, presets } = app;
  try {
    r.section(`roster: ${schools} schools, ${total} teachers, a leader per school, 2 officers; ${total} pictures`);
    const teachers: number[] = [];
    const leaders: number[] = [];
    const officers: number[] = [];
    await transaction(db, async (tx) => {
      const person = async (no: string, name: string, school: string) => {
        const [{ id }] = await tx.insert(schema.teachers).values({ employeeNo: no, name, school, policyId: 'laibin', hireDate: '2012-09-01' }).returning();
        await bindAccount(tx, 'console', `acc-${no}`, id);
        return id;
      };
      for (let s = 0; s < schools; s++) {
        const id = await person(`L${String(s).padStart(4, '0')}`, `校长${s}`, `第${s + 1}中学`);
        await grantRole(tx, id, 'leader', 'bench');
        leaders.push(id);
      }
      for (let o = 0; o < 2; o++) {
        const id = await person(`O${o}`, `主任${o}`, '教师发展中心');
        await grantRole(tx, id, 'officer', 'bench');
        officers.push(id);
      }
      for (let i = 0; i < total; i++) teachers.push(await person(employeeNo(i), `教师${i}`, `第${(i % schools) + 1}中学`));
    });
    const paths: string[] = [];
    for (let i = 0; i < total; i++) {
      // One in fifty sends a copy of the picture of the declaration before it (same sha256 → a flag).
      const path = join(pictures, `${i}.png`);
      picture(path, i % 50 === 49 ? i - 1 : i + 1);
      paths.push(path);
    }
    const rand = rng(7);
    const shape = teachers.map(() => ({ hours: HOURS[Math.floor(rand() * HOURS.length)]!, category: CATEGORIES[Math.floor(rand() * CATEGORIES.length)]! }));

    r.section('evidence: registered in the event transaction, then fetched, checked, hashed and stored by the worker');
    const tEvidence = performance.now();
    const evidenceIds: number[] = [];
    for (const [i, teacherId] of teachers.entries()) {
      const id = await transaction(db, async (tx) => {
        const message = {
          kind: 'message' as const, platform: 'console' as const, eventId: `ev-${i}`, messageId: `msg-${i}`, accountId: `acc-${employeeNo(i)}`,
          chatId: `acc-${employeeNo(i)}`, chatType: 'direct' as const, text: '', receivedAt: clock.now().getTime(), replyVia: {},
          attachments: [{ kind: 'image' as const, key: paths[i]!, name: `证书${i}.png` }],
        };
        return (await registerEvidence(tx, message, teacherId, clock.now()))[0]!.id;
      });
      evidenceIds.push(id);
    }
    const tRegistered = performance.now();
    app.evidence.kick();
    await app.evidence.whenIdle();
    const tStored = performance.now();
    const stored = db.select().from(schema.evidenceFiles).all().filter((e) => e.status === 'stored').length;
    r.info('evidence.register_ms_per_file', (tRegistered - tEvidence) / total, 'ms');
    r.info('evidence.store_ms_per_file', (tStored - tRegistered) / total, 'ms (download, type check, sha256, write)');
    r.check('evidence.stored', stored, { op: '==', value: total }, '', 0);

    const timed = async (fn: (i: number) => Promise<void>) => {
      const samples: number[] = [];
      for (let i = 0; i < total; i++) {
        const t0 = performance.now();
        await fn(i);
        samples.push(performance.now() - t0);
      }
      return distribution(samples);
    };
    const report = (step: string, d: ReturnType<typeof distribution>) => {
      r.info(`${step}.mean_ms`, d.mean, 'ms');
      r.info(`${step}.p99_ms`, d.p99, 'ms');
    };

    r.section('submit: checks, duplicate flags, first approvers asked');
    const ids: number[] = [];
    report(
      'submit',
      await timed((i) =>
        transaction(db, async (tx) => {
          const now = clock.now();
          const out = await submitDeclaration(
            tx,
            presets,
            { teacherId: teachers[i]!, project: `2026年研修项目${i}`, organiser: '自治区教育厅', startDate: '2026-10-12', endDate: '2026-10-14', ...shape[i]!, certificateNo: `GP2026-${i}`, evidenceIds: [evidenceIds[i]!] },
            { label: `console:acc-${employeeNo(i)}`, teacherId: teachers[i]! },
            now,
          );
          if (!out.ok) throw new Error(out.detail);
          await notifySubmitted(tx, out, now);
          ids.push(out.declaration.id);
        }),
      ),
    );

    const decide = (who: (i: number) => number | null) => (i: number) =>
      transaction(db, async (tx) => {
        const approver = who(i);
        if (approver === null) return;
        const out = await approveDeclaration(tx, presets, ids[i]!, { label: 'bench', teacherId: approver }, clock.now());
        if (!out.ok) throw new Error(`#${ids[i]}: ${out.reason}`);
        await notifyDecision(tx, out, clock.now());
      });
    r.section('school approval (final for the small ones: record + notice with new totals)');
    report('school', await timed(decide((i) => leaders[i % schools]!)));
    const big = shape.filter((s) => s.hours > 24 || s.category === '集中培训').length;
    r.section(`office approval of the ${big} big ones (record + notice with new totals)`);
    const office = [...shape.keys()].filter((i) => shape[i]!.hours > 24 || shape[i]!.category === '集中培训');
    const officeSamples: number[] = [];
    for (const i of office) {
      const t0 = performance.now();
      await decide(() => officers[i % 2]!)(i);
      officeSamples.push(performance.now() - t0);
    }
    report('office', distribution(officeSamples));

    r.section('result');
    const records = db.select().from(schema.records).all().filter((x) => x.source === 'declaration').length;
    r.check('records', records, { op: '==', value: total }, '', 0);
    const flags = db.select().from(schema.declarationFlags).all().filter((f) => f.kind === 'evidence_hash').length;
    r.check('evidence_hash_flags', flags, { op: '==', value: Math.floor(total / 50) }, '', 0);
    const store = du(evidenceDir);
    r.info('evidence_store_files', store.files, '', 0);
    r.info('evidence_store_mib', mib(store.bytes), 'MiB');
    r.info('outbox_rows', db.select().from(schema.outbox).all().length, '', 0);
    r.note(`${fmt(total, 0)} declarations, ${fmt(big, 0)} through the office; pictures ${fmt(mib(du(pictures).bytes))} MiB in`);
  } finally {
    // Shutdown is checked, not assumed. Under the bench runner, with nothing else holding the event loop, app.stop()
    // was seen never to settle (node exited 13 mid-await: what it awaits last, e.g. the checkpoint thread's exit,
    // holds no ref'd handle). This timer holds the loop, bounds the wait, and a FAIL shows if stop really hangs.
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([app.stop().then(() => true), new Promise<boolean>((res) => (timer = setTimeout(res, 15_000, false)))]);
    clearTimeout(timer);
    r.check('app_stop_settled', settled ? 1 : 0, { op: '==', value: 1 }, '', 0);
    r.info('app_stop_s', (performance.now() - t0) / 1000, 's');
    r.summary();
    if (!opt.has('keep')) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

if (isEntry(import.meta.url)) void runStandalone(main);

import { afterEach, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/outbox/store.js';
import { eventually, startDingtalk, type DingtalkHarness } from '../helpers/fakes/dingtalk-harness.js';

/**
 * A backlog of DingTalk one-to-one rows that cannot fill a batchSend call of 20 users must still go out. Once, 1,000
 * reminders flagged quiet (kept out of batches) sent nothing at all: every look read a full page of rows, found the
 * first call short of 20 users and left it for "a later look reading past the page", which read the same page.
 */
let dh: DingtalkHarness | undefined;
afterEach(async () => {
  await dh?.close();
  dh = undefined;
});

const BACKLOG = 1000;

async function sendBacklog(o: { quiet: boolean; sameText: boolean; apiQps?: number }) {
  // A call without an answer in time has an unknown outcome, and DingTalk (no idempotency key) gets it once more by
  // design: on a loaded machine the in-process fake answers late, so give it 15 s, and any resend is a defect.
  const h = (dh = await startDingtalk({ adapter: { apiQps: o.apiQps, timeoutMs: 15_000 } }));
  const rows = Array.from({ length: BACKLOG }, (_, i) => ({
    platform: 'dingtalk' as const,
    target: { type: 'user' as const, accountId: `staff${i}` },
    reply: { text: o.sameText ? '【评价提醒】请在 12月2日 前评价「新课标研修」，回复「评价」开始。' : `【报送提醒】第 ${i} 号：年度培训计划月底截止。` },
    idempotencyKey: `reminder-${i}`,
    origin: 'test',
    quiet: o.quiet,
  }));
  await enqueue(h.app.db, rows, new Date());
  const started = performance.now();
  h.worker.kick();
  // By day nothing holds them: at 20 calls a second even one user a call is 50 s (at 100, 10 s). A stall never gets there.
  await eventually(() => h.fake.delivered.length >= BACKLOG, 150_000, `${BACKLOG} deliveries (had ${h.fake.delivered.length})`);
  await h.settle();
  expect(new Set(h.fake.delivered.map((d) => d.to)).size).toBe(BACKLOG);
  expect(h.fake.delivered).toHaveLength(BACKLOG);
  return { ms: performance.now() - started, calls: h.fake.requests.filter((r) => r.path.includes('oToMessages/batchSend')).length };
}

describe('a DingTalk backlog of rows that do not fill a batch', () => {
  it('1,000 quiet reminders with one text go out, 20 users a call', async () => {
    const { ms, calls } = await sendBacklog({ quiet: true, sameText: true });
    console.log(`1,000 quiet reminders: ${Math.round(ms)} ms, ${calls} batchSend calls`);
    expect(calls).toBeLessThanOrEqual(60);
  }, 200_000);

  it('1,000 rows with a text each (no two can share a call) go out', async () => {
    // The stall this guards against does not depend on the rate: an app allowed 100 calls a second plays the
    // backlog in 10 s instead of 50, and its calls still stay within what it is allowed.
    const { ms, calls } = await sendBacklog({ quiet: false, sameText: false, apiQps: 100 });
    expect(ms).toBeGreaterThanOrEqual(((BACKLOG - 100) / 100) * 1000);
    console.log(`1,000 distinct texts: ${Math.round(ms)} ms, ${calls} batchSend calls`);
    expect(calls).toBe(BACKLOG);
  }, 200_000);
});

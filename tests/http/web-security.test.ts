/**
 * Web findings of the security review, against the real node server on loopback: uploads are refused before
 * their body is read (no session) or while it streams (over the cap), and never sit in memory; the login
 * throttle believes X-Forwarded-For only as far as TRUSTED_PROXIES vouch for it; unknown asset names are 404,
 * prototype names included; no page of ours can be framed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { bindAccount } from '../../src/ledger/accounts.js';
import { grantRole } from '../../src/ledger/roles.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { projectorKey } from '../../src/sessions/code.js';
import { createSession } from '../../src/sessions/service.js';
import { closeServer, listen } from '../../src/http/server.js';
import type { TestApp } from '../helpers/app.js';
import { addTeacher } from '../helpers/seed.js';
import { ADMIN_TOKEN, cookieOf, csrfOf, startAdmin, tokenOf } from '../helpers/admin.js';

let app: TestApp;
let server: Server | null = null;
let base = '';
afterEach(async () => {
  if (server) await closeServer(server);
  server = null;
  await app?.cleanup();
});

async function serve(env: Record<string, string> = {}): Promise<void> {
  app = await startAdmin(env);
  server = app.createServer();
  base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
}

/** A form POST through the real server, as a browser on our own origin sends it. */
async function postForm(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(base + path, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams(form),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, ...headers },
  });
}

async function signIn(): Promise<{ cookie: string; csrf: string }> {
  const res = await postForm('/admin/login', { token: ADMIN_TOKEN });
  expect(res.status).toBe(303);
  const cookie = cookieOf(res);
  const page = await fetch(`${base}/admin/imports`, { headers: { cookie } });
  return { cookie, csrf: csrfOf(await page.text()) };
}

const BOUNDARY = '----xueshiBoundary7MA4YWxkTrZu0gW';
function multipartHead(fields: Record<string, string>, fileName: string): Buffer {
  let text = '';
  for (const [k, v] of Object.entries(fields)) text += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  text += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return Buffer.from(text, 'utf8');
}
const multipartTail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

interface StreamedUpload {
  status: number;
  /** File bytes the client had written when the answer came. */
  sentWhenAnswered: number;
  body: string;
  location: string;
}

/**
 * Streams a chunked multipart upload of up to `totalBytes` file bytes, one 64 KB chunk at a time, each written
 * only after the previous one was taken; stops sending as soon as an answer arrives (a server that waits for the
 * whole body before answering is seen writing it all).
 */
function streamUpload(o: { cookie?: string; head: Buffer; totalBytes: number; midway?: { at: number; run: () => Promise<void> } }): Promise<StreamedUpload> {
  const url = new URL(`${base}/admin/imports`);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered: IncomingMessage | null = null;
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
          'transfer-encoding': 'chunked',
          origin: base,
          ...(o.cookie ? { cookie: o.cookie } : {}),
        },
      },
      (res) => {
        answered = res;
        const sentWhenAnswered = sent;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, sentWhenAnswered, body, location: String(res.headers.location ?? '') }));
        res.on('error', reject);
      },
    );
    // The server may cut the connection after answering: that is not a failure of the test.
    req.on('error', (e) => (answered ? undefined : reject(e)));
    let midway = o.midway;
    const pump = () => {
      while (!answered && sent < o.totalBytes) {
        if (midway && sent >= midway.at) {
          const run = midway.run;
          midway = undefined;
          return void run().then(pump, reject);
        }
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', () => setImmediate(pump));
      }
      if (!answered) req.end(multipartTail);
    };
    req.write(o.head, () => setImmediate(pump));
  });
}

const uploadsDir = () => join(app.dir, '.admin-uploads');
const leftovers = () => (existsSync(uploadsDir()) ? readdirSync(uploadsDir()) : []);

describe('console uploads', { timeout: 30_000 }, () => {
  it('refuses an anonymous chunked upload before reading its body', async () => {
    await serve();
    const r = await streamUpload({ head: multipartHead({ kind: 'records' }, 'big.csv'), totalBytes: 100 * 1024 * 1024 });
    expect(r.status).toBe(401);
    // Answered while the client had sent a sliver of its 100 MB: nobody read the rest.
    expect(r.sentWhenAnswered).toBeLessThan(4 * 1024 * 1024);
    expect(leftovers()).toEqual([]);
  });

  it('refuses an over-size upload while it streams, keeping nothing', async () => {
    await serve({ MAX_UPLOAD_BYTES: String(1024 * 1024) });
    const s = await signIn();
    const r = await streamUpload({ cookie: s.cookie, head: multipartHead({ _csrf: s.csrf, kind: 'records' }, 'big.csv'), totalBytes: 50 * 1024 * 1024 });
    expect(r.status).toBe(413);
    expect(r.body).toContain('文件超过 1 MB');
    expect(r.sentWhenAnswered).toBeLessThan(8 * 1024 * 1024);
    expect(leftovers()).toEqual([]);
  });

  it('refuses a file part that comes without the form CSRF token, unread', async () => {
    await serve();
    const s = await signIn();
    const r = await streamUpload({ cookie: s.cookie, head: multipartHead({ _csrf: 'forged', kind: 'records' }, 'a.csv'), totalBytes: 50 * 1024 * 1024 });
    expect(r.status).toBe(403);
    expect(r.sentWhenAnswered).toBeLessThan(8 * 1024 * 1024);
    expect(leftovers()).toEqual([]);
  });

  it('streams an accepted upload to disk under its UTF-8 name: what has arrived is not held in memory', async () => {
    await serve();
    const s = await signIn();
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Two full collections a moment apart: buffers already let go of are freed, not counted.
    const held = async () => {
      gc();
      await new Promise((r) => setTimeout(r, 50));
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = await held();
    let midway = 0;
    // Most of the way through a 72 MB upload, wait until the server has taken in what was sent, then weigh what is kept.
    const settle = async () => {
      await new Promise((r) => setTimeout(r, 300));
      midway = (await held()) - before;
    };
    // Not a zip: the dry run fails at once, so the test measures the upload, not an import.
    const r = await streamUpload({
      cookie: s.cookie,
      head: multipartHead({ _csrf: s.csrf, kind: 'teachers' }, '名册.xlsx'),
      totalBytes: 72 * 1024 * 1024,
      midway: { at: 64 * 1024 * 1024, run: settle },
    });
    expect(r.status).toBe(303);
    // A body buffered in memory would weigh 64 MB or more here.
    expect(midway).toBeLessThan(32 * 1024 * 1024);
    expect(r.location).toMatch(/^\/admin\/imports\/[\w-]{22}$/);
    const job = await (await fetch(base + r.location, { headers: { cookie: s.cookie } })).text();
    expect(job).toContain('名册.xlsx');
    expect(job).toContain(`${(72 * 1024).toFixed(1)} KB`);
  });
});

describe('login throttle and X-Forwarded-For', { timeout: 30_000 }, () => {
  const wrong = (i: number, xff: string) => postForm('/admin/login', { token: `wrong-guess-${i}` }, { 'x-forwarded-for': xff });

  it('with no trusted proxy, a forged X-Forwarded-For buys no extra guesses', async () => {
    await serve();
    for (let i = 0; i < 10; i++) expect((await wrong(i, `198.51.100.${i}`)).status).toBe(403);
    const blocked = await wrong(10, '192.0.2.200');
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('登录尝试过于频繁');
  });

  it('behind a trusted proxy, the address the proxy appended counts, not what the client wrote', async () => {
    await serve({ TRUSTED_PROXIES: '127.0.0.1,::1' });
    // The attacker (203.0.113.9) writes a new address each time; the proxy appends the real one.
    for (let i = 0; i < 10; i++) expect((await wrong(i, `10.9.9.${i}, 203.0.113.9`)).status).toBe(403);
    expect((await wrong(10, '10.9.9.77, 203.0.113.9')).status).toBe(429);
    // Forging the office's address does not lock the office out: its own requests still get in.
    for (let i = 0; i < 10; i++) await wrong(20 + i, `198.51.100.1, 203.0.113.10`);
    expect((await postForm('/admin/login', { token: ADMIN_TOKEN }, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(303);
  });

  it("an attacker sharing the office's address cannot block an officer's one-time link", async () => {
    await serve({ TRUSTED_PROXIES: '127.0.0.1' });
    const officerId = await addTeacher(app.db, { employeeNo: 'T9000', name: '周主任', school: '教师发展中心' });
    await grantRole(app.db, officerId, 'officer', 'test');
    const officer = new ConsoleSession(app, 'officer');
    await bindAccount(app.db, 'console', 'officer', officerId);
    const office = { 'x-forwarded-for': '198.51.100.1' };
    for (let i = 0; i < 10; i++) await fetch(`${base}/admin/login?token=guess-${i}`, { headers: office });
    expect((await fetch(`${base}/admin/login?token=guess-x`, { headers: office })).status).toBe(429);
    expect((await postForm('/admin/login', { token: ADMIN_TOKEN }, office)).status).toBe(429);
    // The officer's real link still works from the same address.
    const token = tokenOf((await officer.send('后台')).join('\n'));
    const confirm = await fetch(`${base}/admin/login?token=${encodeURIComponent(token)}`, { headers: office });
    expect(confirm.status).toBe(200);
    const used = await postForm('/admin/login/link', { token }, office);
    expect(used.status).toBe(303);
    expect(cookieOf(used)).not.toBe('');
  });

  it('many addresses together get a bounded number of ADMIN_TOKEN guesses', async () => {
    await serve({ TRUSTED_PROXIES: '127.0.0.1' });
    let refused = 0;
    for (let i = 0; i < 60; i++) {
      const res = await wrong(i, `203.0.113.${i}`);
      if (res.status === 429) refused++;
    }
    expect(refused).toBe(10);
    // The right token from a fresh address waits too (links still work: see above).
    expect((await postForm('/admin/login', { token: ADMIN_TOKEN }, { 'x-forwarded-for': '192.0.2.1' })).status).toBe(429);
  });
});

describe('assets and framing', () => {
  it('answers 404 for any unknown asset name, prototype names included', async () => {
    await serve();
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'nope.css']) {
      const res = await fetch(`${base}/admin/assets/${name}`);
      expect(res.status, name).toBe(404);
    }
    expect((await fetch(`${base}/admin/assets/admin.css`)).status).toBe(200);
  });

  it('no page can be framed: projector, console and login pages', async () => {
    await serve();
    await addTeacher(app.db, { employeeNo: 'T0001', name: '张三' });
    const s = await createSession(
      app.db,
      {
        title: '师德专题讲座',
        category: '师德师风',
        hours: 3,
        date: '2026-11-25',
        checkin: { start: '10:30', end: '11:30' },
        checkout: null,
        audience: { all: true },
        mode: 'rotating',
      },
      { now: app.fixedClock.now(), timeZone: 'Asia/Shanghai', createdBy: 'test', presets: app.presets, defaultPolicy: 'laibin' },
    );
    if (!s.ok) throw new Error(JSON.stringify(s.problem));
    const signed = await signIn();
    for (const [path, cookie] of [
      [`/sessions/${s.session.id}/checkin?key=${projectorKey(s.session.secret)}`, ''],
      [`/sessions/${s.session.id}/checkin?key=wrong`, ''],
      ['/admin/login', ''],
      ['/admin', signed.cookie],
      ['/admin/imports', signed.cookie],
    ]) {
      const res = await fetch(base + path, { headers: cookie ? { cookie } : {} });
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
    }
  });
});

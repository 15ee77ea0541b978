/**
 * The bot as `npm start` runs it (src/main.ts, its own process) names itself by INSTANCE_ID (issue 16, item 5): on
 * every log line it writes (stderr, JSON) and on /healthz, with the database it was given answering there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from './helpers/db.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
let child: ChildProcess | null = null;
let place: TestDatabase | null = null;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
  await place?.drop();
  place = null;
});

const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));

it('the bot process carries INSTANCE_ID on every log line and on /healthz', async () => {
  place = await testDatabase();
  const bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...place.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', INSTANCE_ID: 'city-b-7', XUESHI_NOW: '', FEISHU_APP_ID: '', DINGTALK_CLIENT_ID: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = bot;
  let stdout = '';
  let stderr = '';
  bot.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  bot.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up banner within 60 s:\n${stdout}\n${stderr}`)), 60_000);
    const look = () => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/healthz/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    bot.stdout!.on('data', look);
    bot.once('exit', (code) => reject(new Error(`exited ${code}:\n${stdout}\n${stderr}`)));
  });

  const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<string, unknown>;
  expect(health).toMatchObject({ ok: true, instance: 'city-b-7', database: 'ok', inboxPending: 0, outboxDue: 0, eventsWaiting: 0 });

  bot.kill('SIGTERM');
  await exited(bot);
  const lines = stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  // At least the shutdown line; every line the process wrote names it.
  expect(lines.map((l) => l.msg)).toContain('shutting down');
  expect(lines.filter((l) => l.instance !== 'city-b-7')).toEqual([]);
}, 90_000);

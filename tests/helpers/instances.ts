/**
 * Several instances of the bot as production runs them (issue 16): each `src/main.ts` (what `npm start` runs) in a
 * process of its own, with its own PORT and INSTANCE_ID, on one database; and Feishu's side of the webhook: every
 * event encrypted and signed as Feishu sends it, retried on another instance when one does not answer 200 (Feishu
 * retries anything not acked; a load balancer sends the retry wherever it likes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FEISHU_PATH } from './fakes/feishu-harness.js';
import { signedRequest } from './fakes/feishu-sign.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Instance {
  id: string;
  child: ChildProcess;
  base: string;
  /** False once killed or exited: deliveries skip it. */
  alive: boolean;
  /** What it wrote (its log lines and errors; a test prints them when it fails). */
  output: string[];
}

/** Starts `src/main.ts` with `env` and INSTANCE_ID = id, PORT 0; resolves once it listens. */
export async function startInstance(id: string, env: Record<string, string>, timeoutMs = 60_000): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, INSTANCE_ID: id, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 400) output.splice(0, 100);
  };
  child.stderr!.on('data', keep);
  child.stdout!.on('data', keep);
  const instance: Instance = { id, child, base: '', alive: true, output };
  child.once('exit', () => (instance.alive = false));
  instance.base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${id} did not start in ${timeoutMs} ms: ${output.join('').slice(-2000)}`)), timeoutMs);
    const listening = () => {
      // The first startup line: 学时助手已启动 · http://127.0.0.1:<port>/healthz
      const port = /http:\/\/127\.0\.0\.1:(\d+)\/healthz/.exec(output.join(''))?.[1];
      if (!port) return;
      clearTimeout(timer);
      child.stdout!.off('data', listening);
      resolve(`http://127.0.0.1:${port}`);
    };
    child.stdout!.on('data', listening);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`instance ${id} exited (${code ?? signal}) before listening: ${output.join('').slice(-2000)}`));
    });
  });
  return instance;
}

/** kill -9, and wait until the process is gone. */
export async function killInstance(instance: Instance): Promise<void> {
  instance.alive = false;
  if (instance.child.exitCode !== null || instance.child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => instance.child.once('exit', () => resolve()));
  instance.child.kill('SIGKILL');
  await gone;
}

/** A clean stop (SIGTERM), waited for. */
export async function stopInstance(instance: Instance): Promise<void> {
  if (instance.child.exitCode !== null || instance.child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => instance.child.once('exit', () => resolve()));
  instance.child.kill('SIGTERM');
  await gone;
}

export interface Delivery {
  /** Instance ids in the order tried; the last one acked. */
  tried: string[];
}

/**
 * Feishu delivering one event to `first`: signed anew at each attempt (the timestamp must be fresh); anything but a
 * 200 within 3 s (refused connection, reset, timeout, error status) is retried on the next live instance, as
 * Feishu retries and a balancer re-routes. Throws after `attempts` tries.
 */
export async function deliverEvent(payload: unknown, instances: readonly Instance[], first: number, attempts = 8): Promise<Delivery> {
  const tried: string[] = [];
  for (let i = 0; i < attempts; i++) {
    const live = instances.filter((x) => x.alive);
    if (live.length === 0) throw new Error('no live instance');
    const target = instances[(first + i) % instances.length].alive ? instances[(first + i) % instances.length] : live[(first + i) % live.length];
    tried.push(target.id);
    const { body, headers } = signedRequest(payload, { now: new Date() });
    try {
      const res = await fetch(target.base + FEISHU_PATH, { method: 'POST', body, headers, signal: AbortSignal.timeout(3_000) });
      await res.arrayBuffer();
      if (res.status === 200) return { tried };
    } catch {
      // refused, reset or timed out: Feishu tries again
    }
    await new Promise((r) => setTimeout(r, 50 * (i + 1)));
  }
  throw new Error(`event not acked after ${attempts} attempts (tried ${tried.join(', ')})`);
}

/** Runs `fn` over `items` with at most `width` at a time. */
export async function pooled<T>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** The most events in any window of `windowMs` (times in ms, any order). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

/**
 * Server processes for benches: the parent forks a TypeScript entry (through tsx) and talks to it by
 * request/response messages over the IPC channel, so the system under test has its own event loop and
 * heap, apart from the load generator.
 */
import { fork, type ChildProcess } from 'node:child_process';

interface Request {
  id: number;
  cmd: string;
  arg?: unknown;
}
type Response = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export interface Worker {
  readonly child: ChildProcess;
  /** What the child sent with `ready()`. */
  readonly info: Record<string, unknown>;
  call<T = unknown>(cmd: string, arg?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the child to stop, waits for it to exit, and kills it if it does not. */
  close(): Promise<void>;
}

export async function startWorker(
  entry: string,
  { args = [], env = {}, execArgv = [], startTimeoutMs = 60_000 }: { args?: string[]; env?: Record<string, string>; execArgv?: string[]; startTimeoutMs?: number } = {},
): Promise<Worker> {
  const child = fork(entry, args, {
    execArgv: ['--import', 'tsx', ...execArgv],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      for (const w of waiting.values()) w.reject(new Error(`${entry} exited (code ${code}, signal ${signal})`));
      waiting.clear();
      resolve();
    }),
  );

  const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited during start-up (code ${code})`));
    });
    child.on('message', (m: { ready?: Record<string, unknown> } & Partial<Response>) => {
      if (m.ready) {
        clearTimeout(timer);
        resolve(m.ready);
        return;
      }
      const w = m.id !== undefined ? waiting.get(m.id) : undefined;
      if (!w) return;
      waiting.delete(m.id!);
      if (m.ok) w.resolve((m as { value: unknown }).value);
      else w.reject(new Error(`${entry}: ${(m as { error: string }).error}`));
    });
  });

  const call = <T>(cmd: string, arg?: unknown, timeoutMs = 600_000) =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new Error(`${entry} is not running`));
      const id = ++seq;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`${entry}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send({ id, cmd, arg } satisfies Request);
    });

  return {
    child,
    info,
    call,
    async close() {
      if (exited) return;
      try {
        await call('stop', undefined, 15_000);
      } catch {
        // fall through to the kill
      }
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitPromise;
      clearTimeout(killer);
    },
  };
}

/** The child's side: announce readiness, then answer commands with `handlers`. `stop` exits after replying. */
export function serveCommands(
  ready: Record<string, unknown>,
  handlers: Record<string, (arg: unknown) => unknown>,
  stop: () => Promise<void>,
): void {
  if (!process.send) throw new Error('this file is a bench server: start it with startWorker() from a bench');
  process.on('message', async (m: Request) => {
    const reply = (r: Response) => process.send!(r);
    if (m.cmd === 'stop') {
      try {
        await stop();
      } finally {
        reply({ id: m.id, ok: true, value: null });
        process.disconnect();
        setTimeout(() => process.exit(0), 50).unref();
      }
      return;
    }
    const handler = handlers[m.cmd];
    if (!handler) return reply({ id: m.id, ok: false, error: `unknown command ${m.cmd}` });
    try {
      reply({ id: m.id, ok: true, value: await handler(m.arg) });
    } catch (error) {
      reply({ id: m.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
  // The bench died (or was killed): do not linger as an orphan holding a port and a temp database.
  process.on('disconnect', () => process.exit(0));
  process.send({ ready });
}

/** CPU time and memory of this process, for per-phase deltas. */
export function processStats() {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return { cpuUserUs: cpu.user, cpuSystemUs: cpu.system, rss: mem.rss, heapUsed: mem.heapUsed, maxRssKb: process.resourceUsage().maxRSS };
}
export type ProcessStats = ReturnType<typeof processStats>;

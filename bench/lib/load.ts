/**
 * A light closed-loop HTTP load generator: `concurrency` workers over one keep-alive agent, each sending the
 * next pre-built request as soon as its previous one was answered. node:http only (no fetch: its per-request
 * cost would eat into the two cores the servers need).
 */
import { Agent, request } from 'node:http';

export interface PreparedRequest {
  body: Buffer;
  headers: Record<string, string>;
}

export interface LoadResult {
  sent: number;
  /** Wall time from the first request to the last response, in ms. */
  elapsedMs: number;
  /** Per request: request written → response fully read, in ms (index = request index). */
  latencyMs: Float64Array;
  status: Map<number, number>;
  errors: number;
  firstError?: string;
}

export interface LoadOptions {
  url: string;
  requests: readonly PreparedRequest[];
  concurrency: number;
  agent: Agent;
}

export function keepAliveAgent(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency, scheduling: 'fifo' });
}

/** Builds the request list once, with content-length set, so nothing is computed while timing. */
export function prepare(body: string, headers: Record<string, string>): PreparedRequest {
  const bytes = Buffer.from(body, 'utf8');
  return { body: bytes, headers: { ...headers, 'content-length': String(bytes.length) } };
}

export async function runLoad({ url, requests, concurrency, agent }: LoadOptions): Promise<LoadResult> {
  const target = new URL(url);
  const latencyMs = new Float64Array(requests.length);
  const status = new Map<number, number>();
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;

  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const r = requests[i];
      const started = performance.now();
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: r.headers, agent },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            latencyMs[i] = performance.now() - started;
            const code = res.statusCode ?? 0;
            status.set(code, (status.get(code) ?? 0) + 1);
            resolve();
          });
        },
      );
      req.on('error', (error) => {
        latencyMs[i] = performance.now() - started;
        errors++;
        firstError ??= error.message;
        resolve();
      });
      req.end(r.body);
    });

  const worker = async () => {
    while (next < requests.length) await one(next++);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  return { sent: requests.length, elapsedMs: performance.now() - started, latencyMs, status, errors, firstError };
}

/**
 * A JSON POST over global fetch with a deadline. Generic (nothing DingTalk-specific): every call the adapter
 * makes — token, OpenAPI, session webhook, stream gateway — needs the same "answer or give up" behaviour,
 * because fetch has no timeout of its own and a hung call would hold an outbox slot forever.
 */

export type HttpOutcome =
  /** The server answered (any status). `body` is the parsed JSON, or undefined when it was not JSON. */
  | { kind: 'response'; status: number; body: unknown; text: string }
  /** No answer: connection refused/reset, DNS, or the deadline passed. Whether it arrived is unknown. */
  | { kind: 'network'; error: string; timedOut: boolean };

export interface PostJsonOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export async function postJson(url: string, body: unknown, options: PostJsonOptions = {}): Promise<HttpOutcome> {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    const text = await res.text();
    return { kind: 'response', status: res.status, body: parseJson(text), text };
  } catch (error) {
    const timedOut = controller.signal.aborted;
    return { kind: 'network', error: timedOut ? `no answer within ${timeoutMs} ms` : describe(error), timedOut };
  } finally {
    clearTimeout(timer);
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** undici hides the useful part ("ECONNREFUSED") in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${error.message} (${cause.code})` : cause?.message ? `${error.message}: ${cause.message}` : error.message;
}

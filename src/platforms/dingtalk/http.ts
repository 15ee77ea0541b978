/**
 * A JSON POST over global fetch with a deadline. Generic (nothing DingTalk-specific): every call the adapter
 * makes — token, OpenAPI, session webhook, stream gateway — needs the same "answer or give up" behaviour,
 * because fetch has no timeout of its own and a hung call would hold an outbox slot forever.
 *
 * Redirects are never followed: a 3xx comes back as the response it is, which callers treat as a failure. A
 * session webhook URL arrives inside an unsigned callback body, and a host that answered 302/307 would
 * otherwise have us POST (with the access token header, for the OpenAPI) wherever it pointed (SSRF).
 */

export type HttpOutcome =
  /** The server answered (any status). `body` is the parsed JSON, or undefined when it was not JSON. */
  | { kind: 'response'; status: number; body: unknown; text: string }
  /**
   * No answer: connection refused/reset, DNS, or the deadline passed. `maybeDelivered` is false only when the
   * request cannot have reached the server (refused, DNS, unreachable, connect timeout, TLS); after a reset or
   * a deadline the server may have acted on it.
   */
  | { kind: 'network'; error: string; timedOut: boolean; maybeDelivered: boolean };

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
      redirect: 'manual',
    });
    const text = await res.text();
    return { kind: 'response', status: res.status, body: parseJson(text), text };
  } catch (error) {
    const timedOut = controller.signal.aborted;
    return {
      kind: 'network',
      error: timedOut ? `no answer within ${timeoutMs} ms` : describe(error),
      timedOut,
      // fetch cannot say whether our deadline passed while connecting or after the request was written, so a
      // deadline counts as "may have arrived" (the safe side for a send without an idempotency key).
      maybeDelivered: timedOut || !neverReached(error),
    };
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

/** Error codes of a request that never reached the server: nothing was written to a connection it accepted. */
const NEVER_REACHED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

function neverReached(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown; errors?: { code?: unknown }[] } })?.cause;
  if (typeof cause?.code === 'string') return NEVER_REACHED.has(cause.code);
  // Happy eyeballs: an AggregateError of one refusal per address.
  if (Array.isArray(cause?.errors) && cause.errors.length > 0) return cause.errors.every((e) => typeof e?.code === 'string' && NEVER_REACHED.has(e.code));
  return false;
}

/** undici hides the useful part ("ECONNREFUSED") in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${error.message} (${cause.code})` : cause?.message ? `${error.message}: ${cause.message}` : error.message;
}

/**
 * Logins under way: between sending the browser to the platform's login and its return, what the browser was
 * doing is kept under a random `state` (in memory: a restart only means opening the link again), bound to the
 * browser by a cookie nonce and used once. Scan-to-sign-in and the approval page both keep theirs here.
 */
import { randomBytes } from 'node:crypto';
import { sameSecret } from '../admin/auth.js';
import type { IdentityProvider, WebPlatform } from './identity.js';

/** How long a pending login waits for the platform to come back. */
export const PENDING_TTL_MS = 10 * 60_000;
/** Pending logins kept at most (a flood of starts cannot grow memory without bound). */
export const MAX_PENDING = 10_000;

export class PendingLogins<T extends { browser: string }> {
  private readonly byState = new Map<string, T & { expiresAtMs: number }>();

  constructor(private readonly realNow: () => number = Date.now) {}

  add(login: T): string {
    this.prune();
    while (this.byState.size >= MAX_PENDING) this.byState.delete(this.byState.keys().next().value!);
    const state = randomBytes(24).toString('base64url');
    this.byState.set(state, { ...login, expiresAtMs: this.realNow() + PENDING_TTL_MS });
    return state;
  }

  /** The pending login of `state` if this browser started it; it is used up either way (single use). */
  take(state: string | undefined, browser: string | undefined): (T & { expiresAtMs: number }) | null {
    if (!state) return null;
    const login = this.byState.get(state);
    if (!login) return null;
    this.byState.delete(state);
    if (login.expiresAtMs < this.realNow()) return null;
    if (!browser || !sameSecret(browser, login.browser)) return null;
    return login;
  }

  get size(): number {
    return this.byState.size;
  }

  private prune(): void {
    const now = this.realNow();
    for (const [state, login] of this.byState) if (login.expiresAtMs < now) this.byState.delete(state);
  }
}

export type LoginReturn<T> =
  | { kind: 'ok'; login: T; accountId: string }
  /** No such platform configured. */
  | { kind: 'unknown' }
  /** No pending login for this state in this browser (expired, used, or another browser's). */
  | { kind: 'stale' }
  /** The platform did not say who it is (refused, or its API failed). */
  | { kind: 'failed'; reason: string };

/**
 * The platform's return to our callback: the pending login of `state` (this browser's, once), then the account
 * behind the one-time code.
 */
export async function completeLogin<T extends { browser: string; platform: WebPlatform }>(
  input: {
    providers: ReadonlyMap<WebPlatform, IdentityProvider>;
    pending: PendingLogins<T>;
    platform: string;
    query: Record<string, string | undefined>;
    browser: string | undefined;
    redirectUri: (p: WebPlatform) => string;
  },
): Promise<LoginReturn<T>> {
  const platform = input.platform as WebPlatform;
  const provider = input.providers.get(platform);
  if (!provider) return { kind: 'unknown' };
  const login = input.pending.take(input.query.state, input.browser);
  if (!login || login.platform !== platform) return { kind: 'stale' };
  const who = await provider.identify(input.query, input.redirectUri(platform));
  if (!who.ok) return { kind: 'failed', reason: who.reason };
  return { kind: 'ok', login, accountId: who.accountId };
}

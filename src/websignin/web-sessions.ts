/**
 * People signed in to a narrow web page by their platform's web login (school leaders on the approval page),
 * as opposed to officers' console sessions. Kept in memory: a restart only means passing the platform login again,
 * which inside the Feishu or DingTalk app takes no tap. Only the SHA-256 of the cookie value is kept, each session
 * has its own CSRF token, and who the person is (roles, assignments) is read afresh on every request.
 */
import { newSecret, sha256 } from '../admin/auth.js';
import type { WebPlatform } from './identity.js';

export const WEB_SESSION_TTL_MS = 2 * 3600_000;
/** Sessions kept at most: the oldest go first. */
export const MAX_WEB_SESSIONS = 10_000;

export interface WebSession {
  teacherId: number;
  platform: WebPlatform;
  accountId: string;
  csrfToken: string;
  expiresAtMs: number;
}

export class WebSessions {
  private readonly byHash = new Map<string, WebSession>();

  constructor(private readonly realNow: () => number = Date.now) {}

  /** A new session; the returned cookie value is the only copy of its secret. */
  open(who: { teacherId: number; platform: WebPlatform; accountId: string }): { cookieValue: string; session: WebSession } {
    this.prune();
    while (this.byHash.size >= MAX_WEB_SESSIONS) this.byHash.delete(this.byHash.keys().next().value!);
    const cookieValue = newSecret();
    const session: WebSession = { ...who, csrfToken: newSecret(), expiresAtMs: this.realNow() + WEB_SESSION_TTL_MS };
    this.byHash.set(sha256(cookieValue), session);
    return { cookieValue, session };
  }

  get(cookieValue: string | undefined): WebSession | null {
    if (!cookieValue || cookieValue.length > 200) return null;
    const session = this.byHash.get(sha256(cookieValue));
    if (!session) return null;
    if (session.expiresAtMs <= this.realNow()) {
      this.byHash.delete(sha256(cookieValue));
      return null;
    }
    return session;
  }

  private prune(): void {
    const now = this.realNow();
    for (const [hash, s] of this.byHash) if (s.expiresAtMs <= now) this.byHash.delete(hash);
  }
}

import type { Logger } from '../../logger.js';

/**
 * Who the bot is in Feishu: its own open_id, learned once at start from `GET /open-apis/bot/v3/info`. A group
 * message is for the bot only when its mentions hold that open_id (an app with the sensitive "read all group
 * messages" permission receives every group message, so the platform's filter cannot be relied on).
 *
 * Learning never blocks start-up or the ack path: it runs in the background and retries with backoff while
 * Feishu is unreachable; receivers only read `openId` (one field read per message).
 */
export interface BotIdentityView {
  /** The bot's open_id once learned; null until then. */
  readonly openId: string | null;
  /**
   * FEISHU_BOT_NAME: lets group messages through while the open_id is not yet known, when the first mention
   * carries exactly this name. Unset: group messages are ignored until the open_id is known.
   */
  readonly configuredName?: string;
}

export interface BotIdentityOptions {
  baseUrl: string;
  appId: string;
  appSecret: string;
  configuredName?: string;
  logger: Logger;
  /** Backoff between attempts while Feishu is unreachable: base·2ⁿ, capped at max. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Per-request deadline. */
  timeoutMs?: number;
}

export const BOT_INFO_PATH = '/open-apis/bot/v3/info';
const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';

export class FeishuBotIdentity implements BotIdentityView {
  openId: string | null = null;
  /** The app's name as Feishu knows it (logged; the status line shows it). */
  appName: string | null = null;
  readonly configuredName?: string;
  /** Attempts made so far (tests, status). */
  attempts = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private readonly baseUrl: string;

  constructor(private readonly options: BotIdentityOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.configuredName = options.configuredName;
  }

  /** Starts learning in the background; resolves at once. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Resolves once the open_id is known (tests; never needed on the serving path). */
  async whenKnown(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.openId) {
      if (Date.now() > deadline) throw new Error('bot open_id not learned in time');
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.openId;
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    this.attempts++;
    const log = this.options.logger;
    try {
      const { openId, appName } = await this.fetchInfo();
      if (this.stopped) return;
      this.openId = openId;
      this.appName = appName;
      log.info({ openId, appName, attempts: this.attempts }, 'feishu bot identity learned');
      return;
    } catch (error) {
      if (this.stopped) return;
      const base = this.options.retryBaseMs ?? 1000;
      const max = this.options.retryMaxMs ?? 60_000;
      const delay = Math.min(max, base * 2 ** Math.min(this.attempts - 1, 20));
      log.warn(
        { err: error instanceof Error ? error.message : String(error), attempt: this.attempts, retryInMs: delay },
        'feishu bot identity unknown (GET /open-apis/bot/v3/info failed); group messages wait for it',
      );
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.attempt();
      }, delay);
      this.timer.unref();
    }
  }

  private async fetchInfo(): Promise<{ openId: string; appName: string | null }> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const tokenBody = await this.call(TOKEN_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ app_id: this.options.appId, app_secret: this.options.appSecret }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const token = tokenBody.tenant_access_token;
    if (typeof token !== 'string' || !token) throw new Error(`tenant token: code ${String(tokenBody.code)} ${String(tokenBody.msg ?? '')}`);
    const info = await this.call(BOT_INFO_PATH, {
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const bot = info.bot as { open_id?: unknown; app_name?: unknown } | undefined;
    if (info.code !== 0 || typeof bot?.open_id !== 'string' || !bot.open_id) {
      throw new Error(`bot info: code ${String(info.code)} ${String(info.msg ?? '')}`);
    }
    return { openId: bot.open_id, appName: typeof bot.app_name === 'string' ? bot.app_name : null };
  }

  private async call(path: string, init: RequestInit): Promise<Record<string, unknown>> {
    const res = await fetch(this.baseUrl + path, init);
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${path}: HTTP ${res.status}, not JSON`);
    }
    if (!res.ok || typeof body !== 'object' || body === null) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return body as Record<string, unknown>;
  }
}

import type { Client } from '@larksuiteoapi/node-sdk';
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

export interface BotInfo {
  openId: string;
  appName: string | null;
}

export interface BotIdentityOptions {
  /** One call to GET /open-apis/bot/v3/info (see `botInfoVia`); rejects when Feishu does not answer it. */
  fetchInfo: () => Promise<BotInfo>;
  configuredName?: string;
  logger: Logger;
  /** Backoff between attempts while Feishu is unreachable: base·2ⁿ, capped at max. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export const BOT_INFO_PATH = '/open-apis/bot/v3/info';

/**
 * GET /open-apis/bot/v3/info through an SDK client, which adds the tenant token from its cache: passed the
 * sender's client, learning the identity costs no token fetch of its own.
 */
export async function botInfoVia(client: Pick<Client, 'request'>): Promise<BotInfo> {
  const info = (await client.request({ method: 'GET', url: BOT_INFO_PATH })) as { code?: unknown; msg?: unknown; bot?: { open_id?: unknown; app_name?: unknown } };
  const bot = info?.bot;
  if (info?.code !== 0 || typeof bot?.open_id !== 'string' || !bot.open_id) {
    throw new Error(`bot info: code ${String(info?.code)} ${String(info?.msg ?? '')}`);
  }
  return { openId: bot.open_id, appName: typeof bot.app_name === 'string' ? bot.app_name : null };
}

export class FeishuBotIdentity implements BotIdentityView {
  openId: string | null = null;
  /** The app's name as Feishu knows it (logged; the status line shows it). */
  appName: string | null = null;
  readonly configuredName?: string;
  /** Attempts made so far (tests, status). */
  attempts = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(private readonly options: BotIdentityOptions) {
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
      const { openId, appName } = await this.options.fetchInfo();
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
        { err: describe(error), attempt: this.attempts, retryInMs: delay },
        'feishu bot identity unknown (GET /open-apis/bot/v3/info failed); group messages are ignored until it is known',
      );
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.attempt();
      }, delay);
      this.timer.unref();
    }
  }
}

/** An axios error from the SDK carries Feishu's answer; say that rather than the whole error. */
function describe(error: unknown): string {
  const e = error as { response?: { status?: number; data?: { code?: unknown; msg?: unknown } }; message?: string };
  if (e?.response) return `HTTP ${e.response.status} code ${String(e.response.data?.code)} ${String(e.response.data?.msg ?? '')}`;
  return e?.message ?? String(error);
}

import type { Hono } from 'hono';
import type { Bot } from '../bot/bot.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { RawRoute } from '../http/raw-route.js';
import type { Logger } from '../logger.js';
import type { ResourceSource } from '../declarations/evidence/source.js';
import type { Sender } from '../outbox/sender.js';

export interface AdapterDeps {
  bot: Bot;
  config: Config;
  logger: Logger;
  clock: Clock;
}

/**
 * One per platform: turns the platform's events into the bot's inbound shape (HTTP routes and/or a long
 * connection) and sends the bot's replies (a Sender). Nothing else knows a platform's wire format.
 */
export interface PlatformAdapter {
  readonly platform: string;
  readonly sender?: Sender;
  /** Downloads the files people send (evidence for 学时申报). */
  readonly resources?: ResourceSource;
  /** HTTP receivers (webhooks), served on the shared server's direct path. */
  readonly routes?: readonly RawRoute[];
  /** Other HTTP routes, mounted on the shared Hono app. */
  mount?(app: Hono): void;
  /** Opens long connections, if this adapter uses them. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** One line for the start-up banner: on/off, mode, and how to connect it. */
  status(): string;
  /**
   * Shown on /healthz under the platform's name. `eventsWaiting`: messages received but not yet stored (they
   * are being retried); /healthz adds them up so a monitor can alert on it.
   */
  health?(): { eventsWaiting?: number; [key: string]: unknown };
}

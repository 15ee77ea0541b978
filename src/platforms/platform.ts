import type { Clock } from '../clock.js';
import type { Config, SettingsSection } from '../config.js';
import type { PlatformTraits } from '../core/platform-traits.js';
import type { IdentityProvider } from '../websignin/identity.js';
import type { AdapterDeps, PlatformAdapter } from './adapter.js';

/** What the app hands a platform when it builds its adapter, besides the shared deps. */
export interface PlatformStart {
  /** Real time for what the platform timestamps (callback freshness, session-webhook expiry, send pacing). */
  transportClock?: Clock;
  /** The platform's own tuning (tests shorten backoffs), by platform id. */
  options?: unknown;
}

/**
 * One platform, as the app finds it: through the registry (registry.ts), never by its name. Everything about a
 * platform lives in its folder under src/platforms; this is the whole of what the rest of the app asks of it
 * (the layers below the adapters ask only its traits, through src/core/platform-traits.ts).
 */
export interface PlatformDefinition extends PlatformTraits {
  /** Its environment variables and what they become (its folder's settings.ts; loadConfig parses it). */
  settings: SettingsSection<unknown>;
  /** Whether the configuration turns it on (its credentials are set). */
  enabled(config: Config): boolean;
  /** Its adapter: HTTP routes (webhooks), long connections, the sender and the file downloader. */
  createAdapter(deps: AdapterDeps, start: PlatformStart): PlatformAdapter;
  /** The start-up banner's line while it is off: how to turn it on. */
  offStatus(): string;
  /** Its web login (scan-to-sign-in, the approval page), when it has one and the configuration enables it. */
  webLogin?(config: Config): IdentityProvider;
}

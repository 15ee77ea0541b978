import type { Config } from '../config.js';
import type { PlatformDefinition } from '../platforms/platform.js';
import type { IdentityProvider, WebPlatform } from '../websignin/identity.js';

/** The web logins of every registered platform the configuration enables (scan-to-sign-in and the approval page share them). */
export function webLogins(config: Config, platforms: readonly PlatformDefinition[]): Map<WebPlatform, IdentityProvider> {
  const providers = new Map<WebPlatform, IdentityProvider>();
  for (const platform of platforms) {
    if (platform.webLogin && platform.enabled(config)) providers.set(platform.id, platform.webLogin(config));
  }
  return providers;
}

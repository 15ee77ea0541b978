/**
 * Who opened a web page, by the platform's web login (OAuth authorization code): a redirect to the platform's
 * authorize page (inside the Feishu or DingTalk app it passes without a tap), back to our callback with a
 * one-time `code`, exchanged server-side for the account id our bindings use. Each platform's provider lives in
 * its folder (src/platforms/<name>/web-login.ts) and is offered through its PlatformDefinition's webLogin.
 */

/** A platform's id (see src/platforms/registry.ts) as a web login names it. */
export type WebPlatform = string;

export type Identified = { ok: true; accountId: string } | { ok: false; reason: string };

export interface IdentityProvider {
  platform: WebPlatform;
  /** The platform's own in-app browser, by its user agent (it passes the login without a tap). */
  userAgent: RegExp;
  /** The button offered in any other browser, and its style class on the page. */
  button: { label: string; className: string };
  /** Where to send the browser to log in; the platform comes back to `redirectUri` with a code and `state`. */
  authorizeUrl(redirectUri: string, state: string): string;
  /** The account id behind a callback's query parameters (the code is single use). */
  identify(query: Record<string, string | undefined>, redirectUri: string): Promise<Identified>;
}

/**
 * The login to use for a page: the one asked for (`?via=`), else the app the browser is in, else the only one
 * configured; null when the person must choose.
 */
export function chooseProvider(providers: ReadonlyMap<WebPlatform, IdentityProvider>, asked: string | undefined, userAgent: string | undefined): WebPlatform | null {
  if (asked && providers.has(asked)) return asked;
  const detected = userAgent ? [...providers.values()].find((p) => p.userAgent.test(userAgent)) : undefined;
  if (detected) return detected.platform;
  return providers.size === 1 ? [...providers.keys()][0] : null;
}

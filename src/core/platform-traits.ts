import type { Platform } from './messages.js';

/**
 * What the features and the outbox may know about a chat platform without naming it: the traits its definition
 * declares (src/platforms/<name>/platform.ts). The registry, which sits above them, declares its list here when it
 * loads and the app again when it is built, so an invitation or an address asks a trait, never `=== 'feishu'`.
 */
export interface PlatformTraits {
  /** Its name in events, bindings and outbox rows ('feishu'). */
  readonly id: string;
  /** Its cards can hold a form (inputs and selects with one submit) whose submit comes back as a command. */
  readonly supportsCardForms: boolean;
}

/** The console: on every install, so the address of last resort. */
const CONSOLE = 'console';

let declared: readonly PlatformTraits[] | null = null;

/** The platforms, in order of preference for a teacher bound on several (src/platforms/registry.ts's order). */
export function declarePlatforms(platforms: readonly PlatformTraits[]): void {
  declared = platforms;
}

function platforms(): readonly PlatformTraits[] {
  // Read before the registry loaded, every platform would look unknown: Feishu users would get plain text and a
  // teacher's address would be whichever binding came first. Fail instead (an entry point that forgot the registry).
  if (!declared) throw new Error('platform traits read before src/platforms/registry.ts was loaded');
  return declared;
}

export function supportsCardForms(platform: Platform): boolean {
  return platforms().find((p) => p.id === platform)?.supportsCardForms ?? false;
}

/**
 * Lower is preferred: the declared platforms in their order, then one that is not declared (a binding left by a
 * platform taken off the list), the console last.
 */
export function reachRank(platform: Platform): number {
  const list = platforms();
  const index = list.findIndex((p) => p.id === platform);
  if (index >= 0) return index;
  return platform === CONSOLE ? list.length + 1 : list.length;
}

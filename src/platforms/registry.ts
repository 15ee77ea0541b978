import { dingtalkPlatform } from './dingtalk/platform.js';
import { feishuPlatform } from './feishu/platform.js';
import { declarePlatforms } from '../core/platform-traits.js';
import type { PlatformDefinition } from './platform.js';

/**
 * Every chat platform the app speaks, in order of preference for a teacher bound on several. Adding one is a
 * folder under src/platforms with its PlatformDefinition and its settings.ts, one line here, and its settings
 * section's line in settings.ts (the CLI reads the environment without loading the platforms; a test checks
 * the two lists agree). (The console is not listed: it is always there, built by the app itself.)
 */
export const PLATFORMS: readonly PlatformDefinition[] = [feishuPlatform, dingtalkPlatform];

declarePlatforms(PLATFORMS);

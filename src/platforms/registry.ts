import { dingtalkPlatform } from './dingtalk/platform.js';
import { feishuPlatform } from './feishu/platform.js';
import { declarePlatforms } from '../core/platform-traits.js';
import type { PlatformDefinition } from './platform.js';

/**
 * Every chat platform the app speaks, in order of preference for a teacher bound on several. Adding one is a
 * folder under src/platforms with its PlatformDefinition, and one line here. (The console is not listed: it is
 * always there, built by the app itself.)
 */
export const PLATFORMS: readonly PlatformDefinition[] = [feishuPlatform, dingtalkPlatform];

declarePlatforms(PLATFORMS);

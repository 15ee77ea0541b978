import type { SettingsSection } from '../config.js';
import { dingtalkSettings } from './dingtalk/settings.js';
import { feishuSettings } from './feishu/settings.js';

/**
 * Every registered platform's settings section, without loading the platforms (their SDKs take seconds to load,
 * and the CLI only needs to read and check the environment). tests/platforms/registry.test.ts checks this list
 * is the registry's, in its order.
 */
export const PLATFORM_SETTINGS: readonly SettingsSection<unknown>[] = [feishuSettings, dingtalkSettings];

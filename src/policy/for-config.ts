import { policyText } from '../bot/i18n/zh-CN.policy.js';
import { ConfigError, type Config } from '../config.js';
import { loadPresets } from './presets.js';
import type { PolicyPreset } from './schema.js';

/** The bundled presets, checked against DEFAULT_POLICY so a typo stops start-up with the variable's name. */
export function loadPresetsFor(config: Config): ReadonlyMap<string, PolicyPreset> {
  const presets = loadPresets();
  if (!presets.has(config.DEFAULT_POLICY)) {
    throw new ConfigError(
      policyText.configError(JSON.stringify(config.DEFAULT_POLICY), [...presets.keys()]),
    );
  }
  return presets;
}

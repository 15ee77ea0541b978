import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PolicyPresetSchema, normaliseCategory, type PolicyPreset } from './schema.js';

export { normaliseCategory };
export type { PolicyPreset };

const DEFAULT_DIR = new URL('./presets/', import.meta.url);

/** Validate one preset; the error names its origin and every failing path so a bad edit is easy to find. */
export function parsePreset(raw: unknown, origin: string): PolicyPreset {
  const result = PolicyPresetSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new Error(`Invalid policy preset ${origin}:\n${lines.join('\n')}`);
}

/** Read and validate every *.json preset in `dir`. Synchronous: it runs once at startup. */
export function loadPresets(dir: string | URL = DEFAULT_DIR): Map<string, PolicyPreset> {
  const path = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const presets = new Map<string, PolicyPreset>();
  const files = readdirSync(path).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(path, file), 'utf8'));
    } catch (err) {
      throw new Error(`Invalid policy preset ${file}: ${(err as Error).message}`);
    }
    const preset = parsePreset(raw, file);
    // The file name is the id other modules store (teacher.policyId); keep them in step.
    if (preset.id !== basename(file, '.json')) {
      throw new Error(`Invalid policy preset ${file}:\n  id: "${preset.id}" does not match the file name`);
    }
    presets.set(preset.id, preset);
  }
  return presets;
}

let defaults: Map<string, PolicyPreset> | null = null;

/** Preset from the bundled directory, loaded on first use. */
export function getPreset(id: string): PolicyPreset | undefined {
  defaults ??= loadPresets();
  return defaults.get(id);
}

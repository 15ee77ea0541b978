/**
 * The 政策 column of a roster names a preset by its id (`liuzhou`, any case) or by the region's Chinese
 * name as officers write it (柳州市, 柳州, …: a preset's `name` and `regionNames`). Rules are data: the names
 * come from the presets, not from here.
 */
import type { PolicyPreset } from '../policy/schema.js';
import { importText } from '../bot/i18n/zh-CN.import.js';

type Named = Pick<PolicyPreset, 'id' | 'name'> & { regionNames?: readonly string[] };

const key = (v: string) => v.normalize('NFKC').replace(/\s+/gu, '').toLowerCase();

export interface PolicyNames {
  /** The preset id a 政策 cell names, or null. */
  resolve(cell: string): string | null;
  /** What to tell an officer the column may hold: 来宾市、柳州市，或 laibin、liuzhou */
  choices: string;
}

export function policyNames(presets: Iterable<Named>): PolicyNames {
  const byKey = new Map<string, string>();
  const names: string[] = [];
  const ids: string[] = [];
  for (const p of presets) {
    for (const name of [p.id, p.name, ...(p.regionNames ?? [])]) {
      const k = key(name);
      if (!byKey.has(k)) byKey.set(k, p.id); // a name two presets share names the first
    }
    ids.push(p.id);
    if (p.name !== p.id) names.push(p.name);
  }
  return { resolve: (cell) => byKey.get(key(cell)) ?? null, choices: importText.policyChoices(names, ids) };
}

/** Ids only (rules tests, callers without presets at hand). */
export function policyIdsOnly(ids: Iterable<string>): PolicyNames {
  return policyNames([...ids].map((id) => ({ id, name: id })));
}

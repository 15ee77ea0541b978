import type { Db } from '../../db/client.js';
import { isHeadOfSchool } from '../ledger/roles.js';
import { leaderIds, rosterForAudience } from './store.js';

export type BroadcastRole = 'leader' | 'homeroom' | 'principal';

/** Who a broadcast is for; stored as JSON in `broadcasts.audience`. Schools and roles together mean both must hold. */
export interface BroadcastAudience {
  all?: true;
  schools?: string[];
  roles?: BroadcastRole[];
}

const ROLE_WORDS: Record<string, BroadcastRole> = {
  leaders: 'leader',
  leader: 'leader',
  负责人: 'leader',
  学校负责人: 'leader',
  校领导: 'leader',
  班主任: 'homeroom',
  homeroom: 'homeroom',
  校长: 'principal',
  园长: 'principal',
  校园长: 'principal',
  principals: 'principal',
  principal: 'principal',
};

const ALL_WORDS = new Set(['全部', '所有人', '全体', '全体教师', 'all']);

export type AudienceProblem =
  | { kind: 'missing' }
  | { kind: 'unknownRoles'; roles: string[] }
  | { kind: 'emptyList'; what: 'schools' | 'roles' };

const LIST_SPLIT = /[,，、;；]+/;

/** "学校：一中，二中" → ["学校", "一中,二中"]: full-width punctuation is how people type on phones. */
function splitToken(token: string): [string, string] | null {
  const m = /^(学校|角色|对象|school|schools|role|roles)[:：=](.*)$/i.exec(token);
  return m ? [m[1].toLowerCase(), m[2]] : null;
}

/** Reads the audience words at the start of `words`; returns the audience and how many words it used. */
export function parseAudience(words: readonly string[]): { ok: true; audience: BroadcastAudience; used: number } | { ok: false; problem: AudienceProblem } {
  const audience: BroadcastAudience = {};
  let used = 0;
  for (const word of words.slice(0, 2)) {
    if (ALL_WORDS.has(word.toLowerCase()) && used === 0) {
      audience.all = true;
      used++;
      break;
    }
    const parts = splitToken(word);
    if (!parts) break;
    const [kind, value] = parts;
    const items = value.split(LIST_SPLIT).map((s) => s.trim()).filter(Boolean);
    if (kind === '学校' || kind === 'school' || kind === 'schools') {
      if (audience.schools) break;
      if (items.length === 0) return { ok: false, problem: { kind: 'emptyList', what: 'schools' } };
      audience.schools = [...new Set(items)];
    } else if (kind === '对象' && items.length === 1 && ALL_WORDS.has(items[0].toLowerCase())) {
      audience.all = true;
      used++;
      break;
    } else {
      if (audience.roles) break;
      if (items.length === 0) return { ok: false, problem: { kind: 'emptyList', what: 'roles' } };
      const unknown = items.filter((r) => !ROLE_WORDS[r.toLowerCase()]);
      if (unknown.length > 0) return { ok: false, problem: { kind: 'unknownRoles', roles: unknown } };
      audience.roles = [...new Set(items.map((r) => ROLE_WORDS[r.toLowerCase()]))];
    }
    used++;
  }
  if (used === 0) return { ok: false, problem: { kind: 'missing' } };
  return { ok: true, audience, used };
}

export function parseStoredAudience(json: string): BroadcastAudience {
  try {
    return JSON.parse(json) as BroadcastAudience;
  } catch {
    return {};
  }
}

/** Teachers the audience covers, by id, in roster order. Unknown schools are the caller's to refuse first. */
export async function resolveRecipients(db: Db, audience: BroadcastAudience): Promise<number[]> {
  const schools = audience.schools ? new Set(audience.schools) : null;
  const wanted = audience.roles ? new Set(audience.roles) : null;
  if (!audience.all && !schools && !wanted) return [];
  const rows = await rosterForAudience(db);
  const leaders = wanted?.has('leader') ? await leaderIds(db) : new Set<number>();
  return rows
    .filter((t) => !schools || schools.has(t.school))
    .filter(
      (t) =>
        !wanted ||
        (wanted.has('leader') && leaders.has(t.id)) ||
        (wanted.has('homeroom') && t.homeroom) ||
        (wanted.has('principal') && isHeadOfSchool(t.position)),
    )
    .map((t) => t.id);
}

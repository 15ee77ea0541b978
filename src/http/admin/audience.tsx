/** @jsxImportSource hono/jsx */
/**
 * Who a message goes to, as an officer picks it on the console: everyone, some schools, or some roles (学校负责人,
 * 班主任, 校长). Broadcasts and needs surveys share the picker and its reading, so both accept the same audiences.
 */
import type { Db } from '../../../db/client.js';
import type { BroadcastAudience, BroadcastRole } from '../../broadcasts/audience.js';
import { listSchools } from '../../deadlines/store.js';
import { Choices, Field } from './components.js';
import { a } from './context.js';

const m = a.broadcasts;
const ROLES: BroadcastRole[] = ['leader', 'homeroom', 'principal'];

/** The audience fields: `audience` (all | schools | roles), `schools` (typed, comma separated), `roles` (ticked). */
export function AudiencePicker(props: { values: Record<string, string> }) {
  const v = props.values;
  const kind = v.audience || 'all';
  const roles = new Set((v.roles ?? '').split(',').filter(Boolean));
  return (
    <Field label={m.audience} group>
      <Choices
        name="audience"
        options={[
          ['all', m.all],
          ['schools', m.schools],
          ['roles', m.roles],
        ]}
        checked={[kind]}
      />
      <div data-show-when="audience=schools">
        <input type="text" name="schools" value={v.schools ?? ''} placeholder={m.schoolsHint} />
      </div>
      <Choices type="checkbox" name="roles" options={ROLES.map((r) => [r, m.roleNames[r]] as const)} checked={roles} showWhen="audience=roles" />
    </Field>
  );
}

/** Reads the picker's fields; schools must be on the roster. The refusal is the sentence to show above the form. */
export async function readAudience(db: Db, form: Record<string, string>): Promise<{ ok: true; audience: BroadcastAudience } | { ok: false; error: string }> {
  if (form.audience === 'schools') {
    const wanted = [...new Set((form.schools ?? '').split(/[,，、;；\s]+/).map((s) => s.trim()).filter(Boolean))];
    if (wanted.length === 0) return { ok: false, error: m.errors.noAudience };
    const known = new Set(await listSchools(db));
    const unknown = wanted.filter((s) => !known.has(s));
    if (unknown.length) return { ok: false, error: m.errors.unknownSchools(unknown) };
    return { ok: true, audience: { schools: wanted } };
  }
  if (form.audience === 'roles') {
    const roles = (form.roles ?? '').split(',').filter((r): r is BroadcastRole => (ROLES as string[]).includes(r));
    if (roles.length === 0) return { ok: false, error: m.errors.noRoles };
    return { ok: true, audience: { roles } };
  }
  if (form.audience === 'all') return { ok: true, audience: { all: true } };
  return { ok: false, error: m.errors.noAudience };
}

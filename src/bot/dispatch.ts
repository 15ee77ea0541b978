import type { z } from 'zod';
import type { Messages } from './i18n/index.js';
import type { Reply } from '../core/messages.js';
import type { Caller } from '../ledger/caller.js';
import type { Role } from '../ledger/roles.js';

/** What reading a command's arguments needs from its declaration. */
export interface ArgsDeclaration<S extends z.ZodType> {
  positional: readonly string[];
  restIsText?: boolean;
  args: S;
}

/** Maps the words after a command name onto its declared positional names, then validates with its schema. */
export function parseArgs<S extends z.ZodType>(
  command: ArgsDeclaration<S>,
  argText: string,
): { ok: true; value: z.infer<S> } | { ok: false; problem: string | null } {
  const words = argText.split(' ').filter(Boolean);
  const raw: Record<string, string> = {};
  command.positional.forEach((name, i) => {
    const isLast = i === command.positional.length - 1;
    const value = isLast && command.restIsText ? words.slice(i).join(' ') : words[i];
    if (value !== undefined && value !== '') raw[name] = value;
  });
  const parsed = command.args.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problem: parsed.error.issues[0]?.message ?? null };
}

/** The answer to a caller a command's roles do not admit: first bind, or which roles it needs. */
export function refusal(t: Messages, caller: Caller, command: string, roles: readonly Role[]): Reply {
  if (!caller.teacher) return { text: t.errors.notBound };
  return { text: t.errors.forbidden(command, [...roles]) };
}

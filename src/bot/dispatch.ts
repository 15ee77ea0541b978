import type { Command, CommandContext } from './command.js';
import type { Reply } from '../core/messages.js';

/** Maps the words after a command name onto its declared positional names, then validates with its schema. */
export function parseArgs(command: Command, argText: string): { ok: true; value: unknown } | { ok: false; problem: string | null } {
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

/** Permission is data on the command, checked here once, not inside each handler. */
export function runCommand(command: Command, ctx: CommandContext, argText: string): Reply {
  const { t, caller } = ctx;
  if (command.allow !== 'anyone') {
    if (!caller.teacher) return { text: t.errors.notBound };
    if (!command.allow.some((role) => caller.roles.has(role))) return { text: t.errors.forbidden(command.name, [...command.allow]) };
  }
  const args = parseArgs(command, argText);
  if (!args.ok) return { text: t.errors.badArgs(command.help(t).usage, args.problem ?? t.errors.argsInvalid) };
  return command.run(ctx, args.value);
}

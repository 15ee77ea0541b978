import type { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Db } from '../../db/client.js';
import type { PolicyPreset } from '../policy/schema.js';
import type { Messages } from './i18n/index.js';
import type { IncomingMessage, Reply } from '../core/messages.js';
import { holdsRole, type BoundCaller, type Caller, type CallerWithRole } from '../ledger/caller.js';
import type { Role } from '../ledger/roles.js';

export type PresetRegistry = ReadonlyMap<string, PolicyPreset>;

/** What issuing a 学时证明 from chat needs (office name, seal, verify base URL, where attachments are stored). */
export interface CertificateServices {
  officeName: string;
  sealPath?: string;
  baseUrl: string;
  filesDir: string;
}

export interface BotServices {
  /** Absent where certificates are not set up (then 学时证明 answers that it is unavailable). */
  certificates?: CertificateServices;
  db: Db;
  clock: Clock;
  presets: PresetRegistry;
  timeZone: string;
  defaultPolicy: string;
}

/** What a handler gets. `C` is the caller its command's `allow` admits (see CallerAllowedBy). */
export interface CommandContext<C extends Caller = Caller> extends BotServices {
  caller: C;
  message: IncomingMessage | null;
  t: Messages;
  /** Beijing (config TIMEZONE) calendar date of now. */
  today: string;
}

/** Who may run a command: 'anyone' also lets unbound accounts in (bind, help); a role list needs a bound caller holding one. */
export type Allow = 'anyone' | readonly Role[];

/**
 * The caller a handler sees, typed by its command's `allow`: any account for 'anyone'; otherwise one caller type
 * per admitted role (['officer'] gives an OfficerCaller, ['leader', 'officer'] a LeaderCaller | OfficerCaller that
 * the handler narrows with isLeader / isOfficer).
 */
export type CallerAllowedBy<A extends Allow> = A extends 'anyone' ? Caller : A extends readonly (infer R extends Role)[] ? CallerWithRole<R> : never;

/** Whether `allow` lets this caller run the command; narrows the caller to what the handler is typed for. */
export function admits<A extends Allow>(allow: A, caller: Caller): caller is CallerAllowedBy<A> & Caller {
  if (allow === 'anyone') return true;
  return allow.some((role) => holdsRole(caller, role));
}

export interface CommandHelp {
  summary: string;
  usage: string;
}

/** What an example may use: the text catalogue and a date still ahead of today (so no example shows a past day). */
export interface ExampleContext {
  t: Messages;
  today: string;
  /** A date ahead of today, YYYY-MM-DD. */
  date: string;
}

/** What a command file declares, whatever its arguments and callers: the part the router, help and intents read. */
interface CommandShape {
  name: string;
  aliases: readonly string[];
  help: (t: Messages) => CommandHelp;
  /** One realistic way to run it, shown by 帮助 (dates from ExampleContext, never in the past). */
  example?: (x: ExampleContext) => string;
  /** Names for the positional words, in order; the last one takes the rest of the line when `restIsText`. */
  positional: readonly string[];
  restIsText?: boolean;
  /** Replies carry personal numbers: in a group the bot answers by direct message instead. */
  personal?: boolean;
  /** Hidden from the help list (e.g. console-only helpers). */
  hidden?: boolean;
  /**
   * Makes this the command that takes the answers of a step-by-step form (the 学时申报 wizard). While `isOpen`
   * for the caller, every message comes here whole (text as the argument, attachments on ctx.message), except
   * one that starts with another command's name: that command runs, and `keptNote` is added to its reply.
   * Only a bound caller can have a form open.
   */
  conversation?: {
    isOpen(db: Db, caller: BoundCaller): boolean | Promise<boolean>;
    /** Added to another command's reply while the form is open (null: nothing to add, e.g. its own start command). */
    keptNote(ctx: CommandContext<BoundCaller>, other: Command): string | null | Promise<string | null>;
  };
}

/**
 * A chat command, declared rather than parsed by hand: its names, its arguments (positional words mapped
 * to a zod schema), who may run it, and a handler returning a Reply (or a promise of one: store calls are async).
 * The handler runs inside the event's transaction (`ctx.db` is its handle): the effect, the reply and marking the
 * event done commit together, so it does no network I/O (downloads and sends belong to the workers). The
 * handler's caller is typed by `allow`: a command for roles gets a bound caller, so it never needs `teacher!`.
 */
export interface CommandDeclaration<S extends z.ZodType, A extends Allow> extends CommandShape {
  args: S;
  allow: A;
  run(ctx: CommandContext<CallerAllowedBy<A>>, args: z.infer<S>): Reply | Promise<Reply>;
}

/**
 * A command as the registry holds it, its argument and caller types sealed inside `invoke` (built by
 * defineCommand), so a list of commands needs no casts.
 */
export interface Command extends CommandShape {
  args: z.ZodType;
  allow: Allow;
  /** Checks `allow` (refusing in the caller's words), reads the arguments, and only then runs the handler. */
  invoke(ctx: CommandContext, argText: string): Promise<Reply>;
}

export function defineCommand<S extends z.ZodType, const A extends Allow>(declaration: CommandDeclaration<S, A>): Command {
  const { run, ...shape } = declaration;
  return {
    ...shape,
    async invoke(ctx, argText) {
      const { caller, t } = ctx;
      if (!admits(declaration.allow, caller)) return refusal(t, caller, declaration.name, declaration.allow === 'anyone' ? [] : declaration.allow);
      const args = parseArgs(declaration, argText);
      if (!args.ok) return { text: t.errors.badArgs(declaration.help(t).usage, args.problem ?? t.errors.argsInvalid) };
      return run({ ...ctx, caller }, args.value);
    },
  };
}

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

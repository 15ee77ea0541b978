import type { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Db } from '../../db/client.js';
import type { PolicyPreset } from '../policy/schema.js';
import type { Messages } from './i18n/index.js';
import type { IncomingMessage, Reply } from '../core/messages.js';
import type { Caller } from '../ledger/caller.js';
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

export interface CommandContext extends BotServices {
  caller: Caller;
  message: IncomingMessage | null;
  t: Messages;
  /** Beijing (config TIMEZONE) calendar date of now. */
  today: string;
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

/**
 * A chat command, declared rather than parsed by hand: its names, its arguments (positional words mapped
 * to a zod schema), who may run it, and a handler returning a Reply. Handlers are synchronous on purpose:
 * the effect, the reply and marking the event done commit in one SQLite transaction.
 */
export interface Command<S extends z.ZodType = z.ZodType> {
  name: string;
  aliases: readonly string[];
  help: (t: Messages) => CommandHelp;
  /** One realistic way to run it, shown by 帮助 (dates from ExampleContext, never in the past). */
  example?: (x: ExampleContext) => string;
  /** Names for the positional words, in order; the last one takes the rest of the line when `restIsText`. */
  positional: readonly string[];
  restIsText?: boolean;
  args: S;
  /** 'anyone' also lets unbound accounts run it (bind, help). Otherwise the caller must be bound and hold one of the roles. */
  allow: 'anyone' | readonly Role[];
  /** Replies carry personal numbers: in a group the bot answers by direct message instead. */
  personal?: boolean;
  /** Hidden from the help list (e.g. console-only helpers). */
  hidden?: boolean;
  /**
   * Makes this the command that takes the answers of a step-by-step form (the 学时申报 wizard). While `isOpen`
   * for the caller, every message comes here whole (text as the argument, attachments on ctx.message), except
   * one that starts with another command's name: that command runs, and `keptNote` is added to its reply.
   */
  conversation?: {
    isOpen(db: Db, caller: Caller): boolean;
    /** Added to another command's reply while the form is open (null: nothing to add, e.g. its own start command). */
    keptNote(ctx: CommandContext, other: Command): string | null;
  };
  run(ctx: CommandContext, args: z.infer<S>): Reply;
}

export function defineCommand<S extends z.ZodType>(command: Command<S>): Command<S> {
  return command;
}

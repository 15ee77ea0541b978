import { z } from 'zod';
import { admits, defineCommand, type Command } from '../src/bot/command.js';
import type { Caller } from '../src/ledger/caller.js';
import { addDays } from '../src/policy/dates.js';

/** The date examples use: a month ahead of today, so an example never shows a day gone by. */
export function exampleDate(today: string): string {
  return addDays(today, 30);
}

/** Exactly what this caller may run: an unbound account only what needs no binding (bind, help). */
export function mayRun(command: Command, caller: Caller): boolean {
  return admits(command.allow, caller);
}

/** Help is generated from the command declarations, filtered to what the caller may run, each with one example. */
export function createHelpCommand(all: () => readonly Command[]) {
  return defineCommand({
    name: '帮助',
    aliases: ['help', '菜单', '命令'],
    help: (t) => t.commands.help,
    example: (x) => x.t.words.examples.help(),
    positional: [],
    args: z.object({}),
    allow: 'anyone',
    run({ t, caller, today }) {
      const x = { t, today, date: exampleDate(today) };
      const lines = all()
        .filter((c) => !c.hidden && mayRun(c, caller))
        .map((c) => {
          const h = c.help(t);
          return t.help.line(h.usage, h.summary, c.example?.(x));
        });
      const footer = caller.teacher ? t.help.footer : t.help.unbound;
      return { text: [t.help.header, ...lines, footer].join('\n') };
    },
  });
}

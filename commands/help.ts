import { z } from 'zod';
import { defineCommand, type Command } from '../src/bot/command.js';

/** Help is generated from the command declarations, filtered to what the caller may run. */
export function createHelpCommand(all: () => readonly Command[]) {
  return defineCommand({
    name: '帮助',
    aliases: ['help', '菜单', '命令'],
    help: (t) => t.commands.help,
    positional: [],
    args: z.object({}),
    allow: 'anyone',
    run({ t, caller }) {
      const visible = all().filter(
        (c) => !c.hidden && (c.allow === 'anyone' || c.allow.some((role) => caller.roles.has(role)) || (!caller.teacher && c.allow.includes('teacher'))),
      );
      const lines = visible.map((c) => {
        const h = c.help(t);
        return t.help.line(h.usage, h.summary);
      });
      return { text: [t.help.header, ...lines, t.help.footer].join('\n') };
    },
  });
}

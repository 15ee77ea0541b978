import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';

export default defineCommand({
  name: '我是谁',
  aliases: ['whoami'],
  help: (t) => t.commands.whoami,
  example: (x) => x.t.words.examples.whoami(),
  positional: [],
  args: z.object({}),
  allow: ['teacher'],
  personal: true,
  run({ t, caller }) {
    const me = caller.teacher;
    const roles = t.whoami.roleList([...caller.roles].map((r) => t.whoami.roleNames[r] ?? r));
    return { text: t.whoami.bound(me.name, me.employeeNo, me.school, roles) };
  },
});

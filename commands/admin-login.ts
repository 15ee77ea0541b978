import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { issueLoginLink, LOGIN_LINK_TTL_MS } from '../src/admin/auth.js';

/**
 * 后台 — officers: a one-time link to the web console (valid 10 minutes, single use). Personal: in a group the
 * link goes by direct message, never into the group.
 */
export default defineCommand({
  name: '后台',
  aliases: ['admin', '管理后台', '登录后台'],
  help: (t) => t.admin.command.help,
  example: (x) => x.t.words.examples.adminLogin(),
  positional: [],
  args: z.object({}),
  allow: ['officer'],
  personal: true,
  async run(ctx) {
    const { t, db, caller } = ctx;
    const link = await issueLoginLink(db, caller.teacher, ctx.clock.now());
    return { text: t.admin.command.link(link.url, LOGIN_LINK_TTL_MS / 60_000) };
  },
});

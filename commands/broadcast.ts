import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { parseAudience } from '../src/broadcasts/audience.js';
import { audienceText, bodyFromRaw, previewReply } from '../src/broadcasts/commands.js';
import { createPreview, MAX_BROADCAST_CHARS } from '../src/broadcasts/broadcasts.js';
import { listSchools } from '../src/deadlines/store.js';

/**
 * 发布通知 <对象> <正文> — officers. 对象: 全部 | 学校:一中,二中 | 角色:leaders,班主任,校长 (学校 and 角色 may be
 * combined). Nothing is sent here: the reply is a preview with the exact recipient count and the way to confirm.
 */
export default defineCommand({
  name: '发布通知',
  aliases: ['broadcast', '群发通知', '发通知'],
  help: (t) => t.broadcasts.help.publish,
  example: (x) => x.t.words.examples.broadcast(),
  positional: ['text'],
  restIsText: true,
  args: z.object({ text: z.string().default('') }),
  allow: ['officer'],
  async run(ctx, { text }) {
    const { t, db, caller } = ctx;
    const m = t.broadcasts.publish;
    const usage = t.broadcasts.help.publish.usage;
    const words = text.split(' ').filter(Boolean);
    const parsed = parseAudience(words);
    if (!parsed.ok) {
      const p = parsed.problem;
      if (p.kind === 'unknownRoles') return { text: m.unknownRoles(p.roles) };
      return { text: t.errors.badArgs(usage, p.kind === 'missing' ? m.missingAudience : m.emptyList(p.what)) };
    }
    const { audience, used } = parsed;
    const body = bodyFromRaw(ctx.message?.text ?? null, used, words.slice(used).join(' '));
    if (!body) return { text: t.errors.badArgs(usage, m.emptyText) };
    const length = [...body].length;
    if (length > MAX_BROADCAST_CHARS) return { text: m.tooLong(length, MAX_BROADCAST_CHARS) };
    if (audience.schools) {
      const known = await listSchools(db);
      const unknown = audience.schools.filter((s) => !known.includes(s));
      if (unknown.length > 0) return { text: m.unknownSchools(unknown, known) };
    }
    const requestedVia = caller.platform === 'cli' ? null : { platform: caller.platform, accountId: caller.accountId };
    const { broadcast, count } = await createPreview(db, {
      text: body,
      audience,
      ownerTeacherId: caller.teacher.id,
      requestedVia,
      now: ctx.clock.now(),
    });
    return previewReply(t, broadcast.id, audienceText(t, audience), body, count);
  },
});

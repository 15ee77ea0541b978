import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { cancelBroadcast } from '../src/broadcasts/broadcasts.js';
import { latestPreviewOf, parseBroadcastId } from '../src/broadcasts/commands.js';

/** 取消发布 <id> — drops a preview; a broadcast already sending cannot be recalled. */
export default defineCommand({
  name: '取消发布',
  aliases: ['cancel-broadcast', '取消通知'],
  help: (t) => t.broadcasts.help.cancel,
  example: (x) => x.t.words.examples.broadcastCancel(),
  positional: ['id'],
  args: z.object({ id: z.string().optional() }),
  allow: ['officer'],
  async run(ctx, { id }) {
    const { t, db, caller } = ctx;
    const m = t.broadcasts.cancel;
    const broadcastId = id === undefined ? await latestPreviewOf(db, caller.teacher.id, ctx.clock.now().getTime()) : parseBroadcastId(id);
    if (broadcastId === null) return { text: id === undefined ? m.nothing : t.errors.badArgs(t.broadcasts.help.cancel.usage, t.broadcasts.confirm.badId(id)) };
    const outcome = await cancelBroadcast(db, broadcastId, caller.teacher.id);
    return { text: m[outcome](broadcastId) };
  },
});

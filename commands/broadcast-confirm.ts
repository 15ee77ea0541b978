import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { getBroadcast } from '../src/broadcasts/store.js';
import { broadcastReply, confirmBroadcast, dueNow } from '../src/broadcasts/broadcasts.js';
import { latestPreviewOf, parseBroadcastId } from '../src/broadcasts/commands.js';

/** 确认发布 <id> — the only step that sends: one outbox row per bound recipient, once. */
export default defineCommand({
  name: '确认发布',
  aliases: ['confirm-broadcast', '确认通知'],
  help: (t) => t.broadcasts.help.confirm,
  example: (x) => x.t.words.examples.broadcastConfirm(),
  positional: ['id'],
  args: z.object({ id: z.string().optional() }),
  allow: ['officer'],
  async run(ctx, { id }) {
    const { t, db, caller } = ctx;
    const m = t.broadcasts.confirm;
    const me = caller.teacher;
    const broadcastId = id === undefined ? await latestPreviewOf(db, me.id, ctx.clock.now().getTime()) : parseBroadcastId(id);
    if (broadcastId === null) return { text: id === undefined ? m.nothingToConfirm : t.errors.badArgs(t.broadcasts.help.confirm.usage, m.badId(id)) };
    const row = await getBroadcast(db, broadcastId);
    if (!row) return { text: m.notFound(broadcastId) };
    const outcome = await confirmBroadcast(db, {
      id: broadcastId,
      teacherId: me.id,
      now: ctx.clock.now(),
      sendAt: dueNow(ctx.clock),
      reply: broadcastReply(t, row.text, me.name, ctx.today),
    });
    switch (outcome.kind) {
      case 'started':
        return { text: m.started(broadcastId, outcome.count.total, outcome.count.bound, outcome.count.unbound) };
      case 'alreadySending':
        return { text: m.alreadySending(broadcastId) };
      case 'cancelled':
        return { text: m.cancelled(broadcastId) };
      case 'expired':
        return { text: m.expired(broadcastId) };
      case 'notOwner':
        return { text: m.notOwner(broadcastId) };
      case 'notFound':
        return { text: m.notFound(broadcastId) };
    }
  },
});

import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { broadcastProgress } from '../src/broadcasts/broadcasts.js';
import { latestBroadcastOf, parseBroadcastId } from '../src/broadcasts/commands.js';
import { progressReply } from '../src/broadcasts/report.js';

/** 通知进度 <id> — 已发送 n/N, delivered, failed (with reasons), not bound, pending. */
export default defineCommand({
  name: '通知进度',
  aliases: ['broadcast-status', '发送进度'],
  help: (t) => t.broadcasts.help.progress,
  example: (x) => x.t.words.examples.broadcastProgress(),
  positional: ['id'],
  args: z.object({ id: z.string().optional() }),
  allow: ['officer'],
  async run(ctx, { id }) {
    const { t, db, caller } = ctx;
    const broadcastId = id === undefined ? await latestBroadcastOf(db, caller.teacher.id) : parseBroadcastId(id);
    if (broadcastId === null) return { text: id === undefined ? t.broadcasts.progress.none : t.errors.badArgs(t.broadcasts.help.progress.usage, t.broadcasts.confirm.badId(id)) };
    const progress = await broadcastProgress(db, broadcastId);
    if (!progress) return { text: t.broadcasts.confirm.notFound(broadcastId) };
    return progressReply(t, progress);
  },
});

import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { SMALLTALK_COMMAND } from '../src/bot/intents.js';

/**
 * 谢谢 / 好的 / 辛苦了: the intents route small talk here with its kind ("thanks", "ok", …). A short friendly
 * answer for anyone, bound or not, and never figures.
 */
export default defineCommand({
  name: SMALLTALK_COMMAND,
  aliases: ['smalltalk'],
  help: (t) => t.words.smalltalk,
  positional: ['kind'],
  restIsText: true,
  args: z.object({ kind: z.string().optional() }),
  allow: 'anyone',
  hidden: true,
  run({ t }, { kind }) {
    const replies = t.words.smalltalk.replies;
    return { text: replies[kind ?? 'ok'] ?? replies.ok };
  },
});

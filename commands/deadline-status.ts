import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { choicesText, findDeadline, overviewText, statusText } from '../src/deadlines/service.js';
import { activeDeadlines } from '../src/deadlines/store.js';

/** 报送情况 <事项> — officers: which schools filed and which did not. Without an argument: every open deadline. */
export default defineCommand({
  name: '报送情况',
  aliases: ['filings', '报送进度'],
  help: (t) => t.deadlines.help.status,
  example: (x) => x.t.words.examples.deadlineStatus(),
  positional: ['query'],
  restIsText: true,
  args: z.object({ query: z.string().default('') }),
  allow: ['officer'],
  async run(ctx, { query }) {
    const { t, db, timeZone } = ctx;
    const now = ctx.clock.now();
    if (!query) return { text: await overviewText(db, t, await activeDeadlines(db, now), now, timeZone) };
    const match = await findDeadline(db, query);
    if (match.kind === 'none') return { text: t.deadlines.match.notFound(query) };
    if (match.kind === 'many') return { text: choicesText(t, query, match, timeZone) };
    return { text: await statusText(db, t, match.deadline, now, timeZone) };
  },
});

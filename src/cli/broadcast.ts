/**
 * `npm run cli -- broadcast …`: what an officer's broadcast did.
 *   broadcast status <编号> [--json]   已发送 n/N, delivered, failed (with reasons), not bound, pending
 *   broadcast list                     recent broadcasts
 */
// Loads the platforms' traits (card forms, preference), which the chat messages queued here are built with.
import '../platforms/registry.js';
import type { Db } from '../../db/client.js';
import { messagesFor } from '../bot/i18n/index.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { broadcastProgress } from '../broadcasts/broadcasts.js';
import { parseBroadcastId } from '../broadcasts/commands.js';
import { progressLines } from '../broadcasts/report.js';
import { recentBroadcasts } from '../broadcasts/store.js';
import { EXIT, loadApp, withDatabase, type CliIo } from './context.js';

export const BROADCAST_USAGE = cliText.usage.broadcast;

export interface BroadcastCliDeps {
  db: Db;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export async function runBroadcastCli(argv: string[], deps: BroadcastCliDeps): Promise<number> {
  const t = messagesFor('zh-CN');
  const out = (s: string) => deps.stdout.write(`${s}\n`);
  const fail = (s: string) => {
    deps.stderr.write(`${s}\n`);
    return EXIT.badInput;
  };
  const [sub, ...rest] = argv;
  const json = rest.includes('--json');
  const args = rest.filter((a) => a !== '--json');
  switch (sub) {
    case 'status': {
      if (args.length !== 1) return fail(cliText.usageLine(BROADCAST_USAGE));
      const id = parseBroadcastId(args[0]);
      if (id === null) return fail(cliText.withUsage(t.broadcasts.confirm.badId(args[0]), BROADCAST_USAGE));
      const progress = await broadcastProgress(deps.db, id);
      if (!progress) return fail(t.broadcasts.confirm.notFound(id));
      out(json ? JSON.stringify(progress) : progressLines(t, progress).join('\n'));
      return EXIT.ok;
    }
    case 'list': {
      const rows = await recentBroadcasts(deps.db, 20);
      if (json) {
        out(JSON.stringify(rows.map((r) => ({ id: r.id, status: r.status, recipientCount: r.recipientCount, createdAt: r.createdAt, confirmedAt: r.confirmedAt, text: r.text }))));
        return EXIT.ok;
      }
      if (rows.length === 0) out(cliText.broadcast.none);
      for (const r of rows) {
        const excerpt = r.text.length > 30 ? `${r.text.slice(0, 30)}…` : r.text;
        const status = cliText.broadcast.status[r.status === 'sending' || r.status === 'preview' ? r.status : 'cancelled'];
        out(cliText.broadcast.line(r.id, status, r.recipientCount, excerpt.replace(/\n/g, ' ')));
      }
      return EXIT.ok;
    }
    case undefined:
    case 'help':
    case '--help':
      (sub ? deps.stdout : deps.stderr).write(`${cliText.usageLine(BROADCAST_USAGE)}\n`);
      return sub ? EXIT.ok : EXIT.badInput;
    default:
      return fail(cliText.withUsage(cliText.badSubcommand(sub), BROADCAST_USAGE));
  }
}

/** The entry src/cli/main.ts loads: `broadcast: async () => (await import('./broadcast.js')).broadcastCommand`. */
export async function broadcastCommand(args: string[], io: CliIo): Promise<number> {
  const app = loadApp(io);
  return withDatabase(app.config, (db) => runBroadcastCli(args, { db, stdout: io.stdout, stderr: io.stderr }));
}

/**
 * `npm run cli -- broadcast …`: what an officer's broadcast did.
 *   broadcast status <编号> [--json]   已发送 n/N, delivered, failed (with reasons), not bound, pending
 *   broadcast list                     recent broadcasts
 */
import { desc } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { broadcasts } from '../../db/schema.js';
import { messagesFor } from '../bot/i18n/index.js';
import { broadcastProgress } from '../broadcasts/broadcasts.js';
import { parseBroadcastId } from '../broadcasts/commands.js';
import { progressLines } from '../broadcasts/report.js';
import { EXIT, loadApp, withDatabase, type CliIo } from './context.js';

export const BROADCAST_USAGE = 'npm run cli -- broadcast status <编号> [--json] | broadcast list';

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
      if (args.length !== 1) return fail(`用法：${BROADCAST_USAGE}`);
      const id = parseBroadcastId(args[0]);
      if (id === null) return fail(`${t.broadcasts.confirm.badId(args[0])}\n用法：${BROADCAST_USAGE}`);
      const progress = broadcastProgress(deps.db, id);
      if (!progress) return fail(t.broadcasts.confirm.notFound(id));
      out(json ? JSON.stringify(progress) : progressLines(t, progress).join('\n'));
      return EXIT.ok;
    }
    case 'list': {
      const rows = deps.db.select().from(broadcasts).orderBy(desc(broadcasts.id)).limit(20).all();
      if (json) {
        out(JSON.stringify(rows.map((r) => ({ id: r.id, status: r.status, recipientCount: r.recipientCount, createdAt: r.createdAt, confirmedAt: r.confirmedAt, text: r.text }))));
        return EXIT.ok;
      }
      if (rows.length === 0) out('还没有通知。');
      for (const r of rows) {
        const excerpt = r.text.length > 30 ? `${r.text.slice(0, 30)}…` : r.text;
        out(`#${r.id}  ${r.status === 'sending' ? '已发送' : r.status === 'preview' ? '待确认' : '已取消'}  ${r.recipientCount} 人  ${excerpt.replace(/\n/g, ' ')}`);
      }
      return EXIT.ok;
    }
    case undefined:
    case 'help':
    case '--help':
      (sub ? deps.stdout : deps.stderr).write(`用法：${BROADCAST_USAGE}\n`);
      return sub ? EXIT.ok : EXIT.badInput;
    default:
      return fail(`不认识的子命令「${sub}」。\n用法：${BROADCAST_USAGE}`);
  }
}

/** The entry src/cli/main.ts loads: `broadcast: async () => (await import('./broadcast.js')).broadcastCommand`. */
export async function broadcastCommand(args: string[], io: CliIo): Promise<number> {
  const app = loadApp(io);
  return withDatabase(app.config.DATABASE_PATH, (db) => runBroadcastCli(args, { db, stdout: io.stdout, stderr: io.stderr }));
}

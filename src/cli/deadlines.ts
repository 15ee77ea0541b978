/**
 * `npm run cli -- deadlines …`: filing deadlines from the command line (same syntax as chat 新建截止).
 *   deadlines add <标题> <日期> [时间] [学校:一中,二中|全部] [提前:30,7,3,1,0]
 *   deadlines list
 *   deadlines status <事项编号或标题>
 *   deadlines file <事项编号或标题> <学校>      record a filing received on paper / by email
 *   deadlines cancel <事项编号或标题>
 */
// Loads the platforms' traits (card forms, preference), which the chat messages queued here are built with.
import '../platforms/registry.js';
import type { Db } from '../../db/client.js';
import { messagesFor } from '../bot/i18n/index.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { dateIn } from '../time/zone.js';
import { type Clock } from '../clock.js';
import { exampleDate } from '../time/parse.js';
import { formatDue } from '../deadlines/reminders.js';
import { choicesText, createDeadlineFromText, overviewText, statusText } from '../deadlines/service.js';
import { activeDeadlines, cancelDeadline, fileDeadline, findDeadline, listSchools, parseSchoolAudience, includesSchool } from '../deadlines/store.js';
import { EXIT, loadApp, withDatabase, type CliIo } from './context.js';

export const DEADLINES_USAGE = cliText.usage.deadlines;

export interface DeadlinesCliDeps {
  db: Db;
  clock: Clock;
  timeZone: string;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export async function runDeadlinesCli(argv: string[], deps: DeadlinesCliDeps): Promise<number> {
  const t = messagesFor('zh-CN');
  const { db, timeZone } = deps;
  const now = deps.clock.now();
  const out = (s: string) => deps.stdout.write(`${s}\n`);
  const fail = (s: string) => {
    deps.stderr.write(`${s}\n`);
    return EXIT.badInput;
  };
  const [sub, ...args] = argv;
  const one = async (query: string | undefined) => {
    if (!query) return { error: cliText.withUsage(cliText.deadlines.missingItem, DEADLINES_USAGE) } as const;
    const match = await findDeadline(db, query);
    if (match.kind === 'none') return { error: t.deadlines.match.notFound(query) } as const;
    if (match.kind === 'many') return { error: choicesText(t, query, match, timeZone) } as const;
    return { deadline: match.deadline } as const;
  };
  switch (sub) {
    case 'add': {
      const outcome = await createDeadlineFromText(db, t, { text: args.join(' '), now, timeZone, createdBy: 'cli' });
      if (!outcome.ok) return fail(outcome.usageProblem ? `${cliText.withUsage(outcome.text, DEADLINES_USAGE)}\n${t.deadlines.create.example(exampleDate(dateIn(now, timeZone)))}` : outcome.text);
      out(outcome.text);
      return EXIT.ok;
    }
    case 'list':
      out(await overviewText(db, t, await activeDeadlines(db, now), now, timeZone));
      return EXIT.ok;
    case 'status': {
      const found = await one(args.join(' '));
      if ('error' in found) return fail(found.error!);
      out(await statusText(db, t, found.deadline, now, timeZone));
      return EXIT.ok;
    }
    case 'file': {
      const school = args[args.length - 1];
      const found = await one(args.slice(0, -1).join(' '));
      if (!school || 'error' in found) return fail('error' in found ? found.error! : cliText.usageLine(DEADLINES_USAGE));
      const known = await listSchools(db);
      if (!known.includes(school)) return fail(t.deadlines.create.unknownSchools([school], known));
      if (!includesSchool(parseSchoolAudience(found.deadline.audience), school)) return fail(t.deadlines.filed.notAddressed(found.deadline.title, school));
      const result = await fileDeadline(db, found.deadline.id, school, null, now, 'cli');
      if (!result.ok) {
        out(t.deadlines.filed.already(found.deadline.title, school, formatDue(result.already.filedAt, timeZone).slice(0, 16)));
        return EXIT.ok;
      }
      out(t.deadlines.filed.ok(found.deadline.id, found.deadline.title, school));
      return EXIT.ok;
    }
    case 'cancel': {
      const found = await one(args.join(' '));
      if ('error' in found) return fail(found.error!);
      await cancelDeadline(db, found.deadline.id, 'cli', now);
      out(cliText.deadlines.cancelled(found.deadline.id, found.deadline.title));
      return EXIT.ok;
    }
    case undefined:
    case 'help':
    case '--help':
      (sub ? deps.stdout : deps.stderr).write(`${cliText.usageLine(DEADLINES_USAGE)}\n`);
      return sub ? EXIT.ok : EXIT.badInput;
    default:
      return fail(cliText.withUsage(cliText.badSubcommand(sub), DEADLINES_USAGE));
  }
}

/** The entry src/cli/main.ts loads: `deadlines: async () => (await import('./deadlines.js')).deadlinesCommand`. */
export async function deadlinesCommand(args: string[], io: CliIo): Promise<number> {
  const app = loadApp(io);
  return withDatabase(app.config, (db) =>
    runDeadlinesCli(args, { db, clock: app.clock, timeZone: app.config.TIMEZONE, stdout: io.stdout, stderr: io.stderr }),
  );
}

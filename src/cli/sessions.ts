/**
 * `npm run cli -- session …`: training sessions from the command line.
 *   session create --title … --category … --hours … --date … --checkin HH:MM-HH:MM [--checkout …] [--audience …] [--mode …] [--code …]
 *   session list [--date D | --from D --to D] [--limit N]
 *   session show <编号> [--base-url URL]
 *   session attendance <编号> --format csv|xlsx [--out <文件>]   (csv without --out goes to stdout)
 *   session close <编号> | session cancel <编号> --reason <原因>
 */
// Loads the platforms' traits (card forms, preference), which the chat messages queued here are built with.
import '../platforms/registry.js';
import type { Db } from '../../db/client.js';
import { transaction } from '../../db/statements.js';
import { messagesFor } from '../bot/i18n/index.js';
import type { Clock } from '../clock.js';
import { dateIn } from '../time/zone.js';
import type { PolicyPreset } from '../policy/schema.js';
import { problemText, projectorPath, rangeText, signInCard } from '../sessions/replies.js';
import { attendanceReport, liveCounts } from '../sessions/report.js';
import { audienceOf, hasCheckout, type SessionRow } from '../sessions/model.js';
import { createSession, setSessionStatus, type SessionDraft } from '../sessions/service.js';
import { getSession, listSessions } from '../sessions/store.js';
import { sendSignInCards } from '../sessions/notify.js';
import { parseAudience, parseDate, parseHours, parseMode, parseTimeRange, type ParseResult } from '../sessions/syntax.js';
import { EVERYONE } from '../sessions/audience.js';
import { exampleDate } from '../time/parse.js';
import { attendanceRows, toCsv, writeAttendance } from './attendance-export.js';
import { CliError, EXIT, loadApp, parse, withDatabase, type CliIo } from './context.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { evaluationNote, openSessionEvaluation } from '../surveys/service.js';

export const SESSION_USAGE = cliText.usage.session;

export interface SessionsCliDeps {
  db: Db;
  clock: Clock;
  timeZone: string;
  presets: ReadonlyMap<string, PolicyPreset>;
  defaultPolicy: string;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

const t = messagesFor('zh-CN');
const text = t.sessions;

function unwrap<T>(result: ParseResult<T>, example?: string): T {
  if (!result.ok) throw new CliError(problemText(t, result.problem, example));
  return result.value;
}

async function sessionArg(db: Db, raw: string | undefined): Promise<SessionRow> {
  if (!raw) throw new CliError(`${text.cli.missing(cliText.sessions.idArg)}\n${text.cli.usage}`);
  const id = /^#?(\d+)$/.exec(raw.trim());
  const session = id ? await getSession(db, Number(id[1])) : null;
  if (!session) throw new CliError(text.cli.notFound(raw));
  return session;
}

async function summary(deps: SessionsCliDeps, session: SessionRow, baseUrl: string, cards: { queued: number; unbound: number } | null): Promise<string> {
  const { expected } = await liveCounts(deps.db, session);
  return text.created({
    id: session.id,
    title: session.title,
    category: session.category,
    hours: session.hours,
    date: session.date,
    checkin: rangeText(session, 'checkin', deps.timeZone)!,
    checkout: hasCheckout(session) ? rangeText(session, 'checkout', deps.timeZone) : null,
    audience: text.audience(audienceOf(session)),
    expected,
    mode: session.mode,
    staticCode: session.staticCode,
    projectorPath: session.mode === 'button' ? null : projectorPath(session, baseUrl),
    cards,
  });
}

/** Runs `session <sub> …` against an open database; returns the exit code (0 ok, 1 bad input). */
export async function runSessionsCli(argv: string[], deps: SessionsCliDeps): Promise<number> {
  try {
    return await dispatch(argv, deps);
  } catch (error) {
    if (error instanceof CliError) {
      deps.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

async function dispatch(argv: string[], deps: SessionsCliDeps): Promise<number> {
  const [sub, ...args] = argv;
  const { db, clock, timeZone } = deps;
  const out = (s: string) => deps.stdout.write(`${s}\n`);
  const usage = text.cli.usage;
  const now = clock.now();
  const today = dateIn(now, timeZone);
  const need = <T>(r: ParseResult<T>) => unwrap(r, exampleDate(today));

  switch (sub) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      (sub ? deps.stdout : deps.stderr).write(`${usage}\n`);
      return sub ? EXIT.ok : EXIT.badInput;

    case 'create': {
      const { values } = parse(
        args,
        {
          title: { type: 'string' },
          category: { type: 'string' },
          hours: { type: 'string' },
          date: { type: 'string' },
          checkin: { type: 'string' },
          checkout: { type: 'string' },
          audience: { type: 'string' },
          mode: { type: 'string' },
          code: { type: 'string' },
          by: { type: 'string' },
          'base-url': { type: 'string' },
          trainer: { type: 'string' },
          project: { type: 'string' },
        },
        usage,
        { min: 0, max: 0 },
      );
      for (const flag of ['title', 'category', 'hours', 'date', 'checkin'] as const) {
        if (!values[flag]) throw new CliError(`${text.cli.missing(flag)}\n${usage}`);
      }
      const mode = values.mode
        ? need(parseMode(values.code && /^(static|固定码?|静态码?)$/i.test(values.mode) ? `${values.mode}:${values.code}` : values.mode))
        : values.code
          ? need(parseMode(`static:${values.code}`))
          : { mode: 'rotating' as const, staticCode: null };
      const draft: SessionDraft = {
        title: values.title!,
        category: values.category!,
        hours: need(parseHours(values.hours!)),
        date: need(parseDate(values.date!, today)),
        checkin: need(parseTimeRange(values.checkin!)),
        checkout: values.checkout ? need(parseTimeRange(values.checkout)) : null,
        audience: values.audience ? need(parseAudience(values.audience)) : EVERYONE,
        mode: mode.mode,
        staticCode: mode.staticCode,
        trainer: values.trainer,
        project: values.project,
      };
      const created = await createSession(db, draft, {
        now,
        timeZone,
        createdBy: `cli:${values.by ?? 'cli'}`,
        presets: deps.presets,
        defaultPolicy: deps.defaultPolicy,
      });
      if (!created.ok) throw new CliError(problemText(t, created.problem, exampleDate(today)));
      const session = created.session;
      const cards = session.mode === 'button' ? await sendSignInCards(db, session, now, () => signInCard(t, session, timeZone)) : null;
      out(await summary(deps, session, values['base-url'] ?? '', cards && { queued: cards.queued, unbound: cards.unbound.length }));
      return EXIT.ok;
    }

    case 'list': {
      const { values } = parse(
        args,
        { date: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' } },
        usage,
        { min: 0, max: 0 },
      );
      const date = values.date ? need(parseDate(values.date, today)) : undefined;
      const limit = values.limit ? Number(values.limit) : 50;
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(text.cli.badFlag('limit', values.limit!));
      const rows = await listSessions(db, {
        from: date ?? (values.from ? need(parseDate(values.from, today)) : undefined),
        to: date ?? (values.to ? need(parseDate(values.to, today)) : undefined),
        limit,
      });
      out(text.cli.listHeader);
      for (const s of rows) {
        const c = await liveCounts(db, s);
        out(
          [
            `#${s.id}`.padEnd(5),
            s.date,
            rangeText(s, 'checkin', timeZone)!.padEnd(12),
            s.mode.padEnd(8),
            s.status.padEnd(9),
            `${c.signedIn}/${c.expected}`.padEnd(12),
            s.title,
          ].join(' '),
        );
      }
      return EXIT.ok;
    }

    case 'show': {
      const { values, positionals } = parse(args, { 'base-url': { type: 'string' } }, usage, { min: 1, max: 1 });
      const session = await sessionArg(db, positionals[0]);
      out(await summary(deps, session, values['base-url'] ?? '', null));
      const c = await liveCounts(db, session);
      out(cliText.sessions.counts(session.status, c.signedIn, c.expected, hasCheckout(session) ? c.signedOut : null));
      return EXIT.ok;
    }

    case 'attendance': {
      const { values, positionals } = parse(args, { format: { type: 'string' }, out: { type: 'string' } }, usage, { min: 1, max: 1 });
      const session = await sessionArg(db, positionals[0]);
      const format = (values.format ?? (values.out?.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv')).toLowerCase();
      if (format !== 'csv' && format !== 'xlsx') throw new CliError(text.cli.badFlag('format', values.format!));
      const report = await attendanceReport(db, session);
      if (!values.out) {
        if (format === 'xlsx') throw new CliError(`${text.cli.missing('out')}\n${usage}`);
        deps.stdout.write(toCsv(attendanceRows(report, timeZone)));
        return EXIT.ok;
      }
      const n = await writeAttendance(report, timeZone, format, values.out);
      out(text.cli.exported(n, values.out));
      return EXIT.ok;
    }

    case 'close':
    case 'cancel': {
      const { values, positionals } = parse(args, { reason: { type: 'string' }, by: { type: 'string' } }, usage, { min: 1, max: 1 });
      const session = await sessionArg(db, positionals[0]);
      if (sub === 'cancel' && !values.reason?.trim()) throw new CliError(`${text.cli.missing('reason')}\n${usage}`);
      const status = sub === 'close' ? 'closed' : 'cancelled';
      const changed = await setSessionStatus(db, session, status, `cli:${values.by ?? 'cli'}`, values.reason);
      out(changed ? (sub === 'close' ? text.cli.closed(session.id) : text.cli.cancelled(session.id)) : text.cli.unchanged(session.id, session.status));
      if (changed && sub === 'close') {
        // The running bot's outbox worker sends the invitations (they are rows in the shared database).
        const now = deps.clock.now();
        const note = evaluationNote(await transaction(db, (tx) => openSessionEvaluation({ db: tx, now, sendAt: now, timeZone: deps.timeZone }, session)));
        if (note) out(note);
      }
      return EXIT.ok;
    }

    default:
      deps.stderr.write(`${text.cli.unknownSub(sub)}\n${usage}\n`);
      return EXIT.badInput;
  }
}

/** The `session` subcommand for src/cli/main.ts's COMMANDS table: opens the configured database and runs. */
export async function sessionCommand(args: string[], io: CliIo): Promise<number> {
  const app = loadApp(io);
  return withDatabase(app.config, (db) =>
    runSessionsCli(args, {
      db,
      clock: app.clock,
      timeZone: app.config.TIMEZONE,
      presets: app.presets,
      defaultPolicy: app.config.DEFAULT_POLICY,
      stdout: io.stdout,
      stderr: io.stderr,
    }),
  );
}

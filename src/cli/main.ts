/**
 * Officer CLI: `npm run cli -- <subcommand> …`. Exit codes: 0 ok, 1 bad input, 2 configuration.
 *   import teachers|records <file> [--skip-invalid] [--dry-run]
 *   hours <工号> [--as-of <日期>] [--json]
 *   officer add|remove <工号> | officer list
 *   bind-code <工号>   (one-time code an officer or school leader binds with)
 *   records revoke|correct <编号> …   (put a wrong credit record right; reason required, audited)
 *   demo
 *   declarations list|show|approve|reject|export …   (学时申报, declarations.ts)
 *   surveys template show|set …   (培训评价的问题模板, surveys.ts)
 *   backup [--dir D] [--keep N] | restore <file>   (backup.ts: SQLite's online backup API)
 *   session … / broadcast … / deadlines …   (sessions.ts, broadcast.ts, deadlines.ts: other owners)
 */
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../config.js';
import { ImportFileError } from '../import/types.js';
import { CliError, EXIT, type CliIo } from './context.js';
import { DataKindError } from '../meta/data-kind.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';

type Command = (args: string[], io: CliIo) => Promise<number>;

// Each subcommand is loaded on demand, so `hours` does not pay for the XLSX reader's start-up.
const COMMANDS: Record<string, () => Promise<Command>> = {
  import: async () => (await import('./import.js')).importCommand,
  hours: async () => (await import('./hours.js')).hoursCommand,
  officer: async () => (await import('./officer.js')).officerCommand,
  'bind-code': async () => (await import('./bind-code.js')).bindCodeCommand,
  records: async () => (await import('./records.js')).recordsCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
  session: async () => (await import('./sessions.js')).sessionCommand,
  broadcast: async () => (await import('./broadcast.js')).broadcastCommand,
  deadlines: async () => (await import('./deadlines.js')).deadlinesCommand,
  certificate: async () => (await import('./certificate.js')).certificateCommand,
  certificates: async () => (await import('./certificate.js')).certificatesCommand,
  declarations: async () => (await import('./declarations.js')).declarationsCommand,
  surveys: async () => (await import('./surveys.js')).surveysCommand,
  backup: async () => (await import('./backup.js')).backupCommand,
  restore: async () => (await import('./backup.js')).restoreCommand,
};

/** Every subcommand name, for checks that a message naming `npm run cli -- <name>` names one that exists. */
export const CLI_COMMAND_NAMES: readonly string[] = [...Object.keys(COMMANDS), 'help'];

export const USAGE = cliText.help;

/** Runs one CLI invocation and returns its exit code; never calls process.exit (tests call it directly). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.stdout : io.stderr).write(`${USAGE}\n`);
    return name ? EXIT.ok : EXIT.badInput;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.stderr.write(`${cliText.unknownCommand(name)}\n${USAGE}\n`);
    return EXIT.badInput;
  }
  try {
    return await (await load())(rest, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.config;
    }
    if (error instanceof CliError) {
      io.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof ImportFileError || error instanceof DataKindError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.badInput;
    }
    io.stderr.write(`${cliText.crashed((error as Error)?.stack ?? String(error))}\n`);
    return EXIT.badInput;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = EXIT.badInput;
    },
  );
}

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
 *   session … / broadcast … / deadlines …   (sessions.ts, broadcast.ts, deadlines.ts: other owners)
 */
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../config.js';
import { ImportFileError } from '../import/types.js';
import { CliError, EXIT, type CliIo } from './context.js';
import { DataKindError } from './demo-data.js';
import { BIND_CODE_USAGE, DECLARATIONS_USAGE, RECORDS_USAGE, DEMO_USAGE, HOURS_USAGE, IMPORT_USAGE, OFFICER_USAGE } from './usage.js';

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
};

/** Every subcommand name, for checks that a message naming `npm run cli -- <name>` names one that exists. */
export const CLI_COMMAND_NAMES: readonly string[] = [...Object.keys(COMMANDS), 'help'];

export const USAGE = [
  '学时助手 管理命令行',
  '用法：',
  `  ${IMPORT_USAGE}`,
  '      导入名册（表头：工号,姓名,学校,入职日期,师范毕业,班主任,职务,政策）',
  '      或学时记录（表头：工号,日期,学时,类别,项目,编号）；CSV（UTF-8 或 Excel 保存的 GBK）或 .xlsx',
  `  ${HOURS_USAGE}`,
  `  ${OFFICER_USAGE}`,
  `  ${BIND_CODE_USAGE}`,
  '      培训管理员、学校负责人的一次性绑定码（本人发送「绑定 工号 姓名 绑定码」）',
  `  ${RECORDS_USAGE}`,
  '      撤销或更正一条学时记录（导入或签到产生；须写原因，记入操作日志）',
  `  ${DEMO_USAGE}`,
  '  npm run cli -- session create|list|show|attendance|close|cancel …（npm run cli -- session help 查看详情）',
  '  npm run cli -- broadcast status <编号> [--json] | broadcast list',
  '  npm run cli -- deadlines …（npm run cli -- deadlines help 查看详情）',
  '  npm run cli -- certificate <工号> [--year 2025] --out <文件.pdf>',
  '      开具一位教师的学时证明（PDF，带编号和核验二维码）',
  '  npm run cli -- certificates revoke <证明编号> <原因>',
  '      作废一份学时证明（记入操作日志，核验页面显示已作废）',
  '  npm run cli -- certificates <学校|all> --out <目录>',
  '      为一所学校（或全部学校）每位教师开具学时证明：ZIP（姓名_工号.pdf）和培训档案工作簿',
  `  ${DECLARATIONS_USAGE}`,
  '      学时申报：列出、查看、以学校负责人或培训管理员身份通过或退回（须写原因），导出为 Excel 或 CSV',
  '  npm run cli -- surveys template show|set [--category <培训类别>] [--file <问题.json>]',
  '      培训评价的问题模板（按培训类别，不写类别即默认模板）',
  '退出码：0 成功，1 输入有误，2 配置错误',
].join('\n');

/** Runs one CLI invocation and returns its exit code; never calls process.exit (tests call it directly). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.stdout : io.stderr).write(`${USAGE}\n`);
    return name ? EXIT.ok : EXIT.badInput;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.stderr.write(`不认识的命令「${name}」。\n${USAGE}\n`);
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
    io.stderr.write(`出错了：${(error as Error)?.stack ?? String(error)}\n`);
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

/** `demo` — seed the labelled demo roster into the demo database and say how to chat with it. */
import { dateIn } from '../time/zone.js';
import { DEMO_DATABASE_PATH, seedDemo } from './demo-data.js';
import { EXIT, loadApp, parse, withDatabase, type CliIo } from './context.js';
import { DEMO_USAGE } from './usage.js';
import { castText } from '../platforms/console/commands.js';


/** DATABASE_PATH when it already names a demo database, else DEMO_DATABASE_PATH (env) or data/demo.db. */
export function demoDatabasePath(env: Record<string, string | undefined>): string {
  const configured = env.DATABASE_PATH?.trim();
  if (configured && configured.endsWith('demo.db')) return configured;
  return env.DEMO_DATABASE_PATH?.trim() || DEMO_DATABASE_PATH;
}

export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  parse(args, {}, DEMO_USAGE, { min: 0, max: 0 });
  const path = demoDatabasePath(io.env);
  const app = loadApp(io, { DATABASE_PATH: path });
  return withDatabase(path, (db) => {
    const seeded = seedDemo(db, app.clock, app.config.TIMEZONE);
    const today = dateIn(app.clock.now(), app.config.TIMEZONE);
    const demoCmd = path === DEMO_DATABASE_PATH ? 'npm run demo' : `DEMO_DATABASE_PATH=${path} npm run demo`;
    const lines = [
      `【演示数据】已写入 ${path}：${seeded.teachers.length} 位演示教师、${seeded.records} 条演示学时记录（截至 ${today}）。`,
      '以下全部为虚构的演示数据（工号 DEMO 开头），不含任何真实信息。',
      ...castText(db, new Map(seeded.teachers.map((t) => [t.employeeNo, `${t.blurb}，政策 ${t.policyId}`]))),
      '',
      '下一步：启动演示服务器并在终端里与学时助手对话（后台与投影页链接会打印出来）',
      `  ${demoCmd}`,
      `  （以 ${seeded.employeeNo} ${seeded.name} 的身份开始；试试「我还差多少学时」「记录」「帮助」，/as 校长、/as 管理员 切换身份）`,
      `也可直接查询：DATABASE_PATH=${path} npm run cli -- hours DEMO002`,
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  });
}

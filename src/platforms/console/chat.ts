/**
 * `npm run chat` — talk to the bot in the terminal, over the same handlers and database as Feishu/DingTalk.
 * `npm run demo` (= chat --demo) — the same, on a separate demo database seeded with a labelled demo roster.
 */
import { createInterface } from 'node:readline/promises';
import { createXueshi } from '../../app.js';
import { ConfigError, loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { countTeachers } from '../../ledger/teachers.js';
import { seedDemo, DEMO_DATABASE_PATH } from '../../cli/demo-data.js';
import { ConsoleSession } from './session.js';

async function main(): Promise<void> {
  const demo = process.argv.includes('--demo');
  let config;
  try {
    config = loadConfig(demo ? { ...process.env, DATABASE_PATH: process.env.DEMO_DATABASE_PATH ?? DEMO_DATABASE_PATH } : process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  // Logs go to a file-less stderr at warn level so they don't interleave with the conversation.
  const app = createXueshi({ config, logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
  await app.start();
  const session = new ConsoleSession(app);

  if (demo) {
    const sample = seedDemo(app.db, app.clock);
    const as = session.actAs(sample.employeeNo);
    console.log(`【演示模式】数据库 ${config.DATABASE_PATH} 中是演示名册，不含真实数据。`);
    if (as.ok) console.log(`你现在是演示教师「${as.name}」（工号 ${sample.employeeNo}）。`);
  } else {
    const count = countTeachers(app.db);
    console.log(`控制台对话 · 数据库 ${config.DATABASE_PATH}（名册 ${count} 人）`);
    if (count === 0) console.log('名册为空。试用演示数据：npm run demo；导入名册：npm run cli -- import teachers <文件>');
  }
  console.log('试试：我还差多少学时 ｜ 记录 ｜ 帮助。  /as <工号> 切换身份，/quit 退出。\n');

  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  rl.setPrompt('你> ');
  rl.prompt();
  for await (const line of rl) {
    const text = line.trim();
    if (text === '/quit' || text === '/exit') break;
    if (text.startsWith('/as ')) {
      const result = session.actAs(text.slice(4).trim());
      console.log(result.ok ? `（已切换为 ${result.name}）` : `（${result.message}）`);
    } else if (text) {
      for (const reply of await session.send(text)) console.log(`学时助手> ${reply.replace(/\n/g, '\n          ')}`);
    }
    rl.prompt();
  }
  rl.close();
  await app.stop();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

/**
 * `npm run chat` — talk to the bot in the terminal, over the same handlers and database as Feishu/DingTalk
 * (links it prints point at the server on PORT / PUBLIC_URL, which `npm start` runs on the same database).
 * `npm run demo` (= chat --demo) — the bot and its HTTP server on a separate demo database seeded with a labelled
 * demo roster, in this process (src/platforms/console/demo.ts), so the links it prints open on that database.
 */
import { createInterface } from 'node:readline/promises';
import { createXueshi, type Xueshi } from '../../app.js';
import { setConsoleBaseUrl } from '../../admin/auth.js';
import { messagesFor } from '../../bot/i18n/index.js';
import { ConfigError, databaseLabel, loadConfig, publicUrl } from '../../config.js';
import { PLATFORM_SETTINGS } from '../settings.js';
import { createLogger } from '../../logger.js';
import { countTeachers } from '../../ledger/store.js';
import { DataKindError } from '../../meta/data-kind.js';
import { answerConsoleLine } from './commands.js';
import { startDemo } from './demo.js';
import { ConsoleSession } from './session.js';

const text = messagesFor('zh-CN').console;

async function open(demo: boolean): Promise<{ app: Xueshi; session: ConsoleSession; blurbs?: ReadonlyMap<string, string>; stop: () => Promise<void> }> {
  // Logs go to stderr at warn level so they don't interleave with the conversation.
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  if (demo) {
    const running = await startDemo(process.env, { logger });
    console.log(running.intro.join('\n'));
    return running;
  }
  const config = loadConfig(process.env, PLATFORM_SETTINGS);
  const app = await createXueshi({ config, logger });
  await app.start();
  setConsoleBaseUrl(app.db, publicUrl(config, config.PORT));
  const count = await countTeachers(app.db);
  console.log(text.chatIntro(databaseLabel(config), count));
  if (count === 0) console.log(text.emptyRoster);
  console.log(text.commands);
  return { app, session: new ConsoleSession(app), stop: () => app.stop() };
}

async function main(): Promise<void> {
  let opened;
  try {
    opened = await open(process.argv.includes('--demo'));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataKindError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const { app, session, blurbs } = opened;
  console.log('');

  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  rl.setPrompt(text.prompt);
  rl.prompt();
  for await (const line of rl) {
    const { printed, quit } = await answerConsoleLine(app.db, session, line, blurbs);
    if (quit) break;
    for (const block of printed) console.log(block);
    rl.prompt();
  }
  rl.close();
  await opened.stop();
  process.exit(0);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

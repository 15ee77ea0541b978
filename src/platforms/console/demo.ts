/**
 * `npm run demo`: the bot and its HTTP server over the demo database, in this process, with the terminal chat
 * attached — so every link the demo prints (后台, the projector page of a 新建培训) opens on a server that reads the
 * same database the chat writes. The server listens on PORT; when that is taken (npm start is usually running
 * there, on the real database) it takes a free port and says so. Links use PUBLIC_URL / PUBLIC_BASE_URL when the
 * demo is on PORT, else http://localhost:<its port>.
 */
import type { Server } from 'node:http';
import { createXueshi, type Xueshi } from '../../app.js';
import { issueLoginLink, setConsoleBaseUrl } from '../../admin/auth.js';
import { messagesFor } from '../../bot/i18n/index.js';
import { roleLabel } from '../../bot/i18n/zh-CN.roles.js';
import { dateIn } from '../../time/zone.js';
import { loadConfig, publicUrl } from '../../config.js';
import { PLATFORM_SETTINGS } from '../settings.js';
import { seedDemo } from '../../cli/demo-data.js';
import { demoDatabasePath } from '../../cli/demo.js';
import { closeServer, listen } from '../../http/server.js';
import { findTeacherByEmployeeNo } from '../../ledger/store.js';
import type { Logger } from '../../logger.js';
import { castText, firstWithRole } from './cast.js';
import { ConsoleSession } from './session.js';

const text = messagesFor('zh-CN').console;

export interface RunningDemo {
  app: Xueshi;
  server: Server;
  session: ConsoleSession;
  /** Where the demo server is reached, e.g. http://localhost:3000. */
  url: string;
  /** The one-time console login link printed on start. */
  adminLogin: string;
  /** The introduction: database, server, cast, links, what to try, console commands. */
  intro: string[];
  /** Each demo teacher's one-line description, for /cast. */
  blurbs: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

async function listenOrAnyPort(server: Server, port: number, host: string): Promise<{ port: number; moved: boolean }> {
  try {
    return { port: await listen(server, port, host), moved: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return { port: await listen(server, 0, host), moved: true };
  }
}

export async function startDemo(env: Record<string, string | undefined>, options: { logger?: Logger } = {}): Promise<RunningDemo> {
  const databasePath = demoDatabasePath(env);
  // The demo is a SQLite file of its own (its files beside it), whatever DATABASE_URL and FILES_DIR name.
  const config = loadConfig({ ...env, DATABASE_PATH: databasePath, DATABASE_URL: '', FILES_DIR: '' }, PLATFORM_SETTINGS);
  const app = await createXueshi({ config, logger: options.logger });
  await app.start();
  const seeded = await seedDemo(app.db, app.clock, config.TIMEZONE);
  const server = app.createServer();
  let listened: { port: number; moved: boolean };
  try {
    listened = await listenOrAnyPort(server, config.PORT, config.HOST);
  } catch (error) {
    await app.stop();
    throw error;
  }
  const onConfiguredPort = !listened.moved && config.PORT !== 0;
  const url = onConfiguredPort ? publicUrl(config, listened.port) : `http://localhost:${listened.port}`;
  setConsoleBaseUrl(app.db, url);

  const session = new ConsoleSession(app);
  await session.actAs(seeded.employeeNo);
  const officer = await firstWithRole(app.db, 'officer');
  const adminLogin = officer ? (await issueLoginLink(app.db, officer, app.clock.now())).url : `${url}/admin`;
  const blurbs = new Map(seeded.teachers.map((t) => [t.employeeNo, t.blurb]));
  const me = (await findTeacherByEmployeeNo(app.db, seeded.employeeNo))!;

  const intro = [
    text.demoIntro(databasePath, seeded.teachers.length, seeded.records, dateIn(app.clock.now(), config.TIMEZONE)),
    text.server(url),
    ...(listened.moved ? [text.portTaken(config.PORT, listened.port)] : []),
    '',
    ...(await castText(app.db, blurbs)),
    '',
    ...text.links(adminLogin, `${url}/admin`),
    '',
    ...text.tryThese,
    text.commands,
    '',
    text.nowAs(me.name, me.employeeNo, roleLabel('teacher')),
  ];
  return {
    app,
    server,
    session,
    url,
    adminLogin,
    intro,
    blurbs,
    async stop() {
      await closeServer(server);
      await app.stop();
    },
  };
}

/**
 * `npm run demo` (src/platforms/console/demo.ts, what chat.ts --demo runs): the links it prints open on its own
 * running server, against the demo database the chat writes, on the port it really listens on; its cast and
 * the console's identity switch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messagesFor } from '../../../src/bot/i18n/index.js';
import { publicUrl } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { answerConsoleLine, consoleCommand } from '../../../src/platforms/console/commands.js';
import { startDemo, type RunningDemo } from '../../../src/platforms/console/demo.js';

let dir: string;
let demo: RunningDemo | null = null;
let blocker: Server | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xueshi-demo-'));
});
afterEach(async () => {
  await demo?.stop();
  demo = null;
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = null;
  rmSync(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({ DEMO_DATABASE_PATH: join(dir, 'demo.db'), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...extra });
const start = async (extra: Record<string, string> = {}) => (demo = await startDemo(env(extra), { logger: silentLogger }));

/** A port something else already listens on (as `npm start` would on 3000). */
async function takenPort(): Promise<number> {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
  return (blocker.address() as { port: number }).port;
}

const linkIn = (text: string, path: string) => {
  const m = new RegExp(`(https?://\\S+${path.replace(/[/?]/g, '\\$&')}\\S*)`).exec(text);
  if (!m) throw new Error(`no ${path} link in:\n${text}`);
  return m[1];
};

describe('npm run demo', () => {
  it('prints a 后台 link and gives a projector link that open on its own server, against the demo database', async () => {
    const d = await start();
    const port = (d.server.address() as { port: number }).port;
    expect(d.url).toBe(`http://localhost:${port}`);
    const intro = d.intro.join('\n');
    expect(intro).toContain(`演示服务器已启动：http://localhost:${port}`);
    expect(intro).toContain(join(dir, 'demo.db'));

    // 后台: the one-time link printed on start is absolute, on the real port, and the server knows its officer.
    const login = linkIn(intro, '/admin/login?token=');
    expect(login.startsWith(`http://localhost:${port}/admin/login?token=`)).toBe(true);
    const loginPage = await fetch(login);
    expect(loginPage.status).toBe(200);
    expect(await loginPage.text()).toContain('演示刘洋（DEMO006）');

    // The projector page: the officer's 新建培训 reply carries an absolute link that opens the session just created.
    expect((await consoleCommand(d.app.db, d.session, '/as 管理员'))?.output[0]).toContain('演示刘洋');
    const [created] = await d.session.send('新建培训 演示师德讲座 师德师风 2 明天 下午2点-4点');
    const projector = linkIn(created, '/sessions/');
    expect(projector.startsWith(`http://localhost:${port}/sessions/1/checkin?key=`)).toBe(true);
    const page = await fetch(projector);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('演示师德讲座');

    // 后台 asked in the chat: the same server.
    const [admin] = await d.session.send('后台');
    const fresh = await fetch(linkIn(admin, '/admin/login?token='));
    expect(fresh.status).toBe(200);
  });

  it('takes a free port when PORT is taken (npm start is running) and its links say the port it really has', async () => {
    const taken = await takenPort();
    const d = await start({ PORT: String(taken) });
    const port = (d.server.address() as { port: number }).port;
    expect(port).not.toBe(taken);
    expect(d.intro.join('\n')).toContain(`端口 ${taken} 已被占用`);
    expect(d.adminLogin.startsWith(`http://localhost:${port}/`)).toBe(true);
    expect((await fetch(d.adminLogin)).status).toBe(200);
  });

  it('links use PUBLIC_URL (alias of PUBLIC_BASE_URL) when the demo serves on PORT', async () => {
    const free = await takenPort();
    await new Promise<void>((resolve) => blocker!.close(() => resolve()));
    blocker = null;
    const d = await start({ PUBLIC_URL: 'https://xueshi.example.cn/', PORT: String(free) });
    expect((d.server.address() as { port: number }).port).toBe(free);
    expect(d.url).toBe('https://xueshi.example.cn');
    expect(d.adminLogin.startsWith('https://xueshi.example.cn/admin/login?token=')).toBe(true);
    expect(publicUrl({ PUBLIC_URL: undefined, PUBLIC_BASE_URL: 'https://a.example/' }, 3000)).toBe('https://a.example');
    expect(publicUrl({ PUBLIC_URL: 'https://b.example', PUBLIC_BASE_URL: 'https://a.example' }, 3000)).toBe('https://b.example');
    expect(publicUrl({ PUBLIC_URL: undefined, PUBLIC_BASE_URL: undefined }, 4321)).toBe('http://localhost:4321');
  });

  it('introduces its cast (teacher, school leader, officer) and how to switch; /as, /whoami and the bot agree', async () => {
    const d = await start();
    const intro = d.intro.join('\n');
    expect(intro).toMatch(/教师\s+DEMO001 演示李华（演示一中）— 来宾，进度正常　\/as 教师/);
    expect(intro).toMatch(/学校负责人 DEMO003 演示张伟（演示二小）— .*\/as 校长/);
    expect(intro).toMatch(/培训管理员 DEMO006 演示刘洋（演示一中）— .*\/as 管理员/);
    expect(intro).toContain('/as <工号|教师|校长|管理员> 切换身份');
    expect(intro).toContain('你现在是 演示李华（工号 DEMO001，教师）');

    const say = async (line: string) => (await consoleCommand(d.app.db, d.session, line, d.blurbs))!.output.join('\n');
    expect(await say('/whoami')).toBe('你现在是 演示李华（工号 DEMO001，教师）。');
    expect(await say('/as 校长')).toBe('（已切换为 演示张伟，工号 DEMO003，学校负责人）');
    expect((await d.session.send('我是谁')).join('\n')).toContain('演示张伟');
    expect(await say('/as demo002')).toBe('（已切换为 演示王芳，工号 DEMO002，教师）');
    expect((await d.session.send('我是谁')).join('\n')).toContain('演示王芳');
    expect(await say('/as 火星人')).toContain('名册中没有「火星人」');
    expect(await say('/whoami')).toContain('演示王芳');
    expect(await say('/cast')).toContain('/as 管理员');
    // Only the console's own commands are the console's: any other "/" line is a message for the bot.
    expect(await consoleCommand(d.app.db, d.session, '/nope')).toBeNull();
    expect(await consoleCommand(d.app.db, d.session, '/hours')).toBeNull();
    expect(await consoleCommand(d.app.db, d.session, '我还差多少学时')).toBeNull();
    expect((await consoleCommand(d.app.db, d.session, '/quit'))?.quit).toBe(true);
  });

  it('a "/" line that is not a console command reaches the bot: /hours answers hours, /nope gets the bot’s own reply', async () => {
    const d = await start();
    const typed = (line: string) => answerConsoleLine(d.app.db, d.session, line, d.blurbs);
    const bot = messagesFor('zh-CN').console.botSays;
    const hours = await d.session.send('学时');
    expect(hours.join('\n')).toContain('演示李华');
    expect(await typed('/hours')).toEqual({ printed: hours.map(bot), quit: false });
    const nope = await typed('/nope');
    expect(nope.printed).toHaveLength(1);
    expect(nope.printed[0]).toMatch(/^学时助手> 没听懂这句话/);
    expect(nope.printed[0]).not.toContain('控制台命令');
    // The console's own commands stay the console's, printed as they are, nothing sent to the bot.
    expect(await typed('/whoami')).toEqual({ printed: ['你现在是 演示李华（工号 DEMO001，教师）。'], quit: false });
    expect(await typed('/quit')).toEqual({ printed: [], quit: true });
  });
});

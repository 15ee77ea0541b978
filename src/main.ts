/** `npm start` — the bot: HTTP webhooks, long connections, sender, on the embedded SQLite default. */
import { closeServer, listen } from './http/server.js';
import { countTeachers } from './ledger/teachers.js';
import { createXueshi } from './app.js';
import { ConfigError, loadConfig, publicUrl } from './config.js';
import { setConsoleBaseUrl } from './admin/auth.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  let app;
  try {
    app = createXueshi({ config });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  await app.start();
  const server = app.createServer();
  const port = await listen(server, config.PORT, config.HOST);
  // Links (console login, projector page) name the port actually listened on (PORT=0 picks one).
  setConsoleBaseUrl(app.db, publicUrl(config, port));
  const lines = [
    `学时助手已启动 · http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}/healthz`,
    `数据库 ${config.DATABASE_PATH}（名册 ${countTeachers(app.db)} 人）· 政策默认 ${config.DEFAULT_POLICY} · 时区 ${config.TIMEZONE}`,
    ...app.adapters.map((a) => `  ${a.status()}`),
  ];
  if (!app.adapters.some((a) => a.platform === 'feishu')) {
    lines.push('  feishu: off — 设置 FEISHU_APP_ID / FEISHU_APP_SECRET（见 .env.example）即可接入飞书');
  }
  if (!app.adapters.some((a) => a.platform === 'dingtalk')) {
    lines.push('  dingtalk: off — 设置 DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET 即可接入钉钉');
  }
  lines.push(`管理后台：${publicUrl(config, port)}/admin（首次用 ADMIN_TOKEN 登录，之后由管理员向机器人发送「后台」获取登录链接）`);
  lines.push('本地试用：另开终端运行 npm run demo（演示名册）或 npm run chat（当前数据库）');
  console.log(lines.join('\n'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    // Stop taking requests first (busy keep-alive connections too), so the last drain has an end; anything
    // cut off mid-request was not acked, and the platform sends it again.
    await closeServer(server);
    await app.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

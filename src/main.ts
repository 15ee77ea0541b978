/** `npm start` — the bot: HTTP webhooks, long connections, sender, on the embedded SQLite default or DATABASE_URL's PostgreSQL. */
import { closeServer, listen } from './http/server.js';
import { countTeachers } from './ledger/store.js';
import { createXueshi } from './app.js';
import { ConfigError, databaseLabel, loadConfig, publicUrl } from './config.js';
import { PLATFORMS } from './platforms/registry.js';
import { setConsoleBaseUrl } from './admin/auth.js';
import { serverText } from './bot/i18n/zh-CN.server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, PLATFORMS.map((platform) => platform.settings));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  let app;
  try {
    app = await createXueshi({ config });
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
  const words = serverText.startup;
  const lines = [
    words.started(config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST, port),
    words.database(databaseLabel(config), await countTeachers(app.db), config.DEFAULT_POLICY, config.TIMEZONE),
    ...app.adapters.map((a) => `  ${a.status()}`),
  ];
  for (const platform of app.platforms) {
    if (!app.adapters.some((a) => a.platform === platform.id)) lines.push(platform.offStatus());
  }
  lines.push(words.console(publicUrl(config, port)), words.tryLocally);
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

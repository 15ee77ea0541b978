/** `demo` — seed the labelled demo roster into the demo database and say how to chat with it. */
import { dateIn } from '../time/zone.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { DEMO_DATABASE_PATH, seedDemo } from './demo-data.js';
import { EXIT, loadApp, parse, withDatabase, type CliIo } from './context.js';
import { DEMO_USAGE } from './usage.js';
import { castText } from '../platforms/console/cast.js';


/** DATABASE_PATH when it already names a demo database, else DEMO_DATABASE_PATH (env) or data/demo.db. */
export function demoDatabasePath(env: Record<string, string | undefined>): string {
  const configured = env.DATABASE_PATH?.trim();
  if (configured && configured.endsWith('demo.db')) return configured;
  return env.DEMO_DATABASE_PATH?.trim() || DEMO_DATABASE_PATH;
}

export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  parse(args, {}, DEMO_USAGE, { min: 0, max: 0 });
  const path = demoDatabasePath(io.env);
  // The demo is a SQLite file of its own (its files beside it), whatever DATABASE_URL and FILES_DIR name.
  const app = loadApp(io, { DATABASE_PATH: path, DATABASE_URL: '', FILES_DIR: '' });
  return withDatabase(app.config, async (db) => {
    const seeded = await seedDemo(db, app.clock, app.config.TIMEZONE);
    const today = dateIn(app.clock.now(), app.config.TIMEZONE);
    const demoCmd = path === DEMO_DATABASE_PATH ? 'npm run demo' : `DEMO_DATABASE_PATH=${path} npm run demo`;
    const lines = [
      cliText.demo.written(path, seeded.teachers.length, seeded.records, today),
      cliText.demo.fictional,
      ...(await castText(db, new Map(seeded.teachers.map((t) => [t.employeeNo, cliText.demo.castBlurb(t.blurb, t.policyId)])))),
      '',
      cliText.demo.next,
      `  ${demoCmd}`,
      cliText.demo.startAs(seeded.employeeNo, seeded.name),
      cliText.demo.hoursDirectly(path),
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  });
}

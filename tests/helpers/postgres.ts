/**
 * A real PostgreSQL server for tests (issue 16). TEST_DATABASE_URL names one when given (.ci/run starts one with
 * this file's `start`); otherwise, where Debian's server binaries exist, a test file starts a throwaway cluster in
 * a temp dir and stops it after. Postgres refuses to run as root, so as root the cluster runs as the `postgres`
 * user (or `nobody`). It is a scratch server: no fsync, trust auth on 127.0.0.1 only.
 *
 * As a script (what .ci/run and `npm run test:pg` call):
 *   tsx tests/helpers/postgres.ts start <dir>   prints the server's URL
 *   tsx tests/helpers/postgres.ts stop <dir>
 *   tsx tests/helpers/postgres.ts run <command…>  runs the command with TEST_DATABASE_URL set: on the server it
 *     already names, else on a throwaway cluster started for it and stopped after (exit code: the command's)
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export interface PgServer {
  /** A database on the server that tests may use (each test file should make its own with scratchDatabase). */
  url: string;
  stop(): Promise<void>;
}

const SUPERUSER = 'xueshi';
const DEFAULT_DB = 'xueshi_test';

const TOOLS = ['initdb', 'pg_ctl', 'pg_dump', 'pg_restore'];
const hasTools = (dir: string) => TOOLS.every((t) => existsSync(join(dir, t)));

/** The directory holding the server's tools (initdb, pg_ctl, pg_dump, pg_restore): Debian's newest, else on PATH. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => hasTools(join(root, v, 'bin')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(root, versions[0], 'bin');
  }
  return (process.env.PATH ?? '').split(':').find((dir) => dir && hasTools(dir)) ?? null;
}

/** As root: the unprivileged account the cluster runs as. */
function serverAccount(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  const entry = passwd.find((f) => f[0] === 'postgres') ?? passwd.find((f) => f[0] === 'nobody');
  if (!entry) throw new Error('running as root and neither a postgres nor a nobody account exists to run PostgreSQL');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

function run(bin: string, args: string[], account: { uid: number; gid: number } | null): void {
  const result = spawnSync(bin, args, { encoding: 'utf8', ...(account ?? {}), cwd: tmpdir(), env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout || result.error}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts a cluster in `dir` (created if needed) on a free port and returns its URL; stopCluster(dir) ends it. */
export async function startCluster(dir: string, binDir = postgresBinDir()): Promise<string> {
  if (!binDir) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
  mkdirSync(dir, { recursive: true });
  const account = serverAccount();
  if (account) chownSync(dir, account.uid, account.gid);
  const data = join(dir, 'data');
  run(join(binDir, 'initdb'), ['--no-sync', '-D', data, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], account);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  run(join(binDir, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start'], account);
  writeFileSync(join(dir, 'bin-dir'), binDir);
  const url = `postgresql://${SUPERUSER}@127.0.0.1:${port}/${DEFAULT_DB}`;
  await withClient(`postgresql://${SUPERUSER}@127.0.0.1:${port}/postgres`, (c) => c.query(`CREATE DATABASE ${DEFAULT_DB}`));
  return url;
}

/** Stops the cluster started in `dir` (immediately: it is scratch) and removes the directory. */
export function stopCluster(dir: string): void {
  const binFile = join(dir, 'bin-dir');
  if (existsSync(binFile)) {
    run(join(readFileSync(binFile, 'utf8').trim(), 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop'], serverAccount());
  }
  rmSync(dir, { recursive: true, force: true });
}

/** One connection to `url` for the length of `fn`. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * The server for this test file's PostgreSQL-only checks: TEST_DATABASE_URL (the whole suite runs on it) or
 * PG_TEST_SERVER (a server for these checks only, while the suite stays on SQLite; what .ci/run gives), else a
 * throwaway cluster when the binaries exist, else null (the caller skips). Under CI a missing server is an error,
 * never a silent skip.
 */
export async function testPostgres(): Promise<PgServer | null> {
  const given = process.env.TEST_DATABASE_URL || process.env.PG_TEST_SERVER;
  if (given) return { url: given, stop: async () => {} };
  const binDir = postgresBinDir();
  if (!binDir) {
    if (process.env.CI) throw new Error('CI must test against PostgreSQL: set PG_TEST_SERVER or TEST_DATABASE_URL, or install postgresql');
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-pg-'));
  const url = await startCluster(dir, binDir);
  return { url, stop: async () => stopCluster(dir) };
}

/** A new empty database on `serverUrl`'s server, for one test; drop() removes it (and ends its connections). */
export async function scratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Runs `argv` with TEST_DATABASE_URL set (a throwaway cluster unless one is named already); the command's exit code. */
async function runWithServer(argv: string[]): Promise<number> {
  const server = await testPostgres();
  if (!server) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql), and TEST_DATABASE_URL is not set');
  try {
    const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', env: { ...process.env, TEST_DATABASE_URL: server.url } });
    // Ctrl-C reaches the child through the terminal, a SIGTERM is passed on; the cluster stops once it has exited.
    const ignore = () => undefined;
    const forward = () => child.kill('SIGTERM');
    process.on('SIGINT', ignore).on('SIGTERM', forward);
    try {
      return await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
      });
    } finally {
      process.off('SIGINT', ignore).off('SIGTERM', forward);
    }
  } finally {
    await server.stop();
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const [command, dir] = process.argv.slice(2);
  if (command === 'start' && dir) {
    startCluster(dir).then(
      (url) => process.stdout.write(`${url}\n`),
      (error) => {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exitCode = 1;
      },
    );
  } else if (command === 'stop' && dir) {
    stopCluster(dir);
  } else if (command === 'run' && process.argv.length > 3) {
    runWithServer(process.argv.slice(3)).then(
      (code) => (process.exitCode = code),
      (error) => {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exitCode = 1;
      },
    );
  } else {
    process.stderr.write('usage: tsx tests/helpers/postgres.ts start|stop <dir> | run <command…>\n');
    process.exitCode = 1;
  }
}

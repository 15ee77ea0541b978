/**
 * Environment variable names are a public interface (operators' service files, .env, deployment scripts): every
 * one the README's "Configuration" section or .env.example names is still read, whichever module owns it now (the
 * core settings in src/config.ts, or a platform's src/platforms/<name>/settings.ts). "Read" is proved, not
 * assumed: a value other than the default changes what loadConfig returns.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { PLATFORM_SETTINGS } from '../src/platforms/settings.js';

const ROOT = join(import.meta.dirname, '..');

/** A valid value other than the default, for each variable: a documented variable missing here fails the test. */
const SAMPLES: Record<string, string> = {
  PORT: '4000',
  HOST: '127.0.0.1',
  DATABASE_PATH: 'elsewhere/xueshi.db',
  DATABASE_URL: 'postgres://u:p@db.example:5432/xueshi',
  DATABASE_POOL_SIZE: '20',
  INSTANCE_ID: 'city-a-2',
  BACKUP_CRON: '30 2 * * *',
  BACKUP_DIR: '/var/backups/xueshi',
  BACKUP_KEEP: '30',
  TIMEZONE: 'Asia/Urumqi',
  DEFAULT_POLICY: 'houma',
  XUESHI_NOW: '2026-05-20T09:00:00+08:00',
  MAX_BODY_BYTES: '65536',
  LOG_LEVEL: 'debug',
  ADMIN_TOKEN: 'a-long-enough-admin-token-0123',
  PUBLIC_BASE_URL: 'https://xueshi.example.edu.cn',
  PUBLIC_URL: 'https://xs.example.edu.cn',
  OFFICE_NAME: '某县教师发展中心',
  OFFICE_SEAL_PATH: '/etc/xueshi/seal.png',
  FILES_RETENTION_DAYS: '30',
  MAX_UPLOAD_BYTES: '2048',
  MAX_EVIDENCE_BYTES: '4096',
  EVIDENCE_DIR: '/srv/evidence',
  FILES_DIR: '/mnt/xueshi-files',
  TRUSTED_PROXIES: '127.0.0.1,::1',
  FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718',
  FEISHU_APP_SECRET: 'secret',
  FEISHU_VERIFICATION_TOKEN: 'token',
  FEISHU_ENCRYPT_KEY: 'key',
  FEISHU_BASE_URL: 'https://open.larksuite.com',
  FEISHU_ACCOUNTS_BASE_URL: 'https://accounts.larksuite.com',
  FEISHU_MODE: 'websocket',
  FEISHU_ALLOW_UNVERIFIED: 'true',
  FEISHU_BOT_NAME: '学时助手',
  DINGTALK_CLIENT_ID: 'ding-client',
  DINGTALK_CLIENT_SECRET: 'ding-secret',
  DINGTALK_ROBOT_CODE: 'ding-robot',
  DINGTALK_API_BASE_URL: 'https://api.example.test',
  DINGTALK_LOGIN_BASE_URL: 'https://login.example.test',
  DINGTALK_OAPI_BASE_URL: 'https://oapi.example.test',
  DINGTALK_MODE: 'stream',
};

/** Variables that only make sense in pairs: set the partner too, so the pair check does not refuse the sample. */
const PARTNERS: Record<string, Record<string, string>> = {
  FEISHU_APP_ID: { FEISHU_APP_SECRET: 'secret' },
  FEISHU_APP_SECRET: { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718' },
  DINGTALK_CLIENT_ID: { DINGTALK_CLIENT_SECRET: 'ding-secret' },
  DINGTALK_CLIENT_SECRET: { DINGTALK_CLIENT_ID: 'ding-client' },
};

function documented(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Configuration'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration') + 1));
  const fromReadme = [...section.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((m) => m[1]!);
  const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
  const fromExample = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
  return [...new Set([...fromReadme, ...fromExample])].sort();
}

/** Everything loadConfig returns, core and sections, as plain data to compare. */
const snapshot = (env: Record<string, string>) => {
  const { sections, ...core } = loadConfig(env, PLATFORM_SETTINGS);
  return JSON.stringify({ core, sections: [...sections] });
};

describe('documented environment variables', () => {
  it('the README and .env.example name them (the list this test reads is not empty)', () => {
    const names = documented();
    expect(names).toContain('PORT');
    expect(names).toContain('FEISHU_APP_ID');
    expect(names).toContain('DINGTALK_MODE');
    expect(names.length).toBeGreaterThan(35);
  });

  it('every documented variable is still read: a value other than its default changes the loaded configuration', () => {
    const names = documented();
    expect(names.filter((name) => !(name in SAMPLES)), 'documented but without a sample here').toEqual([]);
    for (const name of names) {
      const partners = PARTNERS[name];
      // Half a pair is refused, so a paired variable is compared with another value of its own instead.
      const before = partners ? snapshot({ ...partners, [name]: `${SAMPLES[name]!}-2` }) : snapshot({});
      const after = snapshot({ ...partners, [name]: SAMPLES[name]! });
      expect(after, `${name} is not read`).not.toEqual(before);
    }
  });

  it('every variable .env.example sets is accepted with its example value', () => {
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    const env = Object.fromEntries([...example.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(() => loadConfig(env, PLATFORM_SETTINGS)).not.toThrow();
  });
});

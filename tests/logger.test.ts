/**
 * Several instances write to one log store (issue 16): every line names its instance (INSTANCE_ID), so an operator
 * can tell which process said what. Lines are read back from a real pino destination.
 */
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { PLATFORM_SETTINGS } from '../src/platforms/settings.js';

function capture(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
}

describe('INSTANCE_ID on every log line', () => {
  it('the logger stamps its instance on its own lines and on its children’s', () => {
    const { stream, lines } = capture();
    const logger = createLogger('info', { instance: 'city-a-1', destination: stream });
    logger.info({ job: 'deadlines' }, 'scheduler enqueued messages');
    logger.child({ component: 'outbox' }).warn('send failed');
    logger.debug('below the level: not written');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ app: 'xueshi', instance: 'city-a-1', job: 'deadlines', msg: 'scheduler enqueued messages' });
    expect(lines[1]).toMatchObject({ app: 'xueshi', instance: 'city-a-1', component: 'outbox', msg: 'send failed' });
  });

  it('INSTANCE_ID defaults to <hostname>-<pid>; a bad one is refused with its name', () => {
    expect(loadConfig({}, PLATFORM_SETTINGS).INSTANCE_ID).toBe(`${hostname()}-${process.pid}`);
    expect(loadConfig({ INSTANCE_ID: 'xs-2' }, PLATFORM_SETTINGS).INSTANCE_ID).toBe('xs-2');
    expect(() => loadConfig({ INSTANCE_ID: 'two words' }, PLATFORM_SETTINGS)).toThrow(/INSTANCE_ID="two words": INSTANCE_ID 最多 64 个字符/);
    expect(() => loadConfig({ INSTANCE_ID: 'x'.repeat(65) }, PLATFORM_SETTINGS)).toThrow(/INSTANCE_ID/);
  });

  it('DATABASE_POOL_SIZE is a whole number of connections, 10 by default', () => {
    expect(loadConfig({}, PLATFORM_SETTINGS).DATABASE_POOL_SIZE).toBe(10);
    expect(loadConfig({ DATABASE_POOL_SIZE: '25' }, PLATFORM_SETTINGS).DATABASE_POOL_SIZE).toBe(25);
    for (const bad of ['0', '2.5', 'many', '501']) expect(() => loadConfig({ DATABASE_POOL_SIZE: bad }, PLATFORM_SETTINGS), bad).toThrow(/DATABASE_POOL_SIZE/);
  });
});

import pino, { type Logger } from 'pino';

export type { Logger };

/** One structured logger (JSON lines on stderr) so operators can grep and ship logs. */
export function createLogger(level: string = 'info', destination: number | string = 2): Logger {
  return pino({ level, base: { app: 'xueshi' } }, pino.destination({ dest: destination, sync: true }));
}

export const silentLogger: Logger = pino({ level: 'silent' });

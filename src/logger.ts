import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** INSTANCE_ID: every line carries it, so lines from several instances on one database can be told apart. */
  instance?: string;
  /** Where lines go: a file descriptor (stderr by default), a file path, or a stream (tests). */
  destination?: number | string | DestinationStream;
}

/** One structured logger (JSON lines on stderr) so operators can grep and ship logs. */
export function createLogger(level: string = 'info', options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? 2;
  const base = options.instance === undefined ? { app: 'xueshi' } : { app: 'xueshi', instance: options.instance };
  return pino({ level, base }, typeof destination === 'object' ? destination : pino.destination({ dest: destination, sync: true }));
}

export const silentLogger: Logger = pino({ level: 'silent' });

/** Code that depends on "now" takes a Clock so tests (and demos) can move time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until told to move: for tests. */
export class FixedClock implements Clock {
  private current: number;
  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * XUESHI_NOW: the clock starts at the given instant and then runs at normal speed, so a demo can be
 * placed on any date while rotating codes and retries still see time pass.
 */
export function clockStartingAt(start: Date | string, real: Clock = systemClock): Clock {
  const offset = new Date(start).getTime() - real.now().getTime();
  return { now: () => new Date(real.now().getTime() + offset) };
}

/** Calendar date (YYYY-MM-DD) of an instant in the given time zone (Beijing by default). */
export function dateIn(instant: Date, timeZone = 'Asia/Shanghai'): string {
  const parts = formatter('date', timeZone).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** "2026-11-25 14:05" in the given time zone, for messages. */
export function dateTimeIn(instant: Date, timeZone = 'Asia/Shanghai'): string {
  const parts = formatter('dateTime', timeZone).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

// Building an Intl.DateTimeFormat costs far more than using one; every reply formats a date.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: 'date' | 'dateTime', timeZone: string): Intl.DateTimeFormat {
  const key = `${kind}|${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(kind === 'dateTime' ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

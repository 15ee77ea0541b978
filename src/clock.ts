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

// Job states and URL expiries are derived from this clock at read time instead of being driven
// by timers, so a test can jump past an expiry without waiting for it.
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

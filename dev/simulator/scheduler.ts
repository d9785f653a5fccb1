// Owns every timer and outbound request a simulator starts, so reset and close can stop them
// all at once and a test process never hangs on a forgotten callback.
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private controller = new AbortController();

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Aborted by the next `stopAll`; long-running work started now should listen to it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  after(delayMs: number, task: (signal: AbortSignal) => Promise<void>): void {
    const signal = this.controller.signal;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task(signal).catch((err: unknown) => {
        if (!signal.aborted) this.onError(err);
      });
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  stopAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.controller.abort();
    this.controller = new AbortController();
  }
}

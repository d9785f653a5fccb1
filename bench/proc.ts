// Memory and CPU of a process, read from /proc (Linux): what the kernel charges, not what a
// runtime reports about itself.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, fixed at 100 on Linux

export interface Memory {
  /** Resident set now, MiB. */
  rssMb: number;
  /** Peak resident set since the process started, MiB. */
  hwmMb: number;
}

export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** User + system CPU seconds of a process and its reaped children. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime, stime, cutime, cstime are 14..17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds of a process and all its descendants, live or reaped (PostgreSQL's backends). */
export function treeCpuSecondsOf(pid: number): number {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const visit = (p: number): void => {
    try {
      total += cpuSecondsOf(p);
    } catch {
      return;
    }
    for (const child of parents.get(p) ?? []) visit(child);
  };
  visit(pid);
  return total;
}

/** CPU seconds spent by each named process between two calls. */
export class CpuMeter {
  private readonly start: Map<string, number>;
  constructor(private readonly pids: Readonly<Record<string, number>>) {
    this.start = new Map(Object.entries(pids).map(([name, pid]) => [name, cpuSecondsOf(pid)]));
  }
  read(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.pids).map(([name, pid]) => [name, cpuSecondsOf(pid) - (this.start.get(name) ?? 0)]));
  }
}

/** Samples a process's RSS every `everyMs` until stopped; reports the peak seen. */
export function sampleRss(pid: number, everyMs = 100): { stop(): number } {
  let peak = 0;
  const take = (): void => {
    try {
      // An exited process not yet reaped (a zombie) has no VmRSS line: NaN, which is no sample.
      const { rssMb } = memoryOf(pid);
      if (Number.isFinite(rssMb)) peak = Math.max(peak, rssMb);
    } catch {
      // the process is gone (e.g. killed on purpose)
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

/** A Node process's CPU seconds by thread: the main thread (in a worker: activities and the SDK's JavaScript side), Temporal's Rust core (tokio threads), and the other threads (a worker's workflow thread, V8's GC and compiler helpers). */
export interface ThreadCpu {
  main: number;
  core: number;
  otherThreads: number;
}

export function threadCpuOf(pid: number): ThreadCpu {
  const totals: ThreadCpu = { main: 0, core: 0, otherThreads: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / CLOCK_TICKS_PER_SECOND;
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const group: keyof ThreadCpu = Number(tid) === pid ? 'main' : name.startsWith('tokio') ? 'core' : 'otherThreads';
      totals[group] += seconds;
    } catch {
      // the thread ended meanwhile: its time is lost to this count (the process total keeps it)
    }
  }
  return totals;
}

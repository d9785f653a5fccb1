// Command-line flags of `npm run bench`. Default sizes finish in under 15 minutes on a 2-core
// machine: the figures for throughput, download and polling, fewer waiting jobs (the
// issue's 10,000 take ~10 minutes alone: --waiting 10000);
// --quick shrinks everything to a smoke check that finishes in under 5 minutes on a 2-core
// machine and still prints every benchmark and every goal row (hence its one 10,000-poll job:
// the polling goal is about 10,000 polls, and that job alone takes ~20-30 s).
import { parseArgs } from 'node:util';
import type { PollingSizes } from './polling';

export const BENCHMARKS = ['throughput', 'latency', 'waiting', 'polling', 'download'] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

export interface BenchOptions {
  only: BenchmarkName[];
  /** Callback-mode jobs end to end (and as many bare baseline jobs). */
  jobs: number;
  /** Callback latency samples per path (gateway, direct signal). */
  samples: number;
  /** Jobs waiting at once on one worker. */
  waiting: number;
  /** Poll counts (one job each) and many jobs polling at once, today's code and the code before polling moved into an activity. */
  polling: PollingSizes;
  /** Size of the downloaded result. */
  downloadMb: number;
  quick: boolean;
}

// Polling before the change ran ~3.4 polls/s for one job, so its sizes are smaller: its events
// per poll are steady from 100 polls on, and its rate is the same at any count.
const DEFAULTS = {
  jobs: 2_000,
  samples: 200,
  waiting: 2_000,
  polling: { polls: [1, 1_000, 10_000], pollsBefore: [100], pollers: { jobs: 100, pollsPerJob: 100 }, pollersBefore: { jobs: 100, pollsPerJob: 10 } },
  downloadMb: 1_024,
};
const QUICK = {
  jobs: 100,
  samples: 30,
  waiting: 300,
  polling: { polls: [1, 1_000, 10_000], pollsBefore: [50], pollers: { jobs: 100, pollsPerJob: 20 }, pollersBefore: { jobs: 20, pollsPerJob: 5 } },
  downloadMb: 64,
};

const USAGE = `npm run bench -- [--quick] [--only ${BENCHMARKS.join(',')}] [--jobs N] [--samples N] [--waiting N] [--polls 1,100,10000] [--download-mb N]`;

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got "${raw}"\n${USAGE}`);
  return value;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: 'string' },
      jobs: { type: 'string' },
      samples: { type: 'string' },
      waiting: { type: 'string' },
      polls: { type: 'string' },
      'download-mb': { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const base = values.quick ? QUICK : DEFAULTS;
  const only = values.only ? values.only.split(',').map((name) => name.trim()) : [...BENCHMARKS];
  for (const name of only) if (!(BENCHMARKS as readonly string[]).includes(name)) throw new Error(`--only: unknown benchmark "${name}"\n${USAGE}`);
  return {
    only: only as BenchmarkName[],
    jobs: values.jobs ? positive('jobs', values.jobs) : base.jobs,
    samples: values.samples ? positive('samples', values.samples) : base.samples,
    waiting: values.waiting ? positive('waiting', values.waiting) : base.waiting,
    polling: { ...base.polling, ...(values.polls ? { polls: values.polls.split(',').map((p) => positive('polls', p)) } : {}) },
    downloadMb: values['download-mb'] ? positive('download-mb', values['download-mb']) : base.downloadMb,
    quick: values.quick,
  };
}

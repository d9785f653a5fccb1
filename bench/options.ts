// Command-line flags of `npm run bench`. Default sizes finish in under 15 minutes on a 2-core
// machine: the figures for throughput and download, fewer waiting jobs and polls (the
// issue's 10,000 each take ~10 minutes alone: --waiting 10000 --polls 1,100,10000);
// --quick shrinks everything to a smoke check.
import { parseArgs } from 'node:util';

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
  /** Poll counts whose histories are measured, one job each. */
  polls: number[];
  /** Many jobs polling at once, for the rate one worker sustains. */
  pollers: { jobs: number; pollsPerJob: number };
  /** Size of the downloaded result. */
  downloadMb: number;
  quick: boolean;
}

const DEFAULTS = { jobs: 2_000, samples: 200, waiting: 2_000, polls: [1, 100, 500], pollers: { jobs: 20, pollsPerJob: 50 }, downloadMb: 1_024 };
const QUICK = { jobs: 100, samples: 30, waiting: 300, polls: [1, 100, 250], pollers: { jobs: 10, pollsPerJob: 30 }, downloadMb: 64 };

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
    polls: values.polls ? values.polls.split(',').map((p) => positive('polls', p)) : base.polls,
    pollers: base.pollers,
    downloadMb: values['download-mb'] ? positive('download-mb', values['download-mb']) : base.downloadMb,
    quick: values.quick,
  };
}

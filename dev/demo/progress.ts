// Live progress, one line per job: phase, polls, bytes downloaded. On a terminal the block is
// redrawn in place; in a log (CI, a pipe) a line is printed only when something meaningful
// changed, so the output stays readable.
import { formatBytes } from '../../src/notify/message';
import type { TrackedJob } from './tracked-job';

function phaseOf(job: TrackedJob): string {
  const view = job.view;
  if (!view) return 'starting';
  if (view.state !== 'running') return view.state;
  return view.status?.phase ?? view.phase ?? 'running';
}

function bytesOf(job: TrackedJob): string {
  const download = job.view?.status?.download;
  if (download) return `${formatBytes(download.bytes)}${download.total !== undefined ? ` / ${formatBytes(download.total)}` : ''}`;
  const file = job.view?.result?.file;
  return file ? formatBytes(file.size) : '';
}

export function progressLine(job: TrackedJob): string {
  const polls = job.view?.status?.pollCount ?? job.view?.result?.polls ?? 0;
  return `  seed ${job.scenario.seed}  ${job.scenario.name.padEnd(16)} ${phaseOf(job).padEnd(17)} polls ${String(polls).padStart(3)}   ${bytesOf(job)}`;
}

/** What must change for a log line: the phase, the poll count, or a tenth of the download. */
function changeKey(job: TrackedJob): string {
  const download = job.view?.status?.download;
  const tenth = download?.total ? Math.floor((download.bytes / download.total) * 10) : undefined;
  return `${phaseOf(job)}|${job.view?.status?.pollCount ?? ''}|${tenth ?? ''}`;
}

export class ProgressBoard {
  private drawnLines = 0;
  private readonly lastKeys = new Map<string, string>();

  constructor(private readonly out: NodeJS.WriteStream) {}

  render(jobs: readonly TrackedJob[]): void {
    if (this.out.isTTY) {
      // Move up over the previous block and overwrite it line by line.
      const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
      this.out.write(up + jobs.map((job) => `\x1b[2K${progressLine(job)}\n`).join(''));
      this.drawnLines = jobs.length;
      return;
    }
    for (const job of jobs) {
      const key = changeKey(job);
      if (this.lastKeys.get(job.jobId) === key) continue;
      this.lastKeys.set(job.jobId, key);
      this.out.write(`${progressLine(job)}\n`);
    }
  }
}

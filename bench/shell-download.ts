// The download benchmark's baselines, the tools a person would reach for on the same URL:
// - same work: `curl -o file URL && sha256sum file && sync file`, one bash process timed as a
//   whole: the bytes to disk, their sha256, and the file on stable storage, which is what
//   Pollback's download activity does (it fsyncs its file, so `sync file`, an fsync of that
//   file, not a `sync` of every file system the machine's other work has dirty pages on);
// - curl alone: the bytes to disk and nothing else, the machine's limit for moving them.
// CPU of the same-work baseline comes from bash's `times` builtin after each command: the user
// and system time of the shell's reaped children, which the kernel sums on wait() (the same
// rusage `/usr/bin/time` prints, read by the shell that did the waiting, so no child escapes it).
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { sampleRss } from './proc';

export interface SameWorkRound {
  /** Spawn → exit of the whole bash process, seconds. */
  seconds: number;
  /** Wall seconds of each command, from bash's $EPOCHREALTIME around it. */
  stepSeconds: { curl: number; sha256sum: number; sync: number };
  /** User + system CPU seconds of each command, and of bash itself. */
  cpuSeconds: { curl: number; sha256sum: number; sync: number; shell: number };
  sha256: string;
}

// Each command's end: its wall clock, then `times` (line 1: the shell's own CPU, line 2: its
// children's so far). $EPOCHREALTIME needs no child process, so timing adds no CPU to the count.
const SAME_WORK = `
set -e
start=$EPOCHREALTIME
curl -sS --fail -o "$1" "$2"
echo "step curl $start $EPOCHREALTIME"; times
start=$EPOCHREALTIME
sha256sum "$1"
echo "step sha256sum $start $EPOCHREALTIME"; times
start=$EPOCHREALTIME
sync "$1"
echo "step sync $start $EPOCHREALTIME"; times
`;

/** `0m1.234s 0m0.056s` → user + system seconds. */
function timesLine(line: string | undefined): number {
  const parts = [...(line ?? '').matchAll(/(\d+)m([\d.]+)s/g)];
  if (parts.length !== 2) throw new Error(`same-work baseline: cannot read \`times\` output "${line}"`);
  return parts.reduce((sum, [, min, sec]) => sum + Number(min) * 60 + Number(sec), 0);
}

/** Reads the script's output: per command its wall seconds and the children's CPU after it. */
function parseSameWork(stdout: string): Omit<SameWorkRound, 'seconds'> {
  const lines = stdout.trim().split('\n');
  const sha256 = /^([0-9a-f]{64}) /.exec(lines.find((l) => /^[0-9a-f]{64} /.test(l)) ?? '')?.[1];
  if (!sha256) throw new Error(`same-work baseline: no sha256sum line in\n${stdout}`);
  const steps = new Map<string, { wall: number; shell: number; children: number }>();
  lines.forEach((line, i) => {
    const step = /^step (\S+) ([\d.]+) ([\d.]+)$/.exec(line);
    if (step?.[1]) steps.set(step[1], { wall: Number(step[3]) - Number(step[2]), shell: timesLine(lines[i + 1]), children: timesLine(lines[i + 2]) });
  });
  const get = (name: string): { wall: number; shell: number; children: number } => {
    const step = steps.get(name);
    if (!step) throw new Error(`same-work baseline: no "${name}" step in\n${stdout}`);
    return step;
  };
  const [c, h, s] = [get('curl'), get('sha256sum'), get('sync')];
  return {
    stepSeconds: { curl: c.wall, sha256sum: h.wall, sync: s.wall },
    // `times` is cumulative: each command's CPU is the difference from the step before.
    cpuSeconds: { curl: c.children, sha256sum: h.children - c.children, sync: s.children - h.children, shell: s.shell },
    sha256,
  };
}

/** `curl -o file URL && sha256sum file && sync file`, timed together; the file is removed after. */
export async function curlHashSync(url: string, file: string): Promise<SameWorkRound> {
  const t0 = performance.now();
  // LC_ALL=C: $EPOCHREALTIME's decimal point is the locale's.
  const child = spawn('bash', ['-c', SAME_WORK, 'same-work', file, url], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LC_ALL: 'C' } });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(performance.now())));
  // 'close': the process has exited and its output is all read.
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const seconds = ((await exited) - t0) / 1000;
  await rm(file, { force: true });
  if (code !== 0) throw new Error(`same-work baseline exited with ${code}:\n${stdout}`);
  return { seconds, ...parseSameWork(stdout) };
}

/** `curl -o file URL` alone, its RSS sampled; the file is removed after. */
export async function curlAlone(url: string, file: string): Promise<{ seconds: number; peakRssMb: number }> {
  const t0 = performance.now();
  const child = spawn('curl', ['-sS', '--fail', '-o', file, url], { stdio: ['ignore', 'ignore', 'inherit'] });
  const rss = sampleRss(child.pid ?? -1, 20);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (performance.now() - t0) / 1000;
  const peakRssMb = rss.stop();
  await rm(file, { force: true });
  if (code !== 0) throw new Error(`curl exited with ${code}`);
  return { seconds, peakRssMb };
}

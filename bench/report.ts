// The printed table and the JSON written under bench/results/: one row per figure, with its
// side-by-side baseline where there is one, and whether the goal is met.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchOptions } from './options';

export interface Row {
  benchmark: string;
  figure: string;
  pollback: string;
  baseline?: string;
  ratio?: string;
  goal?: string;
  met?: boolean;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
}

export function describeMachine(): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

const cells = (row: Row): string[] => [row.benchmark, row.figure, row.pollback, row.baseline ?? '', row.ratio ?? '', row.goal ?? '', row.met === undefined ? '' : row.met ? 'yes' : 'NO'];

/** A Markdown table (it reads fine in a terminal too). */
export function table(rows: readonly Row[]): string {
  const header = ['benchmark', 'figure', 'Pollback', 'baseline', 'ratio', 'goal', 'met'];
  const lines = [header, header.map(() => '---'), ...rows.map(cells)];
  return lines.map((line) => `| ${line.join(' | ')} |`).join('\n');
}

export async function writeResults(dir: string, doc: { options: BenchOptions; machine: Machine; startedAt: string; wallSeconds: number; rows: Row[]; details: Record<string, unknown> }): Promise<string> {
  await mkdir(dir, { recursive: true });
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  const file = path.join(dir, `${doc.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, text);
  await writeFile(path.join(dir, 'latest.json'), text);
  return file;
}

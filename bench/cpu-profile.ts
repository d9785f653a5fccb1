// `npx tsx bench/cpu-profile.ts <file.cpuprofile>…`: where a bench process spent its CPU, from
// the V8 profiles BENCH_CPU_PROFILE_DIR makes the bench's children write. Self time summed by
// where the code lives (a package under node_modules, a folder of this repository, V8/Node
// internals), then the functions with the most self time.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where code lives: `@temporalio/worker`, `src/workflows`, `(garbage collector)`, `node:internal`… */
export function placeOf(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'native'})`;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const relative = path.relative(process.cwd(), url.replace(/^file:\/\//, ''));
  if (!relative.startsWith('..')) return relative.split(path.sep).slice(0, 2).join('/');
  return url.includes('workflow') ? '(workflow bundle)' : url;
}

export function summarise(profile: CpuProfile): { totalMs: number; byPlace: [string, number][]; byFunction: [string, number][] } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = nodes.get(id);
    if (!node || node.callFrame.functionName === '(idle)') return;
    total += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const place = placeOf(url, functionName);
    byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
    const fn = `${functionName || '(anonymous)'} ${place}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  });
  const top = (m: Map<string, number>): [string, number][] => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20);
  return { totalMs: total, byPlace: top(byPlace), byFunction: top(byFunction) };
}

async function main(): Promise<void> {
  for (const file of process.argv.slice(2)) {
    const { totalMs, byPlace, byFunction } = summarise(JSON.parse(await readFile(file, 'utf8')) as CpuProfile);
    const pct = (ms: number): string => `${((ms / totalMs) * 100).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms`;
    console.log(`\n${path.basename(file)}: ${(totalMs / 1000).toFixed(1)} s on CPU (idle excluded)`);
    console.log('  by place:');
    for (const [place, ms] of byPlace) console.log(`    ${pct(ms)}  ${place}`);
    console.log('  by function (self time):');
    for (const [fn, ms] of byFunction) console.log(`    ${pct(ms)}  ${fn}`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

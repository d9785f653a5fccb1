// `npx tsx bench/replay-cost.ts`: workflow CPU per job, without a server: each side's recorded
// history of one callback job (captured from a throughput run) replayed 200 times through its
// own bundle, the way a worker rebuilds a job evicted from its cache. Measures what the workflow
// code itself costs (module evaluation per workflow, activations), apart from the server,
// activities and networking that the throughput benchmark adds.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { bundlePollbackWorkflows, quietBundlerLogger } from '../src/worker';
import { threadCpuOf } from './proc';

const REPLAYS = 200;

async function cpuMsPerReplay(code: string, historyFile: string): Promise<{ events: number; ms: number }> {
  const history = historyFromJSON(JSON.parse(await readFile(path.join(__dirname, historyFile), 'utf8')));
  const histories = Array.from({ length: REPLAYS }, (_, i) => ({ workflowId: `replay-${i}`, history }));
  const cpu = (): number => {
    const threads = threadCpuOf(process.pid);
    return threads.main + threads.core + threads.otherThreads;
  };
  const before = cpu();
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code } }, histories)) if (result.error) throw result.error;
  return { events: history.events?.length ?? 0, ms: ((cpu() - before) * 1000) / REPLAYS };
}

async function main(): Promise<void> {
  const own = async (folder: string): Promise<string> => (await bundleWorkflowCode({ workflowsPath: path.join(__dirname, folder, 'workflows.ts'), logger: quietBundlerLogger })).code;
  const sides = [
    { name: 'Pollback', code: await bundlePollbackWorkflows(), history: '../test/fixtures/histories/prepared-callback-download-notify.json' },
    { name: 'Pollback, a job recorded before the prepare-in-activity patch (input parsed in the workflow)', code: await bundlePollbackWorkflows(), history: 'pollback-callback-history.json' },
    { name: 'Pollback, input refused (the fixed cost of a workflow)', code: await bundlePollbackWorkflows(), history: '../test/fixtures/histories/prepared-invalid-input.json' },
    { name: 'hand-written', code: await own('handwritten'), history: 'handwritten/history.json' },
    { name: 'bare', code: await own('baseline'), history: 'baseline/history.json' },
  ];
  for (const side of sides) {
    const { events, ms } = await cpuMsPerReplay(side.code, side.history);
    console.log(`${side.name}: ${events} events, ${ms.toFixed(1)} CPU ms per replayed job`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

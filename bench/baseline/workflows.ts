// The bare Temporal baseline: a workflow with one activity and one signal, and no Pollback code
// at all (bundled on its own), so the benchmark can tell Temporal's own cost from Pollback's.
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { BaselineActivities } from './activities';

export const doneSignal = defineSignal<[unknown]>('done');

const { work } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '1m' });

export async function bareJob(): Promise<unknown> {
  let output: unknown;
  let signalled = false;
  setHandler(doneSignal, (value) => {
    output = value;
    signalled = true;
  });
  await work();
  await condition(() => signalled);
  return output;
}

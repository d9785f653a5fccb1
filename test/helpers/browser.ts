// Headless Chromium for tests of what people see (the Temporal Web UI), driven by
// playwright-core, which downloads no browser of its own. scripts/ensure-chromium finds it or
// installs Debian's `chromium` (as root), like scripts/ensure-temporal does for the CLI.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ENSURE_SCRIPT = path.resolve(__dirname, '../../scripts/ensure-chromium');

let found: Promise<string> | undefined;

/**
 * The Chromium binary (CHROMIUM_PATH, PATH, else installed). A missing one fails loudly, never
 * skips. The script's progress (an apt-get install takes a minute) goes straight to stderr.
 */
export function ensureChromium(): Promise<string> {
  found ??= new Promise((resolve, reject) => {
    const child = spawn('bash', [ENSURE_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const executable = stdout.trim().split('\n').pop();
      if (code === 0 && executable) resolve(executable);
      else reject(new Error(`Chromium is needed for the Web UI tests: scripts/ensure-chromium exited with ${code} (its message is above)`));
    });
  });
  return found;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: await ensureChromium(), headless: true, args: ['--no-sandbox'] });
}

/** Where screenshots go: the run's test output folder (POLLBACK_TEST_OUTPUT), else ./test-output. */
export async function screenshotPath(name: string): Promise<string> {
  const dir = process.env.POLLBACK_TEST_OUTPUT ?? path.resolve(__dirname, '../../test-output');
  await mkdir(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}

/** Saves a full-page screenshot and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = await screenshotPath(name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Headless Chromium for tests of what people see (the Temporal Web UI), driven by
// playwright-core, which downloads no browser of its own. scripts/ensure-chromium finds it or
// installs Debian's `chromium` (as root), like scripts/ensure-temporal does for the CLI.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

const ENSURE_SCRIPT = path.resolve(__dirname, '../../scripts/ensure-chromium');

let found: Promise<string> | undefined;

/** The Chromium binary (CHROMIUM_PATH, PATH, else installed). A missing one fails loudly, never skips. */
export function ensureChromium(): Promise<string> {
  found ??= promisify(execFile)('bash', [ENSURE_SCRIPT], { maxBuffer: 1 << 20, env: process.env }).then(
    ({ stdout }) => {
      const executable = stdout.trim().split('\n').pop();
      if (!executable) throw new Error('scripts/ensure-chromium printed no path');
      return executable;
    },
    (err: { stderr?: string; message: string }) => {
      throw new Error(`Chromium is needed for the Web UI tests:\n${err.stderr?.trim() || err.message}`);
    },
  );
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

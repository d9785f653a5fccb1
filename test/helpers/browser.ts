// Headless Chromium for tests of what people see (the Temporal Web UI): Debian's `chromium`
// package (installed by .ci/run), driven by playwright-core, which downloads no browser of its own.
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The Chromium binary: CHROMIUM_PATH, else Debian's. A missing one fails loudly, never skips. */
export async function chromiumPath(): Promise<string> {
  const executable = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  try {
    await access(executable, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium not found at ${executable}${process.env.CHROMIUM_PATH ? ' (CHROMIUM_PATH)' : ''}: ` +
        'install it with `apt-get update && apt-get install -y --no-install-recommends chromium` (as .ci/run does), ' +
        'or point CHROMIUM_PATH at a Chromium binary',
    );
  }
  return executable;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), headless: true, args: ['--no-sandbox'] });
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

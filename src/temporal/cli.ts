// The Temporal CLI the embedded dev server runs from: $TEMPORAL_CLI, else `temporal` on PATH.
// Installing it is not the service's business: `npm start` runs scripts/ensure-temporal first,
// an image or a host provides it (or sets TEMPORAL_ADDRESS and needs none).
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export function temporalCli(env: Record<string, string | undefined>): string {
  if (env.TEMPORAL_CLI) return env.TEMPORAL_CLI;
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'temporal');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error('no Temporal CLI for the embedded dev server: set TEMPORAL_CLI=/path/to/temporal, put `temporal` on PATH (npm run ensure-temporal installs it), or set TEMPORAL_ADDRESS to use a running Temporal');
}

// The signal payloads' schemas (src/contract/signals.ts) are loaded at a job's first signal, not
// when it starts: the SDK evaluates a workflow's modules anew for every execution, and zod with
// those schemas costs more than the rest of the workflow code.
import type * as SignalPayloadsModule from '../contract/signals';

type SignalPayloads = typeof SignalPayloadsModule;
let payloads: SignalPayloads | undefined;

/** The payload schemas, evaluated once per execution, at its first signal. */
export function signalPayloads(): SignalPayloads {
  // A require inside a function is evaluated when called; the bundler still includes the module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  payloads ??= require('../contract/signals') as SignalPayloads;
  return payloads;
}

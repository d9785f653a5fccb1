// The workflow's signals and query. Their payloads' schemas (src/signal-payloads.ts) are loaded
// at a job's first signal, not when it starts: the SDK evaluates a workflow's modules anew for
// every execution, and zod with those schemas costs more than the rest of the workflow code.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type * as SignalPayloadsModule from '../signal-payloads';
import { CALLBACK_REFUSED_SIGNAL, CALLBACK_SIGNAL, STATUS_QUERY, type CallbackRefusedSignal, type CallbackSignal, type JobStatus, type PollProgress } from '../contract';

export const callbackSignal = defineSignal<[CallbackSignal]>(CALLBACK_SIGNAL);
export const callbackRefusedSignal = defineSignal<[CallbackRefusedSignal]>(CALLBACK_REFUSED_SIGNAL);
export const statusQuery = defineQuery<JobStatus>(STATUS_QUERY);
/** Sent by the download activity so the `status` query can show progress. */
export const downloadProgressSignal = defineSignal<[{ bytes: number; total?: number }]>('downloadProgress');
/** Sent, sparingly, by the polling activity so the `status` query shows how polling goes. */
export const pollProgressSignal = defineSignal<[PollProgress]>('pollProgress');

type SignalPayloads = typeof SignalPayloadsModule;
let payloads: SignalPayloads | undefined;

/** The payload schemas, evaluated once per execution, at its first signal. */
export function signalPayloads(): SignalPayloads {
  // A require inside a function is evaluated when called; the bundler still includes the module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  payloads ??= require('../signal-payloads') as SignalPayloads;
  return payloads;
}

// The workflow's signals and query, with the callback payloads' schemas: the gateway validates
// with them before signalling, and the workflow validates again, since anyone with Temporal
// access can signal directly.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { z } from 'zod';
import { CALLBACK_REFUSED_SIGNAL, CALLBACK_SIGNAL, STATUS_QUERY, type CallbackRefusedSignal, type CallbackSignal, type JobStatus } from '../contract';

export const callbackSignal = defineSignal<[CallbackSignal]>(CALLBACK_SIGNAL);
export const callbackRefusedSignal = defineSignal<[CallbackRefusedSignal]>(CALLBACK_REFUSED_SIGNAL);
export const statusQuery = defineQuery<JobStatus>(STATUS_QUERY);
/** Sent by the download activity so the `status` query can show progress. */
export const downloadProgressSignal = defineSignal<[{ bytes: number; total?: number }]>('downloadProgress');

/** Sent, sparingly, by the polling activity so the `status` query shows how polling goes. */
export const pollProgressSignal = defineSignal<[PollProgress]>('pollProgress');
export const pollProgressSchema = z.strictObject({
  polls: z.number().int().nonnegative(),
  rawStatus: z.string().max(256),
  state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  progress: z.number().min(0).max(100).optional(),
  nextPollAt: z.number().int().nonnegative(),
});
export type PollProgress = z.output<typeof pollProgressSchema>;

const runId = z.string().min(1).max(100).optional();
const error = z.string().max(256).optional();
const code = z.string().max(256).optional();
export const callbackSignalSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('success'), output: z.unknown().optional(), resultUrl: z.string().max(8192).optional(), sha256: z.string().regex(/^[0-9a-fA-F]{64}$/).optional(), runId }),
  z.strictObject({ kind: z.literal('failure'), error, cause: z.string().max(32_768).optional(), code, runId }),
  z.strictObject({ kind: z.literal('cancelled'), error, code, runId }),
  z.strictObject({ kind: z.literal('heartbeat'), progress: z.number().min(0).max(100).optional(), runId }),
]);

export const callbackRefusedSignalSchema = z.strictObject({ reason: z.string().min(1).max(500), runId });

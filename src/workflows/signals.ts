// The workflow's signal and query, with the callback payload's schema: the gateway validates
// with it before signalling, and the workflow validates again, since anyone with Temporal
// access can signal directly.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { z } from 'zod';
import { CALLBACK_SIGNAL, STATUS_QUERY, type CallbackSignal, type JobStatus } from '../contract';

export const callbackSignal = defineSignal<[CallbackSignal]>(CALLBACK_SIGNAL);
export const statusQuery = defineQuery<JobStatus>(STATUS_QUERY);
/** Sent by the download activity so the `status` query can show progress. */
export const downloadProgressSignal = defineSignal<[{ bytes: number; total?: number }]>('downloadProgress');

const runId = z.string().min(1).max(100).optional();
export const callbackSignalSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('success'), output: z.unknown().optional(), runId }),
  z.strictObject({ kind: z.literal('failure'), error: z.string().max(256).optional(), cause: z.string().max(32_768).optional(), runId }),
  z.strictObject({ kind: z.literal('heartbeat'), runId }),
]);

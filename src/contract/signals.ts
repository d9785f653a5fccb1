// What the workflow's signals carry, as schemas: the workflow validates every signal with them,
// since anyone with Temporal access can signal a job directly. Their types are derived from
// them, so each shape is written once. Written with zod/mini: the workflow builds
// them anew in every execution that receives a signal, and mini's schemas cost a fraction of
// classic zod's to build.
import * as z from 'zod/mini';
import { CALLBACK_LIMITS } from './callback-limits';

const text = (max: number) => z.optional(z.string().check(z.maxLength(max)));
const runId = z.optional(z.string().check(z.minLength(1), z.maxLength(100)));
const percent = z.number().check(z.minimum(0), z.maximum(100));

export const callbackSignalSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('success'), output: z.optional(z.unknown()), resultUrl: text(CALLBACK_LIMITS.resultUrl), sha256: z.optional(z.string().check(z.regex(/^[0-9a-fA-F]{64}$/))), runId }),
  z.strictObject({ kind: z.literal('failure'), error: text(CALLBACK_LIMITS.error), cause: text(CALLBACK_LIMITS.cause), code: text(CALLBACK_LIMITS.error), runId }),
  z.strictObject({ kind: z.literal('cancelled'), error: text(CALLBACK_LIMITS.error), code: text(CALLBACK_LIMITS.error), runId }),
  z.strictObject({ kind: z.literal('heartbeat'), progress: z.optional(percent), runId }),
]);

export const callbackRefusedSignalSchema = z.strictObject({ reason: z.string().check(z.minLength(1), z.maxLength(CALLBACK_LIMITS.refusedReason)), runId });

/** Sent, sparingly, by the polling activity so the `status` query shows how polling goes. */
export const pollProgressSchema = z.strictObject({
  polls: z.number().check(z.int(), z.nonnegative()),
  rawStatus: z.string().check(z.maxLength(256)),
  state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  progress: z.optional(percent),
  nextPollAt: z.number().check(z.int(), z.nonnegative()),
});

/** Sent by the download activity so the `status` query shows how far the download is. */
export const downloadProgressSchema = z.strictObject({
  bytes: z.number().check(z.int(), z.nonnegative()),
  total: z.optional(z.number().check(z.int(), z.nonnegative())),
});

/**
 * Payload of the `callback` signal. The gateway verifies the HMAC task token before it
 * signals, so the token itself never enters history; `runId` (the chain's first run id, a
 * claim of the token) lets the workflow ignore a callback meant for an earlier job that
 * reused the same workflow id. Senders with Temporal access may omit it.
 */
export type CallbackSignal = z.output<typeof callbackSignalSchema>;

/** Payload of the `callbackRefused` signal: why a callback that authenticated was not accepted. */
export type CallbackRefusedSignal = z.output<typeof callbackRefusedSignalSchema>;

/** Payload of the `downloadProgress` signal the download activity sends: bytes so far, and the total when announced. */
export type DownloadProgress = z.output<typeof downloadProgressSchema>;

/** Payload of the `pollProgress` signal the polling activity sends. */
export type PollProgress = z.output<typeof pollProgressSchema>;

// What a callback says happened, in Pollback's words: the profile's state extractor and its map
// of the API's own words (the same language as the `status` section), or Pollback's own body.
// Pure: the gateway decides who may call before this runs, and what to answer after.
import { z } from 'zod';
import type { CallbackSignal } from '../../contract/signals';
import type { CallbackSpec } from '../../contract/profile/callback';
import { describeExtractor, extract, extractProgress, extractString, type ResponseView } from '../../profiles/extract';
import { describeIssues } from '../../contract/validation';
import type { ProblemType } from '../problem';
import { CALLBACK_LIMITS, clip } from '../../contract/callback-limits';

export type Verdict =
  | { kind: 'signal'; signal: CallbackSignal; state: string }
  /** Authenticated but unreadable: the job is told why (the reason carries no body and no secret). */
  | { kind: 'refused'; reason: string; problemType?: ProblemType }
  /** A state the profile says to ignore (e.g. an unrelated event type): nothing changes. */
  | { kind: 'ignored'; state: string };


// ---------------------------------------------------------------------------------------------
// Pollback's own style: `{"status": "success" | "failure" | "heartbeat", …}`.

const taskToken = z.string().optional();
export const pollbackBodySchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('success'), output: z.unknown().optional(), taskToken }),
  z.object({ status: z.literal('failure'), error: z.string().max(CALLBACK_LIMITS.error).optional(), cause: z.string().max(CALLBACK_LIMITS.cause).optional(), code: z.string().max(CALLBACK_LIMITS.error).optional(), taskToken }),
  z.object({ status: z.literal('heartbeat'), progress: z.number().min(0).max(100).optional().describe('percent complete'), taskToken }),
]);
export type PollbackBody = z.infer<typeof pollbackBodySchema>;

export function pollbackSignal(body: PollbackBody): CallbackSignal {
  switch (body.status) {
    case 'success':
      return { kind: 'success', output: body.output };
    case 'failure':
      return failureSignal(body.error, body.cause, body.code);
    case 'heartbeat':
      return { kind: 'heartbeat', progress: body.progress };
  }
}

export function failureSignal(error: string | undefined, cause: string | undefined, code?: string): CallbackSignal {
  return { kind: 'failure', error, cause, code };
}

export function interpretPollbackBody(body: unknown): Verdict {
  const parsed = pollbackBodySchema.safeParse(body);
  if (!parsed.success) return { kind: 'refused', reason: clip(`the body is not a Pollback callback: ${describeIssues(parsed.error)}`, 400), problemType: 'InvalidRequest' };
  return { kind: 'signal', signal: pollbackSignal(parsed.data), state: parsed.data.status };
}

// ---------------------------------------------------------------------------------------------
// An API's own style, described by the profile.

type ApiStyle = CallbackSpec & { state: NonNullable<CallbackSpec['state']>; states: NonNullable<CallbackSpec['states']> };
const STATES = ['running', 'succeeded', 'failed', 'cancelled'] as const;

export const describesItsOwnBody = (spec: CallbackSpec | undefined): spec is ApiStyle => spec?.state !== undefined && spec.states !== undefined;

/** The body as the job may keep it: without the task token when the token rides in the body. */
export function bodyWithoutToken(body: unknown, tokenField: string | undefined): unknown {
  if (tokenField === undefined || body === null || typeof body !== 'object') return body;
  const copy = structuredClone(body) as Record<string, unknown>;
  const path = tokenField.split('.');
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  if (node !== null && typeof node === 'object') delete (node as Record<string, unknown>)[path[path.length - 1] ?? ''];
  return copy;
}

function success(spec: ApiStyle, view: ResponseView, keep: unknown, state: string): Verdict {
  const output = spec.output ? extract(spec.output, { ...view, body: keep }) : keep;
  const resultUrl = extractString(spec.resultUrl, view);
  if (resultUrl !== undefined && !/^https?:\/\/\S{1,8000}$/.test(resultUrl)) {
    return { kind: 'refused', reason: `the result URL at ${describeExtractor(spec.resultUrl ?? { body: '' })} is not an http(s) URL` };
  }
  const sha256 = extractString(spec.sha256, view);
  if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) {
    return { kind: 'refused', reason: `the sha256 at ${describeExtractor(spec.sha256 ?? { body: '' })} is not 64 hex digits` };
  }
  return {
    kind: 'signal',
    state,
    signal: { kind: 'success', output, resultUrl, sha256 },
  };
}

export function interpretApiBody(spec: ApiStyle, view: ResponseView, tokenField?: string): Verdict {
  const state = extractString(spec.state, view);
  if (state === undefined) return { kind: 'refused', reason: `no state at ${describeExtractor(spec.state)}` };
  const meaning = STATES.find((s) => spec.states[s]?.includes(state));
  if (!meaning) {
    if (spec.otherStates === 'ignore') return { kind: 'ignored', state };
    const known = STATES.flatMap((s) => spec.states[s] ?? []).join(', ');
    return { kind: 'refused', reason: `state "${clip(state, 50)}" at ${describeExtractor(spec.state)} is not one of the profile's callback states (${known})` };
  }
  const keep = bodyWithoutToken(view.body, tokenField);
  const error = extractString(spec.error, view);
  const code = extractString(spec.errorCode, view);
  const failure = { ...(error !== undefined ? { error: clip(error, CALLBACK_LIMITS.error) } : { error: `the API reported "${clip(state, 50)}"` }), ...(code !== undefined ? { code: clip(code, CALLBACK_LIMITS.error) } : {}) };
  switch (meaning) {
    case 'running': {
      const progress = extractProgress(spec.progress, spec.progressMax, view);
      return { kind: 'signal', state, signal: { kind: 'heartbeat', progress } };
    }
    case 'succeeded':
      return success(spec, view, keep, state);
    case 'failed':
      return { kind: 'signal', state, signal: { kind: 'failure', ...failure, cause: clip(JSON.stringify(keep) ?? '', CALLBACK_LIMITS.cause) } };
    case 'cancelled':
      return { kind: 'signal', state, signal: { kind: 'cancelled', ...failure } };
  }
}

/** The profile's reading of a callback: its own body style, or Pollback's. */
export function interpret(spec: CallbackSpec | undefined, view: ResponseView, tokenField?: string): Verdict {
  return describesItsOwnBody(spec) ? interpretApiBody(spec, view, tokenField) : interpretPollbackBody(view.body);
}

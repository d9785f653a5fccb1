// Jittered retries. Temporal schedules an activity's retry at exactly the policy's backoff, or
// exactly at a failure's nextRetryDelay (our Retry-After), with no randomness: 500 jobs that all
// met the same 429 would all come back at the same instant, and meet it again. Every retryable
// failure of our activities therefore carries its own delay, spread at random over a window.
import type { Context } from '@temporalio/activity';
import { ApplicationFailure, type RetryPolicy } from '@temporalio/common';
import { msOptionalToNumber } from '@temporalio/common/lib/time';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';

export interface RetryDelayInput {
  /** The attempt that just failed, from 1. */
  attempt: number;
  policy: { initialIntervalMs: number; backoffCoefficient: number; maximumIntervalMs: number };
  /** The API's Retry-After: the wait is never shorter. */
  retryAfterMs?: number;
  /** [0, 1) */
  random: number;
}

/**
 * Equal jitter on the policy's exponential step, with Retry-After as a floor: the wait is drawn
 * from [floor, 2 × floor), floor = max(step / 2, Retry-After), and kept within the policy's
 * maximum interval (Temporal would cut it there anyway) unless Retry-After itself asks for more.
 */
export function jitteredRetryDelay({ attempt, policy, retryAfterMs, random }: RetryDelayInput): number {
  const step = Math.min(policy.maximumIntervalMs, policy.initialIntervalMs * policy.backoffCoefficient ** Math.max(0, attempt - 1));
  const floor = Math.max(step / 2, retryAfterMs ?? 0);
  const ceiling = Math.max(floor, Math.min(2 * floor, policy.maximumIntervalMs));
  return Math.round(floor + random * (ceiling - floor));
}

function policyOf(policy: RetryPolicy | undefined): RetryDelayInput['policy'] {
  const initialIntervalMs = msOptionalToNumber(policy?.initialInterval) ?? 1_000;
  const backoffCoefficient = policy?.backoffCoefficient ?? 2;
  return { initialIntervalMs, backoffCoefficient, maximumIntervalMs: msOptionalToNumber(policy?.maximumInterval) ?? 100 * initialIntervalMs };
}

class JitteredRetries implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: Context) {}

  async execute(input: Parameters<NonNullable<ActivityInboundCallsInterceptor['execute']>>[0], next: Parameters<NonNullable<ActivityInboundCallsInterceptor['execute']>>[1]): Promise<unknown> {
    try {
      return await next(input);
    } catch (err) {
      if (!(err instanceof ApplicationFailure) || err.nonRetryable) throw err;
      const { attempt, retryPolicy } = this.ctx.info;
      const retryAfterMs = msOptionalToNumber(err.nextRetryDelay ?? undefined);
      const delay = jitteredRetryDelay({ attempt, policy: policyOf(retryPolicy), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), random: Math.random() });
      throw ApplicationFailure.create({
        message: err.message,
        ...(err.type ? { type: err.type } : {}),
        nonRetryable: false,
        details: err.details ?? [],
        ...(err.cause ? { cause: err.cause } : {}),
        ...(err.category ? { category: err.category } : {}),
        nextRetryDelay: delay,
      });
    }
  }
}

/** For WorkerOptions.interceptors.activity. */
export const jitteredRetries: ActivityInterceptorsFactory = (ctx) => ({ inbound: new JitteredRetries(ctx) });

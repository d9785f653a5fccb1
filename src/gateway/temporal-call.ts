// Every Temporal call the gateway makes is bounded: the SDK would otherwise retry an
// unreachable server for about 20 s while the caller waits. Past the bound the caller gets a
// 503 with Retry-After and retries; callbacks are idempotent, so a repeat is harmless.
import { isGrpcServiceError, ServiceError, type Client } from '@temporalio/client';
import { HttpProblem, ProblemType } from './problem';

export interface TemporalAccess {
  client: Client;
  /** Upper bound on one Temporal call, ms. */
  temporalTimeoutMs: number;
}

export const RETRY_AFTER_SECONDS = 5;

export function bounded<T>(temporal: TemporalAccess, fn: () => Promise<T>): Promise<T> {
  return temporal.client.connection.withDeadline(Date.now() + temporal.temporalTimeoutMs, fn);
}

const UNREACHABLE_CODES: readonly number[] = [4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */];

/** Temporal could not be reached (as opposed to answering no). */
export function isTemporalUnavailable(err: unknown): boolean {
  // The SDK wraps gRPC errors once (ServiceError) or twice (e.g. a failed query).
  let current: unknown = err;
  for (let depth = 0; depth < 3 && current !== undefined; depth++) {
    if (isGrpcServiceError(current)) return UNREACHABLE_CODES.includes(current.code);
    current = current instanceof ServiceError || current instanceof Error ? current.cause : undefined;
  }
  return false;
}

export function temporalUnavailable(): HttpProblem {
  return new HttpProblem(503, ProblemType.ServiceUnavailable, 'Temporal is unreachable; retry later', undefined, { 'retry-after': String(RETRY_AFTER_SECONDS) });
}

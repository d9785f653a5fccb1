// RFC 9457 problem details: every refusal the gateway makes has this shape, with a stable
// `type` a client can match on (the typed client in src/client/ does).
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

/**
 * Every `type` the gateway answers with. Callers match on these names, so they never change;
 * the callback ones are Step Functions' own names, so SFN callers need no translation table.
 */
export const ProblemType = {
  InvalidRequest: 'InvalidRequest',
  Unauthorized: 'Unauthorized',
  NotFound: 'NotFound',
  MethodNotAllowed: 'MethodNotAllowed',
  PayloadTooLarge: 'PayloadTooLarge',
  UnsupportedMediaType: 'UnsupportedMediaType',
  RateLimited: 'RateLimited',
  ServiceUnavailable: 'ServiceUnavailable',
  InternalError: 'InternalError',
  // callbacks
  InvalidToken: 'InvalidToken',
  TaskTimedOut: 'TaskTimedOut',
  TaskDoesNotExist: 'TaskDoesNotExist',
  InvalidOutput: 'InvalidOutput',
  /** The caller authenticated, but its callback could not be read (the job is told why). */
  CallbackRefused: 'CallbackRefused',
  /** A correlated callback matched no job (yet): the sender should retry. */
  NoMatchingJob: 'NoMatchingJob',
  /** A profile's callback endpoint that this gateway cannot serve (unknown profile, secret not set). */
  CallbackEndpointNotFound: 'CallbackEndpointNotFound',
  CallbackNotConfigured: 'CallbackNotConfigured',
  /** The Step Functions endpoint was asked for an operation other than the three task calls. */
  UnknownOperation: 'UnknownOperation',
  // webhooks
  WebhookSourceNotFound: 'WebhookSourceNotFound',
  InvalidSignature: 'InvalidSignature',
  // jobs
  JobNotFound: 'JobNotFound',
  IdempotencyKeyReused: 'IdempotencyKeyReused',
  ResultNotReady: 'ResultNotReady',
  ResultNotAvailable: 'ResultNotAvailable',
  RangeNotSatisfiable: 'RangeNotSatisfiable',
  // schedules
  ScheduleNotFound: 'ScheduleNotFound',
  ScheduleExists: 'ScheduleExists',
  // payload encryption
  /** A page of another origin than POLLBACK_CODEC_CORS_ORIGINS called the codec endpoint. */
  OriginNotAllowed: 'OriginNotAllowed',
  /** A stored payload cannot be decrypted (its key id is not configured, or it does not authenticate). */
  PayloadUndecryptable: 'PayloadUndecryptable',
} as const;
export type ProblemType = (typeof ProblemType)[keyof typeof ProblemType];

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
});
export type Problem = z.infer<typeof problemSchema>;

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly problemType: ProblemType,
    title: string,
    readonly detail?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(title);
  }
}

/** The problem type for a status Fastify or a plugin produced on its own. */
export function problemTypeForStatus(status: number): ProblemType {
  switch (status) {
    case 401:
      return ProblemType.Unauthorized;
    case 404:
      return ProblemType.NotFound;
    case 405:
      return ProblemType.MethodNotAllowed;
    case 413:
      return ProblemType.PayloadTooLarge;
    case 415:
      return ProblemType.UnsupportedMediaType;
    case 416:
      return ProblemType.RangeNotSatisfiable;
    case 429:
      return ProblemType.RateLimited;
    case 503:
      return ProblemType.ServiceUnavailable;
    default:
      return status >= 500 ? ProblemType.InternalError : ProblemType.InvalidRequest;
  }
}

export function sendProblem(reply: FastifyReply, problem: HttpProblem): FastifyReply {
  return reply
    .code(problem.status)
    .headers(problem.headers)
    .type('application/problem+json')
    .send({ type: problem.problemType, title: problem.message, status: problem.status, ...(problem.detail ? { detail: problem.detail } : {}) });
}

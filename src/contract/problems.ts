// RFC 9457 problem details: the shape of every refusal of the HTTP API, and its stable `type`
// names, which the gateway answers with and the typed client matches on.
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

// One translation from whatever went wrong to a problem: schema failures name the field,
// Fastify's own refusals (413, 415, …) and plugin refusals (429) get stable types, Temporal
// being unreachable becomes a 503 with Retry-After, and anything unexpected is logged and
// answered without internals.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { PayloadDecryptionError } from '../codec/encryption-codec';
import { HttpProblem, ProblemType, problemTypeForStatus, sendProblem } from './problem';
import { isTemporalUnavailable, temporalUnavailable } from './temporal-call';

/** `body: completion.mode: Invalid input…; …` — the part of the request, then each field path. */
function describeValidation(err: FastifyError & { validation: { instancePath: string; message?: string }[] }): string {
  const fields = err.validation.map((v) => `${v.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(whole)'}: ${v.message ?? 'invalid'}`);
  return `${err.validationContext ?? 'body'}: ${fields.join('; ')}`;
}

/** The SDK may wrap a codec's error: look down the cause chain. */
function decryptionError(err: unknown): PayloadDecryptionError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e instanceof PayloadDecryptionError) return e;
  return undefined;
}

export function toProblem(err: FastifyError, request: FastifyRequest): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    return new HttpProblem(400, ProblemType.InvalidRequest, 'the request does not match the schema', describeValidation(err));
  }
  if (isTemporalUnavailable(err)) return temporalUnavailable();
  // A job whose payloads this gateway's keys cannot decrypt: the operator must know which key is
  // missing (its id is no secret), not face a bare internal error.
  const undecryptable = decryptionError(err);
  if (undecryptable) {
    request.log.error({ keyId: undecryptable.keyId }, 'a stored payload cannot be decrypted');
    return new HttpProblem(500, ProblemType.PayloadUndecryptable, 'a stored payload cannot be decrypted', undecryptable.message);
  }
  const status = err.statusCode ?? 500;
  if (status < 500) return new HttpProblem(status, problemTypeForStatus(status), err.message);
  request.log.error({ err }, 'unhandled gateway error');
  return new HttpProblem(500, ProblemType.InternalError, 'internal error');
}

export function problemErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = toProblem(err, request);
  // A handler that refused an authenticated callback has already said so: keep its outcome.
  if (request.callbackOutcome !== 'refused') request.callbackOutcome = problem.problemType;
  return sendProblem(reply, problem);
}

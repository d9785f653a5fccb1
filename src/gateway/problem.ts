// RFC 9457 problem details: every refusal the gateway makes has this shape, with a stable
// `type` a client can match on (the typed client in src/client/ does).
import type { FastifyReply } from 'fastify';
import { ProblemType } from '../contract/problems';

export { ProblemType, problemSchema, type Problem } from '../contract/problems';

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

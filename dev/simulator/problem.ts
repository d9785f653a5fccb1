// Every error leaves the simulator as RFC 9457 problem+json, so clients under test exercise the
// same error-body parsing they need against real APIs.
import { type FastifyReply } from 'fastify';

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
  }
}

export function sendProblem(reply: FastifyReply, status: number, title: string, detail: string, headers: Readonly<Record<string, string>> = {}): FastifyReply {
  const type = `urn:pollback:simulator:${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return reply.code(status).headers(headers).type('application/problem+json').send({ type, title, status, detail });
}

export function notFound(what: string): HttpProblem {
  return new HttpProblem(404, 'not found', what);
}

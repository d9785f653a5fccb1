// RFC 9457 problem details: every refusal the gateway makes has this shape, with a stable
// `type` a client can match on.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

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
    readonly problemType: string,
    title: string,
    readonly detail?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(title);
  }
}

export function sendProblem(reply: FastifyReply, problem: HttpProblem): FastifyReply {
  return reply
    .code(problem.status)
    .headers(problem.headers)
    .type('application/problem+json')
    .send({ type: problem.problemType, title: problem.message, status: problem.status, ...(problem.detail ? { detail: problem.detail } : {}) });
}

// Bearer-token auth for the job API. Tokens are compared as SHA-256 digests with
// timingSafeEqual: equal lengths always, so neither the content nor the length of a valid
// token leaks through timing. Every configured token is checked, match or not.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpProblem, ProblemType } from './problem';

/** `off` only where the operator said so (POLLBACK_API_AUTH=off); no tokens means nobody gets in. */
export type ApiAuth = { tokens: readonly string[] } | 'off';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Whether `token` is one of the API tokens; constant time, every token checked. */
export function tokenChecker(auth: { tokens: readonly string[] }): (token: string) => boolean {
  const expected = auth.tokens.map(digest);
  return (token) => {
    const given = digest(token);
    let ok = false;
    for (const candidate of expected) ok = timingSafeEqual(given, candidate) || ok;
    return ok;
  };
}

export const unauthorized = (detail: string): HttpProblem =>
  new HttpProblem(401, ProblemType.Unauthorized, 'a valid bearer token is required', detail, { 'www-authenticate': 'Bearer realm="pollback"' });

export function bearerAuth(auth: ApiAuth): (request: FastifyRequest) => Promise<void> {
  if (auth === 'off') return () => Promise.resolve();
  const accepted = tokenChecker(auth);
  return (request) => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) return Promise.reject(unauthorized('send Authorization: Bearer <token>'));
    return accepted(match[1]) ? Promise.resolve() : Promise.reject(unauthorized('the bearer token is not accepted'));
  };
}

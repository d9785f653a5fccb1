// CORS for the codec endpoint: the Temporal Web UI calls it from the browser, from the UI's own
// origin. Only configured origins (POLLBACK_CODEC_CORS_ORIGINS) may; any other page is refused
// outright, so a stolen token cannot be used from a page of someone else's. Requests without
// Origin (the CLI, curl, servers) are not cross-origin browser requests and are left alone.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem, ProblemType } from '../problem';

/** What the Web UI sends: JSON, the namespace it shows, and a bearer when it passes one. */
export const CODEC_ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization';
/** Browsers may cache a preflight answer this long (seconds). */
const PREFLIGHT_MAX_AGE = 600;

export function codecCors(origins: readonly string[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const allowed = new Set(origins);
  return (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined) return Promise.resolve();
    if (!allowed.has(origin)) {
      return Promise.reject(new HttpProblem(403, ProblemType.OriginNotAllowed, 'this origin may not call the codec endpoint', `${origin} is not in POLLBACK_CODEC_CORS_ORIGINS`));
    }
    void reply
      .header('access-control-allow-origin', origin)
      .header('vary', 'Origin')
      // The UI's "include credentials" setting sends cookies; allowed only for these origins.
      .header('access-control-allow-credentials', 'true');
    return Promise.resolve();
  };
}

/** The answer to a preflight (OPTIONS) from an allowed origin; codecCors has already vetted it. */
export function preflight(_request: FastifyRequest, reply: FastifyReply): void {
  void reply
    .code(204)
    .header('access-control-allow-methods', 'POST, OPTIONS')
    .header('access-control-allow-headers', CODEC_ALLOWED_HEADERS)
    .header('access-control-max-age', String(PREFLIGHT_MAX_AGE))
    .send();
}

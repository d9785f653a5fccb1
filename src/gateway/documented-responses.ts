// The OpenAPI document must list every status a route can answer, in the media type it is
// answered in. Routes name their own outcomes; the refusals every route can give (a request
// that cannot be read, the rate limit, an internal error) are added here, once, and every
// problem is documented as application/problem+json. Registered before the routes and the
// OpenAPI plugin, so both see the completed schemas.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { problemSchema } from './problem';

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request cannot be read or does not match the schema; `detail` names the part and the field',
  401: 'Missing or invalid credentials (bearer token, task token or signature)',
  403: 'The request comes from a page whose origin is not allowed (POLLBACK_CODEC_CORS_ORIGINS)',
  404: 'No such job, task or source',
  409: 'The result is not ready or not available',
  410: 'The task token has expired',
  413: 'The body is larger than POLLBACK_BODY_LIMIT',
  415: 'Only JSON is accepted',
  416: 'The range cannot be satisfied',
  422: 'The request is well-formed but cannot be carried out',
  429: 'Too many requests from this client (POLLBACK_RATE_LIMIT); see Retry-After',
  500: 'An unexpected error (logged by the gateway; no internals are shown)',
  503: 'Temporal is unreachable; retry after Retry-After',
};

const describe = (status: number): string => DESCRIPTIONS[status] ?? 'Refused';

interface ContentResponse {
  description: string;
  content: Record<string, { schema: unknown }>;
}

const isContentResponse = (value: unknown): value is ContentResponse => typeof value === 'object' && value !== null && 'content' in value;

export function problemResponse(status: number): ContentResponse {
  return { description: describe(status), content: { 'application/problem+json': { schema: problemSchema } } };
}

function completeResponses(route: RouteOptions): void {
  const schema = route.schema;
  if (!schema || schema.hide) return;
  const response: Record<string, unknown> = { ...(schema.response as Record<string, unknown> | undefined) };
  for (const [status, entry] of Object.entries(response)) {
    if (Number(status) >= 400 && entry === problemSchema) response[status] = problemResponse(Number(status));
  }
  // A route that answers refusals in its own protocol (the Step Functions one) keeps that form.
  const own = Object.entries(response).find(([status, entry]) => Number(status) >= 400 && isContentResponse(entry))?.[1] as ContentResponse | undefined;
  const refusal = (status: number): ContentResponse => (own ? { description: describe(status), content: own.content } : problemResponse(status));
  const methods = ([] as string[]).concat(route.method);
  const takesBody = methods.some((m) => ['POST', 'PUT', 'PATCH'].includes(m));
  const always = [
    400,
    500,
    ...((route.config as { rateLimit?: unknown } | undefined)?.rateLimit === false ? [] : [429]),
    // Any route with a body parser refuses a body too large or in another media type.
    ...(takesBody ? [413, 415] : []),
  ];
  for (const status of always) response[status] ??= refusal(status);
  schema.response = response;
}

export function documentResponses(app: FastifyInstance): void {
  app.addHook('onRoute', completeResponses);
}

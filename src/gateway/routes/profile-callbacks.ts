// `POST /v1/profiles/:profile/callback[/:token]`: callbacks in an API's own words, as its
// profile's `callback` section describes them. Who is calling is settled first — a task token
// (in the path, the query, a Bearer header, a named header or a body field), or a signature /
// shared secret plus a correlation value matched against the remote job id — and a caller who
// cannot be authenticated touches no job. Then the profile reads what happened; a callback it
// cannot read is refused (422) and the job is told why.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isTokenAuth, usesProfileEndpoint, type CallbackSpec, type CorrelationAuth, type TokenAuth } from '../../contract/profile/callback';
import { describeExtractor, extractString } from '../../profiles/extract';
import type { Profile } from '../../contract/profile/schema';
import { lookup } from '../../profiles/template';
import { interpret, type Verdict } from '../callbacks/interpret';
import { keepRawJson } from '../callbacks/raw-json';
import { checkSignature, sharedSecretMatches } from '../callbacks/signature';
import { deliverByCorrelation, deliverByToken, type CallbackTarget, type Delivery } from '../deliver-callback';
import { HttpProblem, ProblemType, problemSchema } from '../problem';
import { logJobs } from '../request-log';
import { refusedProblem } from './callbacks';
import { CALLBACK_LIMITS } from '../../contract/callback-limits';
import { profileCallbackAckSchema } from '../../contract/job-api';

export interface ProfileCallbackDeps extends CallbackTarget {
  profiles: ReadonlyMap<string, Profile>;
  /** Where signature and shared secrets are read from (process.env in production). */
  env: Readonly<Record<string, string | undefined>>;
}

const MAX_CORRELATION_LENGTH = 256;

/** Any JSON value (z.json() is recursive, which the OpenAPI transform cannot reference). */
const anyJson = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown())]);

type CallbackAnswer = z.infer<typeof profileCallbackAckSchema> | z.infer<typeof anyJson>;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function tokenFrom(auth: TokenAuth, request: FastifyRequest<{ Params: { token?: string }; Querystring: Record<string, string | undefined> }>): string {
  let token: unknown;
  let where: string;
  switch (auth.token) {
    case 'path':
      token = request.params.token;
      where = 'the URL path';
      break;
    case 'query':
      token = request.query[auth.name];
      where = `query parameter ${auth.name}`;
      break;
    case 'bearer':
      token = /^Bearer\s+(\S+)$/i.exec(single(request.headers.authorization) ?? '')?.[1];
      where = 'an Authorization: Bearer header';
      break;
    case 'header':
      token = single(request.headers[auth.name.toLowerCase()]);
      where = `header ${auth.name}`;
      break;
    case 'body':
      token = lookup(request.body, auth.field);
      where = `body field ${auth.field}`;
      break;
  }
  if (typeof token !== 'string' || token.length === 0 || token.length > CALLBACK_LIMITS.taskToken) throw new HttpProblem(401, ProblemType.InvalidToken, `no task token in ${where}`);
  return token;
}

function secretOf(profile: Profile, env: ProfileCallbackDeps['env'], secretEnv: string): string {
  const secret = env[secretEnv];
  // A gateway without the secret cannot tell a real callback from a forged one: a 5xx, so the API retries once it is set.
  if (!secret) throw new HttpProblem(500, ProblemType.CallbackNotConfigured, `the gateway cannot verify callbacks of profile "${profile.name}"`, `environment variable ${secretEnv} is not set on the gateway`);
  return secret;
}

function authenticate(profile: Profile, auth: CorrelationAuth, request: FastifyRequest, env: ProfileCallbackDeps['env']): void {
  if (auth.signature) {
    const check = checkSignature(auth.signature, secretOf(profile, env, auth.signature.secretEnv), request.rawBody ?? Buffer.alloc(0), request.headers);
    if (!check.ok) throw new HttpProblem(401, ProblemType.InvalidSignature, 'the callback signature is not valid', check.reason);
  } else if (auth.sharedSecret) {
    if (!sharedSecretMatches(secretOf(profile, env, auth.sharedSecret.secretEnv), single(request.headers[auth.sharedSecret.header.toLowerCase()]))) {
      throw new HttpProblem(401, ProblemType.InvalidSignature, `the ${auth.sharedSecret.header} secret does not match`);
    }
  }
}

function verdictOf(spec: CallbackSpec, request: FastifyRequest, tokenField?: string): Verdict {
  if (request.bodyNotJson) return { kind: 'refused', reason: 'the body is not valid JSON' };
  return interpret(spec, { headers: request.headers, body: request.body }, tokenField);
}

/** One answer for the whole request: refused if it was refused, else the API's expected acknowledgement. */
function answer(request: FastifyRequest, reply: FastifyReply, spec: CallbackSpec, deliveries: Delivery[], finished?: { jobId: string; jobStatus: string }): CallbackAnswer {
  logJobs(request, finished ? [finished.jobId] : deliveries.map((d) => d.jobId));
  const refused = deliveries.find((d) => d.outcome === 'refused');
  if (refused?.outcome === 'refused') {
    request.callbackOutcome = 'refused';
    throw refusedProblem(refused.reason);
  }
  const delivered = deliveries.some((d) => d.outcome === 'delivered');
  const done = finished ?? deliveries.map((d) => (d.outcome === 'already-finished' ? d : undefined)).find(Boolean);
  request.callbackOutcome = delivered ? 'delivered' : done ? 'already-finished' : 'ignored';
  void reply.code(spec.response?.status ?? 200);
  // The profile's body was parsed from YAML or JSON, so it is a JSON value.
  if (spec.response?.body !== undefined) return spec.response.body as z.infer<typeof anyJson>;
  return {
    delivered,
    accepted: delivered,
    jobIds: finished ? [finished.jobId] : deliveries.map((d) => d.jobId),
    ...(done ? { jobStatus: done.jobStatus } : {}),
  };
}

export const profileCallbackRoutes: FastifyPluginAsync<ProfileCallbackDeps> = (app, deps) => {
  keepRawJson(app);
  const handler = async (request: FastifyRequest<{ Params: { profile: string; token?: string }; Querystring: Record<string, string | undefined> }>, reply: FastifyReply): Promise<CallbackAnswer> => {
    const profile = deps.profiles.get(request.params.profile);
    const spec = profile?.callback;
    if (!profile || !spec || !usesProfileEndpoint(spec)) {
      throw new HttpProblem(404, ProblemType.CallbackEndpointNotFound, `no profile "${request.params.profile}" with a callback style of its own is loaded on this gateway`);
    }
    const auth = spec.auth ?? { token: 'path' as const };
    if (isTokenAuth(auth)) {
      const delivery = await deliverByToken(deps, tokenFrom(auth, request), () => verdictOf(spec, request, auth.token === 'body' ? auth.field : undefined));
      return answer(request, reply, spec, [delivery]);
    }
    authenticate(profile, auth, request, deps.env);
    const correlation = request.bodyNotJson ? undefined : extractString(auth.correlate, { headers: request.headers, body: request.body });
    if (correlation === undefined || correlation.length > MAX_CORRELATION_LENGTH) {
      request.callbackOutcome = 'refused';
      throw refusedProblem(request.bodyNotJson ? 'the body is not valid JSON' : `no job id at ${describeExtractor(auth.correlate)}`);
    }
    const { deliveries, finished } = await deliverByCorrelation(deps, correlation, profile.name, () => verdictOf(spec, request));
    if (deliveries.length === 0 && !finished) {
      request.log.info({ profile: profile.name, correlation }, 'callback matched no job; nothing changed');
      request.callbackOutcome = 'unmatched';
      // Not 2xx: a callback that raced ahead of its job's start is delivered by the sender's retry.
      throw new HttpProblem(404, ProblemType.NoMatchingJob, 'no job waits for this remote job id (yet)', undefined, { 'retry-after': '1' });
    }
    return answer(request, reply, spec, deliveries, deliveries.length === 0 ? finished : undefined);
  };
  const schema = {
    tags: ['callbacks'],
    description: "A callback in the API's own words, read as the profile's `callback` section says. Duplicates and late callbacks are acknowledged; a callback that authenticates but cannot be read is 422 CallbackRefused (and the job is told why).",
    body: z.unknown(),
    response: { '2xx': z.union([profileCallbackAckSchema, anyJson]).describe("Pollback's acknowledgement, or the body the profile's callback.response names"), 401: problemSchema, 404: problemSchema, 410: problemSchema, 413: problemSchema, 415: problemSchema, 422: problemSchema, 429: problemSchema, 500: problemSchema, 503: problemSchema },
  };
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.post('/v1/profiles/:profile/callback', {
    config: { callbackKind: 'profile' },
    schema: { ...schema, summary: "A profile's callback endpoint (token beside the URL, or correlation by remote job id)", params: z.object({ profile: z.string().min(1).max(100) }) },
  }, handler);
  routes.post('/v1/profiles/:profile/callback/:token', {
    config: { callbackKind: 'profile' },
    schema: { ...schema, summary: "A profile's callback endpoint (token in the path)", params: z.object({ profile: z.string().min(1).max(100), token: z.string().min(1).max(CALLBACK_LIMITS.taskToken) }) },
  }, handler);
  return Promise.resolve();
};

// The gateway's composition root: one Fastify app whose routes carry their zod schemas, with
// the OpenAPI document generated from them. Every refusal is problem+json (RFC 9457).
import rateLimit from '@fastify/rate-limit';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { Registry } from 'prom-client';
import { DEFAULT_TASK_QUEUE } from '../contract/names';
import { BUILTIN_PROFILES_DIR, loadProfiles } from '../profiles/loader';
import type { Profile } from '../contract/profile/schema';
import type { S3Settings } from '../storage/s3';
import type { Keyring } from '../tokens/task-token';
import { bearerAuth, type ApiAuth } from './auth';
import { documentResponses } from './documented-responses';
import { problemErrorHandler } from './error-handler';
import { GatewayMetrics } from './metrics';
import { trackAllowedMethods } from './method-not-allowed';
import { registerOpenApi } from './openapi';
import { HttpProblem, ProblemType, sendProblem } from './problem';
import { gatewayLogging, jobIdsInRequestLogs, type GatewayLogger } from './request-log';
import { requestTracing } from './request-trace';
import { callbackRoutes } from './routes/callbacks';
import { codecRoutes } from './routes/codec';
import { healthRoutes } from './routes/health';
import { jobResultRoutes } from './routes/job-result';
import { jobRoutes } from './routes/jobs';
import { profileCallbackRoutes } from './routes/profile-callbacks';
import { scheduleRoutes } from './routes/schedules';
import { sfnRoutes } from './routes/sfn';
import { webhookRoutes } from './routes/webhooks';
import type { WebhookSource } from './webhooks/sources';
import { CALLBACK_LIMITS } from '../contract/callback-limits';

export interface GatewayDeps {
  client: Client;
  keyring: Keyring;
  /** Task queue new jobs start on, and whose jobs the list and metrics show. */
  taskQueue?: string;
  /** Defaults to the client's namespace. */
  namespace?: string;
  /** Temporal Web UI base, for job links. */
  webUiUrl?: string;
  /** Job API auth. Default: no tokens, so the job API refuses everyone; `off` only on purpose. */
  apiAuth?: ApiAuth;
  webhookSources?: ReadonlyMap<string, WebhookSource>;
  /** Profiles whose callback sections the gateway serves (default: the built-in ones). */
  profiles?: ReadonlyMap<string, Profile>;
  /** Where profiles' callback secrets are read from (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The workers' download folder; results are streamed only from inside it. */
  resultRoot?: string;
  /** Results uploaded to S3 are handed out as pre-signed GET redirects, for these buckets only. */
  s3?: S3Settings;
  /**
   * Requests per window (default a minute) per client IP; 0 or unset: no limit. main.ts sets
   * POLLBACK_RATE_LIMIT (600 by default); embedders and test stacks choose their own.
   */
  rateLimit?: { max: number; windowMs?: number };
  /** Largest accepted request body, bytes. */
  bodyLimit?: number;
  /** Longest a client may take to send a whole request, ms (default 30 s): a slow-drip body is cut off with 408. */
  requestTimeoutMs?: number;
  /** Upper bound on one Temporal call, ms (default 5 s). */
  temporalTimeoutMs?: number;
  registry?: Registry;
  /** Fastify's logger options (tests), or the process's structured logger (the service). */
  logger?: GatewayLogger;
  /**
   * Payload encryption on: the codec endpoint (/codec/decode, /codec/encode) for the Web UI and
   * CLI, with the client's own codec. Off (unset): those paths answer 404.
   */
  codec?: { codec: PayloadCodec; corsOrigins: readonly string[] };
}

export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  // Task tokens ride in the callback URL path: longer than Fastify's default parameter limit.
  const requestTimeout = deps.requestTimeoutMs ?? 30_000;
  const app = Fastify({
    ...gatewayLogging(deps.logger),
    bodyLimit: deps.bodyLimit ?? 256 * 1024,
    routerOptions: { maxParamLength: CALLBACK_LIMITS.taskToken },
    forceCloseConnections: 'idle',
    requestTimeout,
    // Given to Node's server itself, so its headers timeout is capped by it too (60 s otherwise,
    // which the body timeout waits behind); Node checks every 30 s by default, far too coarse.
    http: { requestTimeout, connectionsCheckingInterval: Math.min(1_000, requestTimeout) },
    // A URL the router cannot decode (bad percent-encoding) is the client's problem, said as one.
    frameworkErrors: (err, _request, reply) => void sendProblem(reply, new HttpProblem(400, ProblemType.InvalidRequest, 'the request URL cannot be read', err.message)),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  documentResponses(app);
  const allowed = trackAllowedMethods(app);
  const noRoute = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = request.url.split('?')[0] ?? '';
    const methods = allowed.at(path);
    if (methods.length) {
      return sendProblem(reply, new HttpProblem(405, ProblemType.MethodNotAllowed, `${request.method} is not served at ${path}`, `allowed: ${methods.join(', ')}`, { allow: methods.join(', ') }));
    }
    return sendProblem(reply, new HttpProblem(404, ProblemType.NotFound, `no route for ${request.method} ${path}`));
  };
  app.setNotFoundHandler(noRoute);
  // Fastify parses the body of a request that matches no route too: a body it cannot read (e.g.
  // 415 for text/plain) must not hide that there is no such route.
  app.setErrorHandler((err: FastifyError, request, reply) => (request.is404 ? noRoute(request, reply) : problemErrorHandler(err, request, reply)));
  // Only JSON (and the AWS JSON of the Step Functions route) is spoken here: anything else is a 415.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('callbackOutcome', '');
  // First, so every route and hook below runs inside its request's span.
  const tracing = requestTracing();
  if (tracing) await app.register(tracing);
  jobIdsInRequestLogs(app);

  const temporal = { client: deps.client, temporalTimeoutMs: deps.temporalTimeoutMs ?? 5_000 };
  const taskQueue = deps.taskQueue ?? DEFAULT_TASK_QUEUE;
  const namespace = deps.namespace ?? deps.client.options.namespace;
  const links = { namespace, webUiUrl: deps.webUiUrl ?? 'http://localhost:8233' };
  const auth = deps.apiAuth ?? { tokens: [] };
  const secured = auth !== 'off';
  const registry = deps.registry ?? new Registry();
  const metrics = new GatewayMetrics(registry, { ...temporal, taskQueue }, (err) => app.log.warn({ err }, 'metrics: cannot read waiting jobs from Temporal'));
  app.addHook('onResponse', metrics.onResponse);

  const limit = deps.rateLimit ?? { max: 0 };
  if (limit.max > 0) {
    await app.register(rateLimit, {
      max: limit.max,
      timeWindow: limit.windowMs ?? 60_000,
      errorResponseBuilder: (_request, context) => new HttpProblem(429, ProblemType.RateLimited, 'too many requests from this client', `at most ${context.max} requests per ${context.after}`),
    });
  }
  await registerOpenApi(app, { bearerAuth: secured });

  const callbackTarget = { ...temporal, keyring: deps.keyring };
  await app.register(callbackRoutes, callbackTarget);
  await app.register(sfnRoutes, callbackTarget);
  await app.register(webhookRoutes, { ...temporal, sources: deps.webhookSources ?? new Map() });
  const profiles = deps.profiles ?? (await loadProfiles([BUILTIN_PROFILES_DIR]));
  await app.register(profileCallbackRoutes, { ...callbackTarget, profiles, env: deps.env ?? process.env });
  await app.register(async (jobApi) => {
    jobApi.addHook('onRequest', bearerAuth(auth));
    await jobApi.register(jobRoutes, { ...temporal, ...links, taskQueue, secured, metrics });
    await jobApi.register(scheduleRoutes, { ...temporal, ...links, taskQueue, secured });
    await jobApi.register(jobResultRoutes, { ...temporal, secured, ...(deps.resultRoot !== undefined ? { resultRoot: deps.resultRoot } : {}), ...(deps.s3 ? { s3: deps.s3 } : {}) });
  });
  if (deps.codec) await app.register(codecRoutes, { ...deps.codec, auth, secured });
  await app.register(healthRoutes, { ...temporal, namespace, registry });
  return app;
}

// Task tokens ride in callback URLs (`/v1/callbacks/<token>`), and a token in a log is a
// credential anyone who reads the logs could replay: request logs show the route, not the token.
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Logger } from '../telemetry/logger';

const TOKEN_IN_PATH = /^(\/v1\/callbacks\/)[^/?#]+/;
// A profile's callback endpoint may carry the token in its path or in its query.
const PROFILE_TOKEN_IN_PATH = /^(\/v1\/profiles\/[^/?#]+\/callback\/)[^/?#]+/;
const PROFILE_QUERY = /^(\/v1\/profiles\/[^/?#]+\/callback[^?#]*)\?[^#]*/;
// The Web UI's codec endpoint may carry an API token in its path (/codec/<token>/decode).
const CODEC_TOKEN_IN_PATH = /^(\/codec\/)(?!(?:decode|encode)(?:[/?#]|$))[^/?#]+/;

export function redactUrl(url: string): string {
  return url.replace(TOKEN_IN_PATH, '$1[redacted]').replace(PROFILE_TOKEN_IN_PATH, '$1[redacted]').replace(PROFILE_QUERY, '$1?[redacted]').replace(CODEC_TOKEN_IN_PATH, '$1[redacted]');
}

function redactedRequest(request: FastifyRequest): Record<string, unknown> {
  return { method: request.method, url: redactUrl(request.url), host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort };
}

export type GatewayLogger = FastifyServerOptions['logger'] | Logger;

const isLogger = (logger: GatewayLogger): logger is Logger => typeof logger === 'object' && typeof (logger as Partial<Logger>).child === 'function';

/** Fastify's logging, options or a logger, with the request serializer that leaves tokens out. */
export function gatewayLogging(logger: GatewayLogger): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (!logger) return { logger: false };
  // A given logger's own serializers win over Fastify's defaults.
  if (isLogger(logger)) return { loggerInstance: logger.child({ component: 'gateway' }, { serializers: { req: redactedRequest } }) };
  const options = logger === true ? {} : logger;
  return { logger: { ...options, serializers: { ...options.serializers, req: redactedRequest } } };
}

/**
 * The request's job ids on its later log lines, once known (a job id in the path, a started job,
 * the job a callback reached). Logs read by job id find the gateway's lines too.
 */
export function logJobs(request: FastifyRequest, jobIds: readonly string[]): void {
  if (jobIds.length === 0) return;
  request.log = request.log.child(jobIds.length === 1 ? { jobId: jobIds[0] } : { jobIds });
}

/**
 * A job id in the path (`/v1/jobs/:id…`) on the request's lines; and Fastify's closing "request
 * completed" line, which is the reply's, gets the request's job ids too.
 */
export function jobIdsInRequestLogs(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.log = request.log;
    done(null, payload);
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const id = (request.params as { id?: unknown } | undefined)?.id;
    if (request.routeOptions.url?.startsWith('/v1/jobs/:id') && typeof id === 'string') logJobs(request, [id]);
    done();
  });
}

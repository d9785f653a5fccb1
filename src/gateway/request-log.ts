// Task tokens ride in callback URLs (`/v1/callbacks/<token>`), and a token in a log is a
// credential anyone who reads the logs could replay: request logs show the route, not the token.
import type { FastifyRequest, FastifyServerOptions } from 'fastify';

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

/** The gateway's logger options with the request serializer that leaves tokens out. */
export function redactingLogger(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const options = logger === true ? {} : logger;
  return { ...options, serializers: { ...options.serializers, req: redactedRequest } };
}

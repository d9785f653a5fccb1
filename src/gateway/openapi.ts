// The OpenAPI document is generated from the routes' own zod schemas, so it cannot drift from
// what the gateway validates. Served at /openapi.json, with Swagger UI at /docs. Must be
// registered before any route: the swagger plugin collects routes as they are added.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

export interface OpenApiOptions {
  /** Adds the bearer security scheme used by the job API. */
  bearerAuth: boolean;
}

/**
 * Node answers a request that does not arrive within POLLBACK_REQUEST_TIMEOUT (a slow-drip
 * body) itself, before any route runs: a bare 408 that closes the connection. No route schema
 * can describe a response its route never sends, so it is added to the document here.
 */
function withRequestTimeout<T extends { paths?: object }>(doc: T): T {
  for (const item of Object.values(doc.paths ?? {}) as object[]) {
    for (const operation of Object.values(item ?? {}) as { requestBody?: unknown; responses?: Record<string, unknown> }[]) {
      if (operation?.requestBody && operation.responses) {
        operation.responses['408'] ??= { description: 'The request did not arrive in time (POLLBACK_REQUEST_TIMEOUT); the connection is closed, no body' };
      }
    }
  }
  return doc;
}

export async function registerOpenApi(app: FastifyInstance, opts: OpenApiOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Pollback gateway',
        version: '1',
        description:
          'Callbacks (task-token URL, Step Functions-style task endpoints and AWS JSON 1.0, signed webhooks) and the job API. Every refusal is application/problem+json (RFC 9457) with a stable `type`.',
      },
      tags: [
        { name: 'callbacks', description: 'Where remote systems report back; authenticated by the task token or webhook signature alone' },
        { name: 'jobs', description: 'Start, read, list and cancel jobs; stream their results' },
        { name: 'operations', description: 'Probes and metrics' },
        { name: 'codec', description: 'Payload encryption: the codec endpoint the Temporal Web UI and CLI call to read encrypted payloads (only when POLLBACK_PAYLOAD_KEYS is set)' },
      ],
      ...(opts.bearerAuth ? { components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } } } : {}),
    },
    transform: jsonSchemaTransform,
    transformObject: (documents) => ('openapiObject' in documents ? withRequestTimeout(documents.openapiObject) : documents.swaggerObject),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, (_request, reply) => reply.type('application/json').send(app.swagger()));
}

// The gateway: one Fastify app whose routes carry their zod schemas. Every refusal is
// problem+json (RFC 9457).
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Keyring } from '../tokens/task-token';
import { HttpProblem, sendProblem } from './problem';
import { callbackRoutes } from './routes/callbacks';

export interface GatewayDeps {
  client: Client;
  keyring: Keyring;
  /** Largest accepted request body, bytes. */
  bodyLimit?: number;
  logger?: boolean;
}


export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  // Task tokens ride in the callback URL path: longer than Fastify's default parameter limit.
  const app = Fastify({ logger: deps.logger ?? false, bodyLimit: deps.bodyLimit ?? 256 * 1024, routerOptions: { maxParamLength: 2048 }, forceCloseConnections: true });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof HttpProblem) return sendProblem(reply, err);
    if (hasZodFastifySchemaValidationErrors(err)) {
      const detail = err.validation.map((v) => `${v.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(body)'}: ${v.message ?? 'invalid'}`).join('; ');
      return sendProblem(reply, new HttpProblem(400, 'InvalidRequest', 'the request does not match the schema', `${err.validationContext ?? 'body'}: ${detail}`));
    }
    const status = err.statusCode ?? 500;
    if (status < 500) return sendProblem(reply, new HttpProblem(status, err.code ?? 'BadRequest', err.message));
    request.log.error({ err }, 'unhandled gateway error');
    return sendProblem(reply, new HttpProblem(500, 'InternalError', 'internal error'));
  });
  await app.register(callbackRoutes, { client: deps.client, keyring: deps.keyring });
  return app;
}

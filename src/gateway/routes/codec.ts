// The codec endpoint the Temporal Web UI and CLI call to read encrypted payloads
// (`--ui-codec-endpoint`, `temporal … --codec-endpoint`): POST <endpoint>/decode and
// <endpoint>/encode with {"payloads":[…]} in proto JSON. Registered only when payload encryption
// is on (with nothing encrypted there is nothing to decode: the paths answer 404).
//
// Two mounts of the same endpoint, because the codec protocol looks only at the last path segment:
// - /codec: `Authorization: Bearer <API token>` (the CLI's --codec-auth, or a Web UI that passes
//   a bearer of its own);
// - /codec/{token}: the API token in the path, for a Web UI without a login of its own, which
//   sends no Authorization at all. The request log redacts it (request-log.ts).
import type { PayloadCodec } from '@temporalio/common';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PayloadDecryptionError } from '../../codec/encryption-codec';
import { bearerAuth, tokenChecker, unauthorized, type ApiAuth } from '../auth';
import { codecCors, preflight } from '../codec/cors';
import { fromPayloadJson, payloadsJsonSchema, toPayloadJson } from '../codec/payload-json';
import { HttpProblem, ProblemType, problemSchema } from '../problem';

export interface CodecRouteDeps {
  codec: PayloadCodec;
  /** Origins whose pages may call the endpoint (the Web UI's). */
  corsOrigins: readonly string[];
  auth: ApiAuth;
  /** For the OpenAPI document: the header mount sits behind bearer auth. */
  secured: boolean;
}

/** A Web UI page shows a whole history at once: room for its biggest payloads, base64-inflated. */
const CODEC_BODY_LIMIT = 8 * 1024 * 1024;

const tokenParams = z.object({ token: z.string().min(1).max(512) });
const headers = z.object({ 'x-namespace': z.string().max(1000).optional() });

export const codecRoutes: FastifyPluginAsync<CodecRouteDeps> = async (app, deps) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  app.addHook('onRequest', codecCors(deps.corsOrigins));
  const headerAuth = bearerAuth(deps.auth);
  const accepted = deps.auth === 'off' ? () => true : tokenChecker(deps.auth);
  const pathAuth = (request: FastifyRequest): Promise<void> => {
    const { token } = request.params as { token?: string };
    return token !== undefined && accepted(token) ? Promise.resolve() : Promise.reject(unauthorized('the token in the codec endpoint URL is not accepted'));
  };

  const run = async (operation: 'encode' | 'decode', body: z.infer<typeof payloadsJsonSchema>): Promise<z.infer<typeof payloadsJsonSchema>> => {
    const payloads = body.payloads.map(fromPayloadJson);
    try {
      const out = operation === 'encode' ? await deps.codec.encode(payloads) : await deps.codec.decode(payloads);
      return { payloads: out.map(toPayloadJson) };
    } catch (err) {
      if (err instanceof PayloadDecryptionError) throw new HttpProblem(422, ProblemType.PayloadUndecryptable, 'a payload cannot be decrypted', err.message);
      throw err;
    }
  };

  for (const operation of ['decode', 'encode'] as const) {
    const summary = operation === 'decode' ? 'Decrypt payloads (Temporal codec protocol)' : 'Encrypt payloads with the active key (Temporal codec protocol)';
    const description =
      operation === 'decode'
        ? 'What the Temporal Web UI (`--ui-codec-endpoint`) and CLI (`--codec-endpoint`) call to show stored payloads in clear. Payloads that are not encrypted come back unchanged.'
        : 'What the Temporal Web UI and CLI call to encode input they send (a signal, a start).';
    const response = { 200: payloadsJsonSchema, 401: problemSchema, 403: problemSchema, 413: problemSchema, 415: problemSchema, ...(operation === 'decode' ? { 422: problemSchema } : {}) };

    routes.post(`/codec/${operation}`, {
      bodyLimit: CODEC_BODY_LIMIT,
      onRequest: headerAuth,
      schema: { summary, description, tags: ['codec'], security: deps.secured ? [{ bearerAuth: [] }] : [], headers, body: payloadsJsonSchema, response },
    }, (request) => run(operation, request.body));

    routes.post(`/codec/:token/${operation}`, {
      bodyLimit: CODEC_BODY_LIMIT,
      onRequest: pathAuth,
      schema: {
        summary: `${summary}, the API token in the path`,
        description: `${description} For a Web UI without a login of its own, which sends no Authorization header: its codec endpoint is \`<gateway>/codec/<API token>\`.`,
        tags: ['codec'],
        params: tokenParams,
        headers,
        body: payloadsJsonSchema,
        response,
      },
    }, (request) => run(operation, request.body));

    // Preflights carry no credentials (browsers never send them): only the origin is checked.
    // Fastify still parses a body sent with OPTIONS, so its refusals (413, 415) are documented.
    const preflightSchema = {
      summary: 'CORS preflight of the Web UI',
      tags: ['codec'],
      response: { 204: z.null().describe('the origin may call the codec endpoint: Access-Control-Allow-* headers, no body'), 403: problemSchema, 413: problemSchema, 415: problemSchema },
    };
    routes.options(`/codec/${operation}`, { schema: preflightSchema }, preflight);
    routes.options(`/codec/:token/${operation}`, { schema: { ...preflightSchema, params: tokenParams } }, preflight);
  }
  return Promise.resolve();
};

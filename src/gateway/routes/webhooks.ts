// `POST /v1/webhooks/:source`: GitHub-style webhooks from systems that cannot carry a task
// token, configured in the webhook sources file — a built-in style of the one callback
// mechanism (the same signature check, reading and delivery as a profile's endpoint), with its
// own answer: 202 `{matched, action, jobIds}`. A webhook that matches no running job is
// answered `{matched: false}` and logged, touching nothing.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isTokenAuth } from '../../contract/profile/callback';
import { extractString } from '../../profiles/extract';
import { interpret, type Verdict } from '../callbacks/interpret';
import { keepRawJson } from '../callbacks/raw-json';
import { checkSignature } from '../callbacks/signature';
import { deliverByCorrelation } from '../deliver-callback';
import { HttpProblem, ProblemType, problemSchema } from '../problem';
import { logJobs } from '../request-log';
import type { TemporalAccess } from '../temporal-call';
import type { WebhookSource } from '../webhooks/sources';
import { refusedProblem } from './callbacks';

export interface WebhookDeps extends TemporalAccess {
  sources: ReadonlyMap<string, WebhookSource>;
}

const MAX_CORRELATION_LENGTH = 256;

const answerSchema = z.object({
  matched: z.boolean().describe('false: no running job has this remote id; nothing was changed'),
  action: z.enum(['success', 'failure', 'heartbeat', 'ignored']).optional().describe("what the payload's state meant"),
  jobIds: z.array(z.string()),
});
type Action = NonNullable<z.infer<typeof answerSchema>['action']>;

function actionOf(verdict: Verdict): Action {
  if (verdict.kind !== 'signal') return 'ignored';
  switch (verdict.signal.kind) {
    case 'success':
      return 'success';
    case 'heartbeat':
      return 'heartbeat';
    default:
      return 'failure';
  }
}

export const webhookRoutes: FastifyPluginAsync<WebhookDeps> = (app, deps) => {
  keepRawJson(app);
  app.withTypeProvider<ZodTypeProvider>().post('/v1/webhooks/:source', {
    config: { callbackKind: 'webhook' },
    schema: {
      summary: 'A signed webhook (GitHub style) that completes, fails or heartbeats the job it is about',
      description: 'Signed with HMAC-SHA256 over the raw body (default header `X-Hub-Signature-256: sha256=<hex>`); the job is found by the source\'s correlation field.',
      tags: ['callbacks'],
      params: z.object({ source: z.string().min(1).max(100) }),
      body: z.unknown(),
      response: { 202: answerSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema, 413: problemSchema, 415: problemSchema, 422: problemSchema, 429: problemSchema, 503: problemSchema },
    },
  }, async (request, reply) => {
    const source = deps.sources.get(request.params.source);
    if (!source) throw new HttpProblem(404, ProblemType.WebhookSourceNotFound, `no webhook source "${request.params.source}" is configured`);
    const auth = source.callback.auth;
    if (!auth || isTokenAuth(auth) || !auth.signature) throw new Error(`webhook source ${source.name} is not a signed, correlated callback`);
    const check = checkSignature(auth.signature, source.secret, request.rawBody ?? Buffer.alloc(0), request.headers);
    if (!check.ok) throw new HttpProblem(401, ProblemType.InvalidSignature, `the ${auth.signature.scheme === 'hmac-sha256' ? auth.signature.header : ''} signature does not match the body`);
    if (request.bodyNotJson) throw new HttpProblem(400, ProblemType.InvalidRequest, 'the body is not valid JSON');
    void reply.code(202);
    const view = { headers: request.headers, body: request.body };
    const correlation = extractString(auth.correlate, view);
    let verdict: Verdict | undefined;
    const { deliveries, finished } =
      correlation === undefined || correlation.length > MAX_CORRELATION_LENGTH
        ? { deliveries: [], finished: undefined }
        : await deliverByCorrelation(deps, correlation, source.profile, () => (verdict = interpret(source.callback, view)));
    logJobs(request, finished ? [finished.jobId] : deliveries.map((d) => d.jobId));
    const refused = deliveries.find((d) => d.outcome === 'refused');
    if (refused?.outcome === 'refused') {
      request.callbackOutcome = 'refused';
      throw refusedProblem(refused.reason);
    }
    const jobIds = deliveries.filter((d) => d.outcome === 'delivered').map((d) => d.jobId);
    if (verdict?.kind === 'ignored' && deliveries.length > 0) {
      request.callbackOutcome = 'ignored';
      return { matched: true, action: 'ignored' as const, jobIds: deliveries.map((d) => d.jobId) };
    }
    if (jobIds.length === 0) {
      request.log.info({ source: source.name, correlation }, 'webhook matched no running job; nothing changed');
      request.callbackOutcome = deliveries.length || finished ? 'already-finished' : 'unmatched';
      return { matched: false, jobIds: [] };
    }
    request.callbackOutcome = 'delivered';
    return { matched: true, action: actionOf(verdict ?? { kind: 'ignored', state: '' }), jobIds };
  });
  return Promise.resolve();
};

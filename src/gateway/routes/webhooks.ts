// `POST /v1/webhooks/:source`: GitHub-style webhooks from systems that cannot carry a task
// token. The signature is checked over the raw body before anything else; the waiting job is
// found by the source's correlation field; a webhook that matches no running job is answered
// 202 `{matched: false}` and logged, touching nothing.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CallbackSignal } from '../../contract';
import { extractString } from '../../profiles/extract';
import { callbackSignal } from '../../workflows/signals';
import { HttpProblem, ProblemType, problemSchema } from '../problem';
import { bounded, type TemporalAccess } from '../temporal-call';
import { runningJobsFor } from '../webhooks/find-jobs';
import { signatureMatches } from '../webhooks/signature';
import type { WebhookSource } from '../webhooks/sources';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body exactly as received: what the sender signed. */
    rawBody?: Buffer;
  }
}

export interface WebhookDeps extends TemporalAccess {
  sources: ReadonlyMap<string, WebhookSource>;
}

const MAX_CORRELATION_LENGTH = 256;
const MAX_CAUSE = 32_768;

const answerSchema = z.object({
  matched: z.boolean().describe('false: no running job has this remote id; nothing was changed'),
  action: z.enum(['success', 'failure', 'heartbeat', 'ignored']).optional().describe("what the payload's state meant"),
  jobIds: z.array(z.string()),
});
type Action = NonNullable<z.infer<typeof answerSchema>['action']>;

function actionFor(source: WebhookSource, state: string | undefined): Action {
  if (state === undefined) return 'ignored';
  if (source.outcome.success.includes(state)) return 'success';
  if (source.outcome.failure.includes(state)) return 'failure';
  if (source.outcome.heartbeat.includes(state)) return 'heartbeat';
  return 'ignored';
}

function signalFor(action: Exclude<Action, 'ignored'>, source: WebhookSource, view: { headers: Record<string, string | string[] | undefined>; body: unknown }, state: string): CallbackSignal {
  switch (action) {
    case 'success':
      return { kind: 'success', output: view.body };
    case 'failure':
      return {
        kind: 'failure',
        error: (extractString(source.outcome.error, view) ?? `${source.name} reported "${state}"`).slice(0, 256),
        cause: JSON.stringify(view.body).slice(0, MAX_CAUSE),
      };
    case 'heartbeat':
      return { kind: 'heartbeat' };
  }
}

/** false when the job finished between the visibility read and the signal: nothing to do. */
async function signalIfRunning(deps: TemporalAccess, jobId: string, signal: CallbackSignal): Promise<boolean> {
  try {
    await bounded(deps, () => deps.client.workflow.getHandle(jobId).signal(callbackSignal, signal));
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

export const webhookRoutes: FastifyPluginAsync<WebhookDeps> = (app, deps) => {
  // The signature covers the bytes as sent, so they are kept beside the parsed body.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    try {
      done(null, body.length === 0 ? undefined : JSON.parse(body.toString('utf8')));
    } catch {
      done(new HttpProblem(400, ProblemType.InvalidRequest, 'the body is not valid JSON'), undefined);
    }
  });

  app.withTypeProvider<ZodTypeProvider>().post('/v1/webhooks/:source', {
    config: { callbackKind: 'webhook' },
    schema: {
      summary: 'A signed webhook (GitHub style) that completes, fails or heartbeats the job it is about',
      description: 'Signed with HMAC-SHA256 over the raw body (default header `X-Hub-Signature-256: sha256=<hex>`); the job is found by the source\'s correlation field.',
      tags: ['callbacks'],
      params: z.object({ source: z.string().min(1).max(100) }),
      body: z.unknown(),
      response: { 202: answerSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema, 413: problemSchema, 415: problemSchema, 429: problemSchema, 503: problemSchema },
    },
  }, async (request, reply) => {
    const source = deps.sources.get(request.params.source);
    if (!source) throw new HttpProblem(404, ProblemType.WebhookSourceNotFound, `no webhook source "${request.params.source}" is configured`);
    const signature = request.headers[source.signatureHeader];
    if (!signatureMatches(source.secret, request.rawBody ?? Buffer.alloc(0), Array.isArray(signature) ? signature[0] : signature, source.signaturePrefix)) {
      throw new HttpProblem(401, ProblemType.InvalidSignature, `the ${source.signatureHeader} signature does not match the body`);
    }
    void reply.code(202);
    const view = { headers: request.headers, body: request.body };
    const correlation = extractString(source.correlation, view);
    const matches = correlation === undefined || correlation.length > MAX_CORRELATION_LENGTH ? [] : await runningJobsFor(deps, correlation, source.profile);
    if (matches.length === 0) {
      request.log.info({ source: source.name, correlation }, 'webhook matched no running job; nothing changed');
      request.callbackOutcome = 'unmatched';
      return { matched: false, jobIds: [] };
    }
    const state = extractString(source.outcome.state, view);
    const action = actionFor(source, state);
    if (action === 'ignored' || state === undefined) {
      request.callbackOutcome = 'ignored';
      return { matched: true, action: 'ignored' as const, jobIds: matches };
    }
    const signal = signalFor(action, source, view, state);
    const signalled = await Promise.all(matches.map((id) => signalIfRunning(deps, id, signal)));
    const jobIds = matches.filter((_id, i) => signalled[i]);
    request.callbackOutcome = jobIds.length ? 'accepted' : 'already-finished';
    return { matched: jobIds.length > 0, action, jobIds };
  });
  return Promise.resolve();
};

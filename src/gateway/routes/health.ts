// Probes and metrics. Not rate limited (a load balancer probes from one address) and not
// authenticated: they reveal nothing about jobs beyond counts.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { problemSchema } from '../problem';
import { bounded, temporalUnavailable, type TemporalAccess } from '../temporal-call';

export interface HealthDeps extends TemporalAccess {
  namespace: string;
  registry: Registry;
}

/** Readiness must answer fast: a probe that hangs is as bad as a failing one. */
const READY_TIMEOUT_MS = 2_000;

export const healthRoutes: FastifyPluginAsync<HealthDeps> = (app, deps) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const config = { rateLimit: false } as const;

  routes.get('/healthz', {
    config,
    schema: { summary: 'Liveness: the process answers', tags: ['operations'], response: { 200: z.object({ status: z.literal('ok') }) } },
  }, () => Promise.resolve({ status: 'ok' as const }));

  routes.get('/readyz', {
    config,
    schema: { summary: 'Readiness: Temporal is reachable', tags: ['operations'], response: { 200: z.object({ status: z.literal('ready'), namespace: z.string() }), 503: problemSchema } },
  }, async () => {
    try {
      await bounded({ ...deps, temporalTimeoutMs: Math.min(READY_TIMEOUT_MS, deps.temporalTimeoutMs) }, () =>
        deps.client.workflowService.describeNamespace({ namespace: deps.namespace }),
      );
    } catch {
      throw temporalUnavailable();
    }
    return { status: 'ready' as const, namespace: deps.namespace };
  });

  routes.get('/metrics', {
    config,
    schema: {
      summary: 'Prometheus metrics',
      tags: ['operations'],
      response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } } },
    },
  }, async (_request, reply) => {
    const text = await deps.registry.metrics();
    return reply.type(deps.registry.contentType).send(text);
  });
  return Promise.resolve();
};

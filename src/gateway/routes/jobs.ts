// The job API: start, read, list and cancel asyncJob workflows. Bearer-token auth (unless
// turned off), bodies validated with the workflow's own input schema so a bad field is a 400
// naming it before anything reaches Temporal.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { startedJobSchema } from '../../contract/job-api';
import { PHASES, WORKFLOW_TYPE, searchAttributes } from '../../contract/names';
import { jobInputSchema } from '../../contract/job-input';
import { describeJob, executionStatusOf, jobNotFound, jobSchema, jobStateOf, jobStates, jobSummarySchema, readJob, summaryOf, webUiLink, type JobLinks } from '../jobs/job-view';
import { startJob } from '../jobs/start-job';
import type { GatewayMetrics } from '../metrics';
import { problemSchema } from '../problem';
import { logJobs } from '../request-log';
import { bounded, type TemporalAccess } from '../temporal-call';
import { queryString } from '../webhooks/find-jobs';

export interface JobRouteDeps extends TemporalAccess, JobLinks {
  taskQueue: string;
  /** For the OpenAPI document: the routes sit behind bearer auth (app.ts adds the check). */
  secured: boolean;
  metrics: GatewayMetrics;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The job input exactly as sent, before schema defaults and conversions. */
    rawJobInput?: unknown;
  }
}

export type { CancelJobResponse, StartedJobResponse } from '../../contract/job-api';

// Temporal refuses control characters in ids and visibility queries as an internal argument
// error: refused here first, as the caller's mistake (a NUL in a filter answered 500 before).
const printable = /^[^\p{Cc}]+$/u;
const jobIdParams = z.object({ id: z.string().min(1).max(400).regex(printable, 'a job id: printable characters') });
const refusals = { 401: problemSchema, 404: problemSchema, 429: problemSchema, 503: problemSchema };

export const jobRoutes: FastifyPluginAsync<JobRouteDeps> = (app, deps) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const security = deps.secured ? [{ bearerAuth: [] }] : [];

  routes.post('/v1/jobs', {
    schema: {
      summary: 'Start a job (an asyncJob workflow)',
      description: 'Same input as `temporal workflow start --type asyncJob`. With `Idempotency-Key`, a repeat returns the same job instead of starting a second one.',
      tags: ['jobs'],
      security,
      headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
      body: jobInputSchema,
      response: { 202: startedJobSchema, 400: problemSchema, 413: problemSchema, 415: problemSchema, 422: problemSchema, ...refusals },
    },
    // The schema's output (defaults, durations in ms) is for checking; the workflow gets what was sent.
    preValidation: (request, _reply, done) => {
      request.rawJobInput = request.body;
      done();
    },
  }, async (request, reply) => {
    const started = await startJob(deps, request.rawJobInput, request.body, request.headers['idempotency-key']);
    if (started.created) deps.metrics.jobsStarted.inc();
    logJobs(request, [started.jobId]);
    request.log.info({ runId: started.runId, created: started.created }, started.created ? 'job started' : 'job already started (Idempotency-Key)');
    const statusUrl = `/v1/jobs/${encodeURIComponent(started.jobId)}`;
    void reply.code(202).header('location', statusUrl);
    return { ...started, statusUrl, webUiUrl: webUiLink(deps, started.jobId) };
  });

  routes.get('/v1/jobs/:id', {
    schema: {
      summary: "A job's state: live status while running, result or typed error once finished",
      tags: ['jobs'],
      security,
      params: jobIdParams,
      response: { 200: jobSchema, ...refusals },
    },
  }, async (request) => {
    try {
      return await readJob(deps, deps, request.params.id);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw jobNotFound(request.params.id);
      throw err;
    }
  });

  routes.get('/v1/jobs', {
    schema: {
      summary: 'List jobs, newest first, filtered by phase, profile and state (search attributes)',
      tags: ['jobs'],
      security,
      querystring: z.object({
        phase: z.enum(PHASES).optional(),
        profile: z.string().min(1).max(200).regex(/^[a-z0-9][a-z0-9-]*$/, 'a profile name: lower-case letters, digits and dashes').optional(),
        state: z.enum(jobStates).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: { 200: z.object({ jobs: z.array(jobSummarySchema) }), 400: problemSchema, ...refusals },
    },
  }, async (request) => {
    const { phase, profile, state, limit } = request.query;
    const clauses = [
      `WorkflowType = ${queryString(WORKFLOW_TYPE)}`,
      `TaskQueue = ${queryString(deps.taskQueue)}`,
      ...(phase ? [`${searchAttributes.phase.name} = ${queryString(phase)}`] : []),
      ...(profile ? [`${searchAttributes.profile.name} = ${queryString(profile)}`] : []),
      ...(state ? [`ExecutionStatus = ${queryString(executionStatusOf(state))}`] : []),
    ];
    const jobs = await bounded(deps, async () => {
      const found = [];
      for await (const info of deps.client.workflow.list({ query: clauses.join(' AND '), pageSize: limit })) {
        found.push(summaryOf(deps, info));
        if (found.length >= limit) break;
      }
      return found;
    });
    return { jobs };
  });

  routes.delete('/v1/jobs/:id', {
    schema: {
      summary: 'Cancel a job (the remote job is cancelled too, where the API allows)',
      description: 'Idempotent: a job that already finished answers with its state and is left as it is.',
      tags: ['jobs'],
      security,
      params: jobIdParams,
      response: {
        202: z.object({ jobId: z.string(), cancelRequested: z.literal(true), state: z.enum(jobStates) }),
        200: z.object({ jobId: z.string(), cancelRequested: z.literal(false), state: z.enum(jobStates) }),
        ...refusals,
      },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    try {
      const description = await describeJob(deps, id);
      const state = jobStateOf(description.status.name);
      if (state !== 'running') return { jobId: id, cancelRequested: false as const, state };
      await bounded(deps, () => deps.client.workflow.getHandle(id).cancel());
      void reply.code(202);
      return { jobId: id, cancelRequested: true as const, state };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw jobNotFound(id);
      throw err;
    }
  });
  return Promise.resolve();
};

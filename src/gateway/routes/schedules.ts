// Recurring jobs: Temporal Schedules that start `asyncJob` with a fixed input, by cron and/or
// interval, with an overlap policy; paused, resumed, triggered, listed and deleted here, or with
// `temporal schedule …` — the same schedules either way, and the Web UI shows them and their runs.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, isGrpcServiceError, type ScheduleHandle } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WORKFLOW_TYPE, startSearchAttributes } from '../../contract/names';
import { durationSchema } from '../../contract/duration-schema';
import type { JobLinks } from '../jobs/job-view';
import { describeForUi } from '../jobs/start-job';
import { HttpProblem, ProblemType, problemSchema } from '../problem';
import {
  SPEC_MEMO_KEY,
  createScheduleSchema,
  overlapPolicies,
  scheduleIdSchema,
  scheduleSchema,
  scheduleSummaryOf,
  scheduleSummarySchema,
  scheduleViewOf,
  scheduleWebUiLink,
  temporalOverlap,
  type ScheduleSummaryView,
  type ScheduleView,
} from '../schedules/schedule-view';
import { bounded, type TemporalAccess } from '../temporal-call';

export interface ScheduleRouteDeps extends TemporalAccess, JobLinks {
  taskQueue: string;
  secured: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The schedule request exactly as sent, before schema defaults and conversions. */
    rawScheduleRequest?: unknown;
  }
}

const idParams = z.object({ id: scheduleIdSchema });
const refusals = { 401: problemSchema, 404: problemSchema, 429: problemSchema, 503: problemSchema };
const notFound = (id: string): HttpProblem => new HttpProblem(404, ProblemType.ScheduleNotFound, `no schedule "${id}"`);
const ms = (duration: string): number => durationSchema.parse(duration);

/** The server refuses what it cannot parse (a bad cron string, an unknown time zone): the caller's fault. */
function invalidArgument(err: unknown): HttpProblem | undefined {
  // The SDK turns the server's INVALID_ARGUMENT on create into a TypeError carrying its words.
  if (err instanceof TypeError) return new HttpProblem(400, ProblemType.InvalidRequest, 'Temporal refused the schedule', `spec: ${err.message}`);
  let current: unknown = err;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    if (isGrpcServiceError(current) && (current.code as number) === 3 /* INVALID_ARGUMENT */) {
      return new HttpProblem(400, ProblemType.InvalidRequest, 'Temporal refused the schedule', current.details);
    }
    current = current.cause;
  }
  return undefined;
}

export const scheduleRoutes: FastifyPluginAsync<ScheduleRouteDeps> = (app, deps) => {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const security = deps.secured ? [{ bearerAuth: [] }] : [];

  /** A schedule of this API: one that starts asyncJob (others on the namespace are not ours to show or change). */
  async function ours(id: string): Promise<{ handle: ScheduleHandle; view: ScheduleView }> {
    const handle = deps.client.schedule.getHandle(id);
    try {
      const description = await bounded(deps, () => handle.describe());
      if (description.action.workflowType !== WORKFLOW_TYPE) throw notFound(id);
      return { handle, view: scheduleViewOf(deps, description) };
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw notFound(id);
      throw err;
    }
  }

  routes.post('/v1/schedules', {
    schema: {
      summary: 'Create a recurring job (a Temporal Schedule starting asyncJob)',
      description: '`job` is the same input as `POST /v1/jobs`; every run is a job of its own, `<id>-<scheduled time>`.',
      tags: ['schedules'],
      security,
      body: createScheduleSchema,
      response: { 201: z.object({ scheduleId: z.string(), url: z.string(), webUiUrl: z.string() }), 400: problemSchema, 409: problemSchema, ...refusals },
    },
    preValidation: (request, _reply, done) => {
      request.rawScheduleRequest = request.body;
      done();
    },
  }, async (request, reply) => {
    const body = request.body;
    const rawJob = (request.rawScheduleRequest as { job?: unknown } | undefined)?.job ?? body.job;
    const profile = typeof body.job.profile === 'string' ? body.job.profile : body.job.profile.name;
    const { spec } = body;
    const ui = describeForUi(body.job, profile, undefined);
    try {
      await bounded(deps, () =>
        deps.client.schedule.create({
          scheduleId: body.id,
          spec: {
            ...(spec.cron !== undefined ? { cronExpressions: [spec.cron].flat() } : {}),
            ...(spec.interval !== undefined ? { intervals: [{ every: ms(spec.interval) }] } : {}),
            ...(spec.timezone !== undefined ? { timezone: spec.timezone } : {}),
            ...(spec.jitter !== undefined ? { jitter: ms(spec.jitter) } : {}),
          },
          action: {
            type: 'startWorkflow',
            workflowType: WORKFLOW_TYPE,
            workflowId: body.id,
            taskQueue: deps.taskQueue,
            args: [rawJob],
            typedSearchAttributes: startSearchAttributes(profile),
            staticSummary: `${ui.staticSummary} — schedule ${body.id}`,
            staticDetails: ui.staticDetails.replace('Pollback job API', `schedule ${body.id} (Pollback job API)`),
          },
          policies: { overlap: temporalOverlap(body.overlap) },
          state: { paused: body.paused, ...(body.note !== undefined ? { note: body.note } : {}) },
          memo: { [SPEC_MEMO_KEY]: spec },
        }),
      );
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) throw new HttpProblem(409, ProblemType.ScheduleExists, `schedule "${body.id}" already exists`, 'delete it first, or choose another id');
      throw invalidArgument(err) ?? err;
    }
    const url = `/v1/schedules/${encodeURIComponent(body.id)}`;
    void reply.code(201).header('location', url);
    return { scheduleId: body.id, url, webUiUrl: scheduleWebUiLink(deps, body.id) };
  });

  routes.get('/v1/schedules', {
    schema: {
      summary: 'List recurring jobs',
      tags: ['schedules'],
      security,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: { 200: z.object({ schedules: z.array(scheduleSummarySchema) }), 400: problemSchema, ...refusals },
    },
  }, async (request) => {
    const schedules = await bounded(deps, async () => {
      const found: ScheduleSummaryView[] = [];
      for await (const summary of deps.client.schedule.list({ pageSize: 100 })) {
        if (summary.action?.workflowType !== WORKFLOW_TYPE) continue;
        found.push(scheduleSummaryOf(deps, summary));
        if (found.length >= request.query.limit) break;
      }
      return found;
    });
    return { schedules };
  });

  routes.get('/v1/schedules/:id', {
    schema: {
      summary: 'A recurring job: its spec, state, next runs and recent runs (their job ids)',
      tags: ['schedules'],
      security,
      params: idParams,
      response: { 200: scheduleSchema, ...refusals },
    },
  }, async (request) => (await ours(request.params.id)).view);

  const noteBody = z.object({ note: z.string().max(500).optional() }).nullish();
  for (const action of ['pause', 'resume'] as const) {
    routes.post(`/v1/schedules/:id/${action}`, {
      schema: {
        summary: action === 'pause' ? 'Pause a recurring job (runs already started go on)' : 'Resume a paused recurring job',
        tags: ['schedules'],
        security,
        params: idParams,
        body: noteBody,
        response: { 200: scheduleSchema, 400: problemSchema, ...refusals },
      },
    }, async (request) => {
      const { handle } = await ours(request.params.id);
      const note = request.body?.note ?? `${action === 'pause' ? 'paused' : 'resumed'} through the Pollback job API`;
      await bounded(deps, () => (action === 'pause' ? handle.pause(note) : handle.unpause(note)));
      return (await ours(request.params.id)).view;
    });
  }

  routes.post('/v1/schedules/:id/trigger', {
    schema: {
      summary: 'Start a run now, outside the schedule, also while paused',
      description: '`overlap` decides what happens if a run is still in flight: by default both run (`allowAll`); `skip` starts nothing then.',
      tags: ['schedules'],
      security,
      params: idParams,
      body: z.object({ overlap: z.enum(overlapPolicies).default('allowAll') }).nullish(),
      response: { 202: z.object({ scheduleId: z.string(), triggered: z.literal(true) }), ...refusals },
    },
  }, async (request, reply) => {
    const { handle } = await ours(request.params.id);
    await bounded(deps, () => handle.trigger(temporalOverlap(request.body?.overlap ?? 'allowAll')));
    void reply.code(202);
    return { scheduleId: request.params.id, triggered: true as const };
  });

  routes.delete('/v1/schedules/:id', {
    schema: {
      summary: 'Delete a recurring job (runs already started go on)',
      tags: ['schedules'],
      security,
      params: idParams,
      response: { 200: z.object({ scheduleId: z.string(), deleted: z.literal(true) }), ...refusals },
    },
  }, async (request) => {
    const { handle } = await ours(request.params.id);
    try {
      await bounded(deps, () => handle.delete());
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw notFound(request.params.id);
      throw err;
    }
    return { scheduleId: request.params.id, deleted: true as const };
  });
  return Promise.resolve();
};

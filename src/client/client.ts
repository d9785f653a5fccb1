// A typed client of the Pollback gateway for TypeScript services, on undici. Start and follow
// jobs, and call back from Node (completeTask / failTask / heartbeatTask). Refusals throw
// PollbackApiError typed from the gateway's problem+json; 429 and 503 are retried after
// Retry-After where a repeat is safe (callbacks, reads, starts with an Idempotency-Key).
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import type { CallbackAck, CancelJobResponse, CreatedScheduleResponse, CreateScheduleRequest, JobInputJson, JobResult, JobState, JobSummary, JobView, Phase, ScheduleSummaryView, ScheduleView, StartedJobResponse } from '../contract/job-api';
import { JobFailedError, PollbackApiError, WaitTimeoutError } from './errors';
import { parseRetryAfter } from '../contract/retry-after';

export interface PollbackClientOptions {
  /** The gateway, e.g. `http://pollback:8080`. */
  baseUrl: string;
  /** Bearer token for the job API (callbacks need none). */
  token?: string;
  /** Retries of a 429/503 (or, for safe requests, a network error). Default 3. */
  retries?: number;
  /** Longest wait between two tries, ms. Default 30 s. */
  maxRetryDelayMs?: number;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  /** Bring your own (e.g. a MockAgent in tests of your service); closed by you. */
  dispatcher?: Dispatcher;
}

export interface ListJobsFilter {
  phase?: Phase;
  profile?: string;
  state?: JobState;
  limit?: number;
}

export interface WaitOptions {
  pollIntervalMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ResultStream {
  status: 200 | 206;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

interface Call {
  method: Dispatcher.HttpMethod;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** A repeat after a 503 or a network error cannot do harm. */
  repeatable: boolean;
  auth: boolean;
}

const DEFAULT_RETRY_SECONDS = 1;

function retryAfterSeconds(header: string | string[] | undefined): number | undefined {
  const ms = parseRetryAfter(header);
  return ms === undefined ? undefined : ms / 1000;
}

async function problemFrom(response: Dispatcher.ResponseData): Promise<PollbackApiError> {
  const text = await response.body.text();
  const retryAfter = retryAfterSeconds(response.headers['retry-after']);
  try {
    const problem = JSON.parse(text) as { type?: unknown; title?: unknown; detail?: unknown };
    if (typeof problem.type === 'string' && typeof problem.title === 'string') {
      return new PollbackApiError(response.statusCode, problem.type, problem.title, typeof problem.detail === 'string' ? problem.detail : undefined, retryAfter);
    }
  } catch {
    // not JSON: described below
  }
  return new PollbackApiError(response.statusCode, 'HttpError', `HTTP ${response.statusCode}`, text.slice(0, 200) || undefined, retryAfter);
}

export class PollbackClient {
  private readonly baseUrl: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(private readonly options: PollbackClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000 });
  }

  /** Starts a job. With an idempotency key, a repeat (say, after a timeout) returns the same job. */
  startJob(input: JobInputJson, opts: { idempotencyKey?: string } = {}): Promise<StartedJobResponse> {
    return this.json({
      method: 'POST',
      path: '/v1/jobs',
      body: input,
      ...(opts.idempotencyKey !== undefined ? { headers: { 'idempotency-key': opts.idempotencyKey } } : {}),
      repeatable: opts.idempotencyKey !== undefined,
      auth: true,
    });
  }

  getJob(jobId: string): Promise<JobView> {
    return this.json({ method: 'GET', path: `/v1/jobs/${encodeURIComponent(jobId)}`, repeatable: true, auth: true });
  }

  async listJobs(filter: ListJobsFilter = {}): Promise<JobSummary[]> {
    const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string | number] => e[1] !== undefined).map(([k, v]): [string, string] => [k, String(v)]));
    const qs = query.size ? `?${query.toString()}` : '';
    return (await this.json<{ jobs: JobSummary[] }>({ method: 'GET', path: `/v1/jobs${qs}`, repeatable: true, auth: true })).jobs;
  }

  /** Requests cancellation; a job that already finished is left as it is (`cancelRequested: false`). */
  cancelJob(jobId: string): Promise<CancelJobResponse> {
    return this.json({ method: 'DELETE', path: `/v1/jobs/${encodeURIComponent(jobId)}`, repeatable: true, auth: true });
  }

  /** Polls until the job ends: its result, or JobFailedError / WaitTimeoutError. */
  async waitForResult(jobId: string, opts: WaitOptions = {}): Promise<JobResult> {
    const interval = opts.pollIntervalMs ?? 1_000;
    const timeoutMs = opts.timeoutMs ?? 600_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.getJob(jobId);
      if (job.state === 'succeeded' && job.result) return job.result as JobResult;
      if (job.state !== 'running' && job.state !== 'succeeded') {
        throw new JobFailedError(jobId, job.state, job.error ?? { type: 'Unknown', message: `the job ended ${job.state}` });
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new WaitTimeoutError(jobId, timeoutMs);
      await sleep(Math.min(interval, left), undefined, opts.signal ? { signal: opts.signal } : {});
    }
  }

  /** Opens the job's downloaded file; `range` as in HTTP (`bytes=100-`). Consume or dump the body. */
  async openResult(jobId: string, opts: { range?: string } = {}): Promise<ResultStream> {
    const response = await this.send({
      method: 'GET',
      path: `/v1/jobs/${encodeURIComponent(jobId)}/result`,
      ...(opts.range !== undefined ? { headers: { range: opts.range } } : {}),
      repeatable: true,
      auth: true,
    });
    if (response.statusCode !== 200 && response.statusCode !== 206) throw await problemFrom(response);
    return { status: response.statusCode, headers: response.headers, body: response.body };
  }

  /** Creates a recurring job (a Temporal Schedule); `job` is the input of startJob. */
  createSchedule(request: CreateScheduleRequest): Promise<CreatedScheduleResponse> {
    // Not repeated after a lost answer: a repeat would be refused as ScheduleExists, which says nothing wrong happened.
    return this.json({ method: 'POST', path: '/v1/schedules', body: request, repeatable: false, auth: true });
  }

  getSchedule(scheduleId: string): Promise<ScheduleView> {
    return this.json({ method: 'GET', path: `/v1/schedules/${encodeURIComponent(scheduleId)}`, repeatable: true, auth: true });
  }

  async listSchedules(opts: { limit?: number } = {}): Promise<ScheduleSummaryView[]> {
    const qs = opts.limit !== undefined ? `?limit=${opts.limit}` : '';
    return (await this.json<{ schedules: ScheduleSummaryView[] }>({ method: 'GET', path: `/v1/schedules${qs}`, repeatable: true, auth: true })).schedules;
  }

  pauseSchedule(scheduleId: string, note?: string): Promise<ScheduleView> {
    return this.json({ method: 'POST', path: `/v1/schedules/${encodeURIComponent(scheduleId)}/pause`, body: note !== undefined ? { note } : {}, repeatable: true, auth: true });
  }

  resumeSchedule(scheduleId: string, note?: string): Promise<ScheduleView> {
    return this.json({ method: 'POST', path: `/v1/schedules/${encodeURIComponent(scheduleId)}/resume`, body: note !== undefined ? { note } : {}, repeatable: true, auth: true });
  }

  /** A run now, outside the schedule (also while paused). */
  triggerSchedule(scheduleId: string): Promise<{ scheduleId: string; triggered: true }> {
    return this.json({ method: 'POST', path: `/v1/schedules/${encodeURIComponent(scheduleId)}/trigger`, body: {}, repeatable: false, auth: true });
  }

  deleteSchedule(scheduleId: string): Promise<{ scheduleId: string; deleted: true }> {
    return this.json({ method: 'DELETE', path: `/v1/schedules/${encodeURIComponent(scheduleId)}`, repeatable: true, auth: true });
  }

  completeTask(taskToken: string, output?: unknown): Promise<CallbackAck> {
    return this.json({ method: 'POST', path: '/v1/tasks/success', body: { taskToken, output }, repeatable: true, auth: false });
  }

  failTask(taskToken: string, error?: string, cause?: string): Promise<CallbackAck> {
    return this.json({
      method: 'POST',
      path: '/v1/tasks/failure',
      body: { taskToken, error, cause },
      repeatable: true,
      auth: false,
    });
  }

  /** Extends the job's callback wait (its heartbeatTimeout starts over). */
  heartbeatTask(taskToken: string): Promise<CallbackAck> {
    return this.json({ method: 'POST', path: '/v1/tasks/heartbeat', body: { taskToken }, repeatable: true, auth: false });
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async json<T>(call: Call): Promise<T> {
    const response = await this.send(call);
    if (response.statusCode >= 400) throw await problemFrom(response);
    return (await response.body.json()) as T;
  }

  private async send(call: Call): Promise<Dispatcher.ResponseData> {
    const retries = this.options.retries ?? 3;
    const maxDelayMs = this.options.maxRetryDelayMs ?? 30_000;
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...call.headers };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.auth && this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    for (let attempt = 0; ; attempt++) {
      let response: Dispatcher.ResponseData;
      try {
        response = await request(`${this.baseUrl}${call.path}`, {
          method: call.method,
          headers,
          ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
          dispatcher: this.dispatcher,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (err) {
        // Unanswered: safe to repeat only if a repeat cannot do the thing twice.
        if (!call.repeatable || attempt >= retries) throw err;
        await sleep(Math.min(maxDelayMs, DEFAULT_RETRY_SECONDS * 1000 * 2 ** attempt));
        continue;
      }
      // 429 is refused before any work; 503 may come after the work began, so only where a repeat is harmless.
      const retryable = response.statusCode === 429 || (response.statusCode === 503 && call.repeatable);
      if (!retryable || attempt >= retries) return response;
      const waitSeconds = retryAfterSeconds(response.headers['retry-after']) ?? DEFAULT_RETRY_SECONDS * 2 ** attempt;
      await response.body.dump();
      await sleep(Math.min(maxDelayMs, waitSeconds * 1000));
    }
  }
}

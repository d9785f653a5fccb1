// Per-API limits as Temporal enforces them. A profile with `limits` gets a task queue of its own
// for its remote calls; every worker process serves it with a share of the limits:
//   - rate: the task queue's server-side dispatch rate (maxTaskQueueActivitiesPerSecond) is
//     global, the same value from every worker; each worker also holds itself to its share
//     (maxActivitiesPerSecond), so the sum stays within the limit whatever the server's bursts.
//   - concurrency: Temporal has no global in-flight limit, only a per-worker slot count
//     (maxConcurrentActivityTaskExecutions). The limit is split evenly between the worker
//     processes the operator declares (POLLBACK_WORKER_PROCESSES): W workers × ⌊N/W⌋ slots ≤ N.
//     Running more processes than declared exceeds it; fewer leaves capacity unused.
// One activity is one request (start, status read, download, cancel), so activity slots bound
// requests in flight and activity dispatches bound requests per second (retries included).
import type { Limits, Profile } from '../contract/profile/schema';

export interface LimitedQueue {
  profile: string;
  taskQueue: string;
  limits: Limits;
  /** This worker's share of the concurrency limit (activity slots). */
  slotsPerWorker?: number;
  /** This worker's share of the rate limit. */
  perSecondPerWorker?: number;
}

export class LimitsError extends Error {
  override name = 'LimitsError';
}

export function apiTaskQueueName(baseTaskQueue: string, profile: string): string {
  return `${baseTaskQueue}-api-${profile}`;
}

/** The task queues this worker serves for limited profiles; refuses limits it cannot split. */
export function limitedQueues(profiles: Iterable<Profile>, baseTaskQueue: string, workerProcesses: number): LimitedQueue[] {
  const queues: LimitedQueue[] = [];
  for (const profile of profiles) {
    const { limits } = profile;
    if (!limits) continue;
    const queue: LimitedQueue = { profile: profile.name, taskQueue: apiTaskQueueName(baseTaskQueue, profile.name), limits };
    if (limits.concurrency !== undefined) {
      const slots = Math.floor(limits.concurrency / workerProcesses);
      if (slots < 1) {
        throw new LimitsError(`profile "${profile.name}": limits.concurrency ${limits.concurrency} cannot be shared by ${workerProcesses} worker processes (POLLBACK_WORKER_PROCESSES): each needs at least one slot`);
      }
      queue.slotsPerWorker = slots;
    }
    if (limits.perSecond !== undefined) queue.perSecondPerWorker = limits.perSecond / workerProcesses;
    queues.push(queue);
  }
  return queues;
}

/** One line per limited API, for the worker's start-up log. */
export function describeQueue(queue: LimitedQueue, workerProcesses: number): string {
  const parts = [
    ...(queue.limits.concurrency !== undefined ? [`≤ ${queue.limits.concurrency} in flight (${queue.slotsPerWorker} here × ${workerProcesses} processes)`] : []),
    ...(queue.limits.perSecond !== undefined ? [`≤ ${queue.limits.perSecond}/s (task queue rate; ${Number(queue.perSecondPerWorker?.toFixed(3))}/s here)`] : []),
  ];
  return `${queue.profile} → task queue "${queue.taskQueue}": ${parts.join(', ')}`;
}

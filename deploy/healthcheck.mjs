// Container health check of the Pollback image (one image, two roles):
//
//   node deploy/healthcheck.mjs gateway   GET /healthz on PORT (default 8080) answers 200
//   node deploy/healthcheck.mjs worker    this container's worker polls its task queue: Temporal's
//                                         DescribeTaskQueue lists a poller whose identity is
//                                         `<pid>@<this hostname>` (the SDK's default), seen lately
//   node deploy/healthcheck.mjs           the role of the Pollback process running in this
//                                         container (dist/gateway/main.js or dist/worker.js; src/… when run from sources)
//
// Exit 0: healthy; 1: not, with one line saying why (`docker inspect` shows it). It reads the
// same environment as the process it checks (PORT/HOST, POLLBACK_TASK_QUEUE, TEMPORAL_*).
// Plain JavaScript on purpose: it runs often, so it starts without the TypeScript loader.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

const require = createRequire(import.meta.url);
const TIMEOUT_MS = 5_000;
/** Idle workers long-poll for about a minute, so a poller's last access can be that old. */
const POLLER_FRESH_MS = 180_000;

function detectRole() {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name) && name !== String(process.pid))) {
    let cmdline;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // the process ended meanwhile
    }
    // The image runs the build (dist/…js); a checkout may run the sources (src/…ts) through tsx.
    if (cmdline.some((arg) => /(^|\/)(dist\/gateway\/main\.js|src\/gateway\/main\.ts)$/.test(arg))) return 'gateway';
    if (cmdline.some((arg) => /(^|\/)(dist\/worker\.js|src\/worker\.ts)$/.test(arg))) return 'worker';
  }
  return undefined;
}

async function checkGateway() {
  const host = !process.env.HOST || process.env.HOST === '0.0.0.0' || process.env.HOST === '::' ? '127.0.0.1' : process.env.HOST;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${process.env.PORT || '8080'}/healthz`;
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return `${url} answered 200`;
}

const millis = (ts) => (ts ? Number(typeof ts.seconds === 'object' ? ts.seconds.toNumber() : ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6) : 0);

async function checkWorker() {
  const { Connection } = require('@temporalio/client');
  const { loadClientConnectConfig } = require('@temporalio/envconfig');
  const overrideEnvVars = Object.fromEntries(Object.entries(process.env).filter((e) => e[1] !== undefined));
  const { connectionOptions, namespace = 'default' } = loadClientConnectConfig({ overrideEnvVars });
  const taskQueue = process.env.POLLBACK_TASK_QUEUE || 'pollback';
  const connection = await Connection.connect({ ...connectionOptions, connectTimeout: TIMEOUT_MS });
  try {
    const { pollers } = await connection.withDeadline(Date.now() + TIMEOUT_MS, () =>
      connection.workflowService.describeTaskQueue({
        namespace,
        // TASK_QUEUE_KIND_NORMAL, TASK_QUEUE_TYPE_WORKFLOW
        taskQueue: { name: taskQueue, kind: 1 },
        taskQueueType: 1,
      }),
    );
    const suffix = `@${os.hostname()}`;
    const mine = (pollers ?? []).filter((p) => typeof p.identity === 'string' && p.identity.endsWith(suffix));
    if (mine.length === 0) throw new Error(`no poller of ${suffix} on task queue "${taskQueue}" (namespace "${namespace}")`);
    const ageMs = Date.now() - Math.max(...mine.map((p) => millis(p.lastAccessTime)));
    if (ageMs > POLLER_FRESH_MS) throw new Error(`this worker last polled "${taskQueue}" ${Math.round(ageMs / 1000)}s ago`);
    return `${mine[0].identity} polls "${taskQueue}" (namespace "${namespace}")`;
  } finally {
    await connection.close();
  }
}

const role = process.argv[2] ?? detectRole();
const checks = { gateway: checkGateway, worker: checkWorker };
if (!role || !Object.hasOwn(checks, role)) {
  console.error(role ? `unknown role "${role}" (gateway | worker)` : 'no Pollback gateway or worker process found in this container');
  process.exit(1);
}
try {
  console.log(`healthy: ${await checks[role]()}`);
  process.exit(0);
} catch (err) {
  console.error(`unhealthy ${role}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

// Hostile job input and hostile remote answers: bad workflow input (straight to Temporal and
// through the job API), URLs pointing at hosts the profile does not allow, redirects, file
// names that climb out of the download folder, downloads over the limit or without end, wrong
// checksums. Each must end in the right non-retryable failure (or a 400 before any workflow),
// reach no disallowed host, and write nothing outside the job's folder.
import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jobDownloadDir } from '../../src/activities/download-result';
import type { HostileCase, RunContext } from '../family';
import { simulatorInput, type Verdict } from '../jobs';
import type { HostileServer } from './server';

interface JobCase {
  family: string;
  name: string;
  input: unknown;
  /** Failure types that are the right answer, or `succeeded` plus a check of the result. */
  end: readonly string[] | 'succeeded';
  check?: (verdict: Verdict) => Promise<string | undefined>;
}

const exists = (file: string): Promise<boolean> => access(file).then(() => true, () => false);

function inputCases(ctx: RunContext): JobCase[] {
  const family = 'hostile input';
  const poll = { mode: 'poll' } as const;
  return [
    { family, name: 'input without completion', input: { profile: 'aso-export', params: {} }, end: ['InvalidInput'] },
    { family, name: 'input with wrong-typed fields', input: { profile: 'aso-export', params: 'x', completion: { mode: 'poll', timeout: true } }, end: ['InvalidInput'] },
    { family, name: 'input with an unknown mode', input: { profile: 'aso-export', completion: { mode: 'carrier-pigeon' } }, end: ['InvalidInput'] },
    { family, name: 'input with an unknown profile', input: { profile: 'no-such-profile', completion: poll }, end: ['ProfileNotFound'] },
    { family, name: 'input that is not an object', input: 'report please', end: ['InvalidInput'] },
    { family, name: 'inline profile reading the signing keys', input: { ...simulatorInput(ctx.cluster, { mode: 'poll', notify: false }), profile: { name: 'x', allowedHosts: ['127.0.0.1'], secrets: { k: { env: 'POLLBACK_TOKEN_KEYS' } }, start: { url: 'http://127.0.0.1/' }, status: { state: { body: 's' }, states: { running: ['r'], succeeded: ['s'], failed: ['f'], cancelled: ['c'] } } } }, end: ['InvalidInput'] },
  ];
}

function hostCases(hostile: HostileServer): JobCase[] {
  const family = 'disallowed hosts';
  const canaryUnhit = (): Promise<string | undefined> => Promise.resolve(hostile.canaryHits ? `the canary was hit ${hostile.canaryHits} times` : undefined);
  return [
    { family, name: 'status URL → link-local (169.254.169.254)', input: hostile.jobInput('status-link-local'), end: ['HostNotAllowed'] },
    { family, name: 'status URL → private (10.1.2.3)', input: hostile.jobInput('status-private'), end: ['HostNotAllowed'] },
    { family, name: 'result URL → private (192.168.0.10)', input: hostile.jobInput('result-private'), end: ['HostNotAllowed'] },
    { family, name: 'start redirected to a host not allowed', input: hostile.jobInput('redirect'), end: ['RemoteRejected', 'HostNotAllowed'], check: canaryUnhit },
    { family, name: 'status redirected to a host not allowed', input: hostile.jobInput('status-redirect'), end: ['RemoteRejected', 'HostNotAllowed'], check: canaryUnhit },
    { family, name: 'loopback when not allowed', input: hostile.jobInput('x', { profile: hostile.profile(['api.example.com'], `${hostile.canaryUrl}/start`) }), end: ['HostNotAllowed'], check: canaryUnhit },
    // A profile cannot allow every host: "*" is refused with the input, before any request.
    { family, name: 'allowedHosts "*" (any host, link-local included)', input: hostile.jobInput('x', { profile: hostile.profile(['*'], 'http://169.254.169.254/latest/meta-data/') }), end: ['InvalidInput'] },
    { family, name: 'allowedHosts of one name, URL on another port', input: hostile.jobInput('x', { profile: hostile.profile([new URL(hostile.url).host], `${hostile.canaryUrl}/start`) }), end: ['HostNotAllowed'], check: canaryUnhit },
    { family, name: 'localhost by name when only 127.0.0.1:port is allowed', input: hostile.jobInput('x', { profile: hostile.profile([new URL(hostile.url).host], `http://localhost:${new URL(hostile.canaryUrl).port}/start`) }), end: ['HostNotAllowed'], check: canaryUnhit },
  ];
}

function resultCases(ctx: RunContext, hostile: HostileServer): JobCase[] {
  const family = 'hostile results';
  const escaped = path.join(os.tmpdir(), hostile.escapeName);
  const staysInside = async (verdict: Verdict): Promise<string | undefined> => {
    const file = verdict.result?.file;
    if (!file) return 'no file';
    const folder = jobDownloadDir(ctx.cluster, verdict.tracked.workflowId);
    if (path.dirname(file.path) !== folder || /[\\/]/.test(file.fileName)) return `written to ${file.path}`;
    if (await exists(escaped)) return `a file appeared at ${escaped}`;
    return verdict.fileCorrupt ? 'the file is corrupt' : undefined;
  };
  return [
    { family, name: 'file name with path traversal', input: hostile.jobInput('traversal'), end: 'succeeded', check: staysInside },
    { family, name: 'file name* (RFC 5987) with encoded traversal', input: hostile.jobInput('traversal-star'), end: 'succeeded', check: staysInside },
    { family, name: 'input fileName with path traversal', input: hostile.jobInput('plain', { fileName: `../../../../../../tmp/${hostile.escapeName}` }), end: 'succeeded', check: staysInside },
    { family, name: 'download larger than the limit', input: hostile.jobInput('too-big', { size: 8 << 20, maxBytes: 1 << 20 }), end: ['ResultTooLarge'] },
    { family, name: 'endless download stream', input: hostile.jobInput('endless', { maxBytes: 4 << 20 }), end: ['ResultTooLarge'] },
    { family, name: 'wrong checksum', input: simulatorInput(ctx.cluster, { mode: 'poll', notify: false, scenario: { wrongChecksum: true } }), end: ['ChecksumMismatch'] },
  ];
}

/** Job input refused by the job API before any workflow starts (400 naming the field). */
async function apiCases(ctx: RunContext): Promise<HostileCase[]> {
  const bodies: [string, unknown][] = [
    ['job API: input without completion', { profile: 'aso-export' }],
    ['job API: wrong-typed fields', { profile: 'aso-export', params: 'x', completion: { mode: 'poll', timeout: true } }],
    ['job API: unknown mode', { profile: 'aso-export', completion: { mode: 'carrier-pigeon' } }],
    ['job API: malformed JSON', '{"profile":'],
  ];
  return Promise.all(bodies.map(async ([name, body]) => {
    const res = await fetch(`${ctx.cluster.gatewayUrl}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.cluster.secrets.apiToken}` },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const answer = (await res.json().catch(() => ({}))) as { type?: string };
    return { family: 'hostile input', name, refused: res.status === 400, detail: `${res.status} ${answer.type ?? ''}`.trim() };
  }));
}

export async function hostileInputs(ctx: RunContext, hostile: HostileServer): Promise<HostileCase[]> {
  const cases = [...inputCases(ctx), ...hostCases(hostile), ...resultCases(ctx, hostile)];
  const started = await Promise.all(cases.map(async (c) => ({
    c,
    tracked: await ctx.book.start(c.family, c.name, c.input as never, { end: c.end, notifications: 0, ...(c.end === 'succeeded' ? { size: 4096 } : {}) }),
  })));
  const verdicts = await Promise.all(started.map(async ({ c, tracked }) => {
    const verdict = await ctx.book.verdict(tracked, new Map(), 60_000);
    const problem = verdict.completed ? await c.check?.(verdict) : `ended ${verdict.ended}${verdict.failureMessage ? ` (${verdict.failureMessage.slice(0, 160)})` : ''}`;
    return { family: c.family, name: c.name, refused: problem === undefined, detail: problem ?? verdict.ended };
  }));
  return [...verdicts, ...(await apiCases(ctx))];
}

// `npm run profile -- check`: what a profile would send, for given params and a mode, without
// touching the network. Secrets are shown by the name of their environment variable, never
// read; the callback URL and token are shown in the shape the gateway will receive them.
import { correlates, isTokenAuth, profileCallbackPath, usesProfileEndpoint, type CallbackSpec } from '../contract/profile/callback';
import { describeExtractor } from './extract';
import { callbackFor, mentionsCallback, renderRequest, renderStart, type RenderedRequest } from './requests';
import type { Profile } from '../contract/profile/schema';

export type Mode = 'poll' | 'callback' | 'hybrid';

export interface CheckOptions {
  params: Record<string, unknown>;
  /** Modes to show; default: every mode the profile supports. */
  modes?: Mode[];
  /** Where vars come from (their defaults otherwise); secrets are never read. */
  env: Readonly<Record<string, string | undefined>>;
  /** The gateway's public URL (POLLBACK_PUBLIC_URL). */
  publicUrl?: string;
}

const TOKEN = 'TASK-TOKEN';
const REMOTE_ID = 'REMOTE-JOB-ID';
const STATUS_URL = 'https://status-url.from-the-start-response.example/';

export function supportedModes(profile: Profile): Mode[] {
  const callback = mentionsCallback(profile) || correlates(profile.callback);
  return [...(profile.status ? (['poll'] as const) : []), ...(callback ? (['callback'] as const) : []), ...(profile.status && callback ? (['hybrid'] as const) : [])];
}

function context(profile: Profile, opts: CheckOptions, callback?: { url: string; token?: string }): Record<string, unknown> {
  const vars: Record<string, string> = {};
  for (const [name, spec] of Object.entries(profile.vars)) vars[name] = opts.env[spec.env] ?? spec.default ?? `<${spec.env} not set>`;
  const secrets = Object.fromEntries(Object.entries(profile.secrets).map(([name, spec]) => [name, `<secret from ${spec.env}>`]));
  return { params: opts.params, vars, secrets, job: { id: 'JOB-ID' }, remote: { id: REMOTE_ID, statusUrl: STATUS_URL }, ...(callback ? { callback } : {}) };
}

function show(title: string, request: RenderedRequest): string {
  const url = request.url === STATUS_URL ? '{{remote.statusUrl}} (the status URL from the start response)' : request.url.replace(STATUS_URL, '{{remote.statusUrl}}/');
  const lines = [`── ${title} ──`, `${request.method} ${url}`];
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
  if (request.json !== undefined) lines.push('', JSON.stringify(request.json, null, 2));
  return lines.join('\n');
}

function describeCallback(profile: Profile, spec: CallbackSpec | undefined, base: string): string {
  const lines = ['── callbacks (the API calls Pollback) ──'];
  const own = usesProfileEndpoint(spec);
  const auth = spec?.auth ?? { token: 'path' as const };
  const endpoint = own ? `${base}${profileCallbackPath(profile.name)}` : `${base}/v1/callbacks/<task token>`;
  if (!own) lines.push(`POST ${endpoint}`, `body: Pollback's own {"status": "success" | "failure" | "heartbeat", …}`);
  else if (isTokenAuth(auth)) {
    const where = { path: `${endpoint}/<task token>`, query: `${endpoint}?${'name' in auth ? auth.name : 'token'}=<task token>`, bearer: `${endpoint} with Authorization: Bearer <task token>`, header: `${endpoint} with ${'name' in auth ? auth.name : ''}: <task token>`, body: `${endpoint} with the token in body field ${'field' in auth ? auth.field : ''}` }[auth.token];
    lines.push(`POST ${where}`);
  } else {
    lines.push(`POST ${endpoint}`, `job found by ${describeExtractor(auth.correlate)} = the remote job id`);
    if (auth.signature) lines.push(`authenticated by a ${auth.signature.scheme} signature, secret from ${auth.signature.secretEnv} (read by the gateway)`);
    if (auth.sharedSecret) lines.push(`authenticated by header ${auth.sharedSecret.header}, secret from ${auth.sharedSecret.secretEnv} (read by the gateway)`);
  }
  if (spec?.state && spec.states) {
    const words = (['running', 'succeeded', 'failed', 'cancelled'] as const).map((s) => `${s} ← ${(spec.states?.[s] ?? []).join(', ') || '—'}`).join('; ');
    lines.push(`state at ${describeExtractor(spec.state)}: ${words}; other words ${spec.otherStates === 'ignore' ? 'ignored' : 'refused'}`);
    for (const key of ['resultUrl', 'sha256', 'errorCode', 'error', 'progress', 'output'] as const) {
      const extractor = spec[key];
      if (extractor) lines.push(`${key} at ${describeExtractor(extractor)}`);
    }
  }
  lines.push(`answer: ${spec?.response ? `${spec.response.status}${spec.response.body !== undefined ? ` ${JSON.stringify(spec.response.body)}` : ''}` : '200 {"delivered":true,…}'}`);
  return lines.join('\n');
}

/** The requests the profile would send, as text; throws (naming the placeholder) when a template cannot be filled. */
export function checkProfile(profile: Profile, opts: CheckOptions): string {
  const supported = supportedModes(profile);
  const modes = opts.modes ?? supported;
  const unsupported = modes.filter((m) => !supported.includes(m));
  if (unsupported.length) throw new Error(`profile "${profile.name}" cannot run in ${unsupported.join(', ')} mode (it supports: ${supported.join(', ') || 'none'})`);
  const base = (opts.publicUrl ?? 'https://pollback.example.com').replace(/\/$/, '');
  const out = [`profile "${profile.name}" is valid; modes: ${supported.join(', ')}`];
  // Callback and hybrid mode send the same start request.
  const starts = [...(modes.includes('poll') ? [['poll']] : []), ...(modes.some((m) => m !== 'poll') ? [modes.filter((m) => m !== 'poll')] : [])];
  for (const group of starts) {
    const expectsCallback = group[0] !== 'poll';
    const callback = expectsCallback ? callbackFor(profile, base, () => TOKEN) : undefined;
    out.push(show(`start (${group.join(' and ')} mode)`, renderStart(profile, context(profile, opts, callback), expectsCallback, 'JOB-ID/RUN-ID')));
  }
  if (profile.status && modes.some((m) => m !== 'callback')) {
    const status = profile.status;
    out.push(show('status (each poll)', renderRequest({ method: status.method, url: status.url ?? '{{remote.statusUrl}}', headers: status.headers }, context(profile, opts), 'status')));
    const words = (['running', 'succeeded', 'failed', 'cancelled'] as const).map((s) => `${s} ← ${status.states[s].join(', ')}`).join('; ');
    out.push(`state at ${describeExtractor(status.state)}: ${words}`);
  }
  if (modes.some((m) => m !== 'poll')) out.push(describeCallback(profile, profile.callback, base));
  if (profile.cancel) out.push(show('cancel', renderRequest(profile.cancel, context(profile, opts), 'cancel')));
  return out.join('\n\n');
}

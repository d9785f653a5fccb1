import { ensureOk, send } from '../http/client';
import { renderRequest } from '../profiles/requests';
import { requestScope, type ActivityDeps } from './context';
import type { CancelRemoteJobArgs } from './types';

export interface CancelOutcome {
  cancelled: boolean;
  detail: string;
}

/** Asks the remote API to stop the job, the way the profile says. A job already gone or finished is fine. */
export async function cancelRemoteJob(deps: ActivityDeps, args: CancelRemoteJobArgs): Promise<CancelOutcome> {
  const { profile, context, redact } = requestScope(deps, args.profile, args.params);
  if (!profile.cancel) return { cancelled: false, detail: `profile "${profile.name}" has no cancel request` };
  context.remote = args.remote;
  const { method, url, headers, json } = renderRequest(profile.cancel, context, 'cancel');
  const request = { method, purpose: 'cancel', redact } as const;
  const res = await send({ ...request, url, headers, json, allowedHosts: profile.allowedHosts });
  if (res.status === 404 || res.status === 409 || res.status === 410) return { cancelled: false, detail: `the remote job was already gone or finished (HTTP ${res.status})` };
  ensureOk(res, request);
  return { cancelled: true, detail: `the remote API accepted the cancel (HTTP ${res.status})` };
}

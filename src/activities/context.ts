// What every remote-API activity needs: the profile, resolved; the template context with
// vars and secrets read from the worker's environment; the values to scrub from errors.
import { Context } from '@temporalio/activity';
import { ErrorType, nonRetryable } from '../errors';
import { profileSchema, type Profile } from '../profiles/schema';
import type { TemplateContext } from '../profiles/template';
import { describeIssues } from '../validation';
import type { Keyring } from '../tokens/task-token';
import type { ProfileRef } from './types';

export interface ActivityDeps {
  profiles: ReadonlyMap<string, Profile>;
  /** Where vars and secrets are read from; process.env in production. */
  env: Readonly<Record<string, string | undefined>>;
  /** Signs task tokens; absent when this worker does not serve callback-mode jobs. */
  keyring?: Keyring;
  /** Public base URL of the gateway, e.g. https://pollback.example.com; callbacks go to `${base}/v1/callbacks/<token>`. */
  callbackBaseUrl?: string;
  /** Root folder for downloaded results: `<downloadDir>/<workflowId>/<file name>`. */
  downloadDir: string;
  /** Slack Web API base URL (a Slack-compatible receiver in tests). */
  slackApiUrl: string;
  /** Temporal Web UI base URL, for links in notifications. */
  webUiUrl?: string;
  /** Hosts webhook notifications may be sent to (`*` for any). */
  notifyAllowedHosts: readonly string[];
}

export function resolveProfile(deps: ActivityDeps, ref: ProfileRef): Profile {
  if (typeof ref !== 'string') {
    const parsed = profileSchema.safeParse(ref);
    if (!parsed.success) throw nonRetryable(ErrorType.InvalidProfile, `inline profile: ${describeIssues(parsed.error)}`);
    return parsed.data;
  }
  const profile = deps.profiles.get(ref);
  if (!profile) {
    throw nonRetryable(ErrorType.ProfileNotFound, `profile "${ref}" is not known to this worker (known: ${[...deps.profiles.keys()].sort().join(', ') || 'none'})`);
  }
  return profile;
}

export interface RequestScope {
  profile: Profile;
  context: Record<string, unknown>;
  redact: string[];
}

export function requestScope(deps: ActivityDeps, ref: ProfileRef, params: Record<string, unknown>): RequestScope {
  const profile = resolveProfile(deps, ref);
  const vars: Record<string, string> = {};
  for (const [name, spec] of Object.entries(profile.vars)) {
    const value = deps.env[spec.env] ?? spec.default;
    if (value !== undefined) vars[name] = value;
  }
  const secrets: Record<string, string> = {};
  const redact: string[] = [];
  for (const [name, spec] of Object.entries(profile.secrets)) {
    const value = deps.env[spec.env];
    if (!value) throw nonRetryable(ErrorType.SecretMissing, `profile "${profile.name}" needs secret "${name}" from environment variable ${spec.env}, which is not set on this worker`);
    secrets[name] = value;
    redact.push(value);
  }
  const job = { id: currentWorkflowId() };
  return { profile, context: { params, vars, secrets, job } satisfies TemplateContext, redact };
}

export function currentWorkflowId(): string {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw nonRetryable(ErrorType.InvalidInput, 'Pollback activities run only as part of an asyncJob workflow');
  return execution.workflowId;
}

// What every remote-API activity needs: the profile, resolved; the template context with
// vars and secrets read from the worker's environment; the values to scrub from errors.
import { Context } from '@temporalio/activity';
import { ErrorType, nonRetryable } from '../contract/errors';
import type { EmailSettings } from '../notify/email';
import type { S3Settings } from '../storage/s3';
import { profileSchema, type Profile } from '../contract/profile/schema';
import type { TemplateContext } from '../profiles/template';
import { describeIssues } from '../contract/validation';
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
  /** S3 uploads of results (`download.to: s3://…`); absent: buckets are refused. */
  s3?: S3Settings;
  /** SMTP server and sender for email notifications; absent: email is not configured. */
  email?: EmailSettings;
  /** Hosts webhook notifications may be sent to (`*` for any). */
  notifyAllowedHosts: readonly string[];
  /** Whether job input may carry a whole profile (it then chooses hosts and headers). */
  allowInlineProfiles: boolean;
  /**
   * The only environment variables job input may name (inline profiles' vars and secrets,
   * notification tokens): input must never be able to read, say, the token signing keys.
   */
  inputEnv: ReadonlySet<string>;
  /** Profile name → the task queue its limited remote calls run on (profiles with `limits` only). */
  apiTaskQueues?: ReadonlyMap<string, string>;
}

/** An environment variable named by job input, refused unless the operator allowed it. */
export function inputEnvValue(deps: ActivityDeps, name: string, what: string): string | undefined {
  if (!deps.inputEnv.has(name)) {
    throw nonRetryable(ErrorType.InvalidInput, `${what} names environment variable ${name}, which is not in POLLBACK_INPUT_ENV on this worker`);
  }
  return deps.env[name];
}

export function resolveProfile(deps: ActivityDeps, ref: ProfileRef): Profile {
  if (typeof ref !== 'string') {
    if (!deps.allowInlineProfiles) throw nonRetryable(ErrorType.InvalidProfile, 'inline profiles are turned off on this worker (POLLBACK_ALLOW_INLINE_PROFILES)');
    const parsed = profileSchema.safeParse(ref);
    if (!parsed.success) throw nonRetryable(ErrorType.InvalidProfile, `inline profile: ${describeIssues(parsed.error)}`);
    for (const { env } of [...Object.values(parsed.data.vars), ...Object.values(parsed.data.secrets)]) inputEnvValue(deps, env, 'the inline profile');
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

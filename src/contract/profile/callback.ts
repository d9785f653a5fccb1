// The `callback` section of a profile: how an API calls back, in its own words. One mechanism
// for every inbound callback: who is calling and which job (a task token somewhere in the
// request, or a correlation value matched against the remote job id and authenticated by a
// signature or a shared secret), what happened (a state extractor and the API's words for
// each state, the same language as the `status` section), and what to answer. Pure (zod only).
import { z } from 'zod';
import { durationSchema } from '../duration-schema';
import { extractorSchema } from './extractor';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. ACME_WEBHOOK_SECRET');
const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name, e.g. X-Signature');

/** Where the task token Pollback handed out comes back. */
export const tokenAuthSchema = z.discriminatedUnion('token', [
  /** `{{callback.url}}` ends with the token: …/callback/<token> */
  z.strictObject({ token: z.literal('path') }),
  /** `{{callback.url}}` carries it as a query parameter: …/callback?<name>=<token> */
  z.strictObject({ token: z.literal('query'), name: z.string().regex(/^[\w.-]+$/).default('token') }),
  /** `Authorization: Bearer <token>`, the token handed over as `{{callback.token}}`. */
  z.strictObject({ token: z.literal('bearer') }),
  /** A named header, e.g. X-Callback-Token. */
  z.strictObject({ token: z.literal('header'), name: headerName }),
  /** A field of the JSON body (dotted path), e.g. meta.taskToken. */
  z.strictObject({ token: z.literal('body'), field: z.string().min(1) }),
]);

/** Signatures over the raw body, with the secret read from the gateway's environment. */
export const signatureSchema = z.discriminatedUnion('scheme', [
  /** GitHub style: `<prefix><HMAC-SHA256(secret, body)>` in one header. */
  z.strictObject({
    scheme: z.literal('hmac-sha256'),
    secretEnv: envName,
    header: headerName.default('X-Hub-Signature-256'),
    prefix: z.string().default('sha256='),
    encoding: z.enum(['hex', 'base64']).default('hex'),
  }),
  /** Stripe style: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`; older than `tolerance` is a replay. */
  z.strictObject({ scheme: z.literal('stripe'), secretEnv: envName, header: headerName.default('Stripe-Signature'), tolerance: durationSchema.default(300_000) }),
  /** Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature (`v1,<base64>`); secret `whsec_…`; a 5-minute replay window (the spec's). */
  z.strictObject({ scheme: z.literal('standard-webhooks'), secretEnv: envName }),
]);

/** No token: the job is found by a value matched against its remote job id. */
export const correlationAuthSchema = z
  .strictObject({
    correlate: extractorSchema,
    signature: signatureSchema.optional(),
    sharedSecret: z.strictObject({ header: headerName, secretEnv: envName }).optional().describe('A fixed secret the API sends in a header (weaker than a signature: use when that is all the API offers).'),
  })
  .refine((auth) => (auth.signature === undefined) !== (auth.sharedSecret === undefined), {
    message: 'a correlated callback needs exactly one of signature or sharedSecret: without one, anyone could finish the job',
  });

export const callbackAuthSchema = z.union([tokenAuthSchema, correlationAuthSchema]);

const stateWords = z.array(z.string().min(1)).min(1);

export const callbackSchema = z.strictObject({
  /**
   * Who is calling and which job. Unset: Pollback's own callback URL, `/v1/callbacks/<token>`.
   * Set: the profile's endpoint, `/v1/profiles/<name>/callback`.
   */
  auth: callbackAuthSchema.optional(),
  state: extractorSchema.optional().describe('Where the API\'s state word is. Unset: Pollback\'s own body, `{"status": "success" | "failure" | "heartbeat", …}`.'),
  /** The API's words for each state; `running` callbacks are heartbeats (and may carry progress). */
  states: z
    .strictObject({ running: stateWords.optional(), succeeded: stateWords.optional(), failed: stateWords.optional(), cancelled: stateWords.optional() })
    .optional(),
  otherStates: z.enum(['refuse', 'ignore']).default('refuse').describe('A state word that is in no list: refused (the job is told), or ignored (APIs that send many kinds of event to one URL).'),
  output: extractorSchema.optional().describe('The job\'s output on success. Default: the whole body (API style) or its `output` (Pollback style).'),
  resultUrl: extractorSchema.optional().describe('Where a successful callback carries the result URL and its sha256 (API style: in the body; Pollback style: in its output).'),
  sha256: extractorSchema.optional(),
  errorCode: extractorSchema.optional().describe('A failure\'s code and message, carried into the job\'s RemoteJobFailed.'),
  error: extractorSchema.optional(),
  progress: extractorSchema.optional().describe('How far the remote job is (a number, see progressMax), shown in the Web UI.'),
  progressMax: z.number().positive().default(100).describe('What the progress value counts up to: 100 (percent, the default) or e.g. 1 (a fraction).'),
  response: z.strictObject({ status: z.number().int().min(200).max(299).default(200), body: z.unknown().optional() }).optional().describe('What to answer an accepted (or duplicate) callback. Default: 200 with Pollback\'s acknowledgement.'),
}).superRefine((callback, ctx) => {
  if ((callback.state === undefined) !== (callback.states === undefined)) {
    ctx.addIssue({ code: 'custom', path: [callback.state === undefined ? 'state' : 'states'], message: 'state and states go together: where the state word is, and what the words mean' });
  }
  if (callback.states && !callback.states.succeeded && !callback.states.failed) {
    ctx.addIssue({ code: 'custom', path: ['states'], message: 'at least one of succeeded or failed: otherwise no callback could finish the job' });
  }
});

export type CallbackSpec = z.output<typeof callbackSchema>;
export type CallbackAuth = z.output<typeof callbackAuthSchema>;
export type TokenAuth = z.output<typeof tokenAuthSchema>;
export type CorrelationAuth = z.output<typeof correlationAuthSchema>;
export type SignatureSpec = z.output<typeof signatureSchema>;

export const isTokenAuth = (auth: CallbackAuth): auth is TokenAuth => 'token' in auth;

/** Whether the profile's own endpoint (`/v1/profiles/<name>/callback`) receives its callbacks. */
export const usesProfileEndpoint = (callback: CallbackSpec | undefined): boolean => callback?.auth !== undefined || callback?.state !== undefined;

/** The gateway path at which a profile's own callback endpoint listens. */
export const profileCallbackPath = (profileName: string): string => `/v1/profiles/${profileName}/callback`;

/** Whether callbacks are matched by the remote job id (no token handed out). */
export const correlates = (callback: CallbackSpec | undefined): boolean => callback?.auth !== undefined && !isTokenAuth(callback.auth);

/** The environment variables the gateway needs to authenticate a profile's callbacks. */
export function callbackSecretEnvs(callback: CallbackSpec | undefined): string[] {
  const auth = callback?.auth;
  if (!auth || isTokenAuth(auth)) return [];
  return [auth.signature?.secretEnv ?? auth.sharedSecret?.secretEnv].filter((name): name is string => name !== undefined);
}

// The callback token a user would hand the remote API: the workflow id, HMAC-SHA256-signed with
// a key only the worker and the endpoint hold, so a forged callback never reaches a workflow.
import { createHmac, timingSafeEqual } from 'node:crypto';

const mac = (key: Buffer, workflowId: string): Buffer => createHmac('sha256', key).update(workflowId).digest();

export function mintCallbackToken(key: Buffer, workflowId: string): string {
  return `${Buffer.from(workflowId).toString('base64url')}.${mac(key, workflowId).toString('base64url')}`;
}

/** The workflow id the token was minted for, or undefined for a malformed or forged token. */
export function verifyCallbackToken(key: Buffer, token: string): string | undefined {
  const [id, signature, ...rest] = token.split('.');
  if (!id || !signature || rest.length) return undefined;
  const workflowId = Buffer.from(id, 'base64url').toString('utf8');
  const expected = mac(key, workflowId);
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? workflowId : undefined;
}

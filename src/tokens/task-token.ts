// Task tokens handed to remote APIs so they can call back. A token names the job (workflow
// id + the chain's first run id) and an expiry, and is HMAC-SHA256-signed with a key id so
// keys can rotate while older tokens stay valid. Minted in activities and verified by the
// gateway: the signing key never enters a workflow.
import { createHmac, timingSafeEqual } from 'node:crypto';

const VERSION = 'pb1';

export interface TokenClaims {
  /** Workflow id of the job. */
  workflowId: string;
  /** First run id of the job's continue-as-new chain. */
  runId: string;
  /** Expiry, epoch milliseconds. */
  expiresAt: number;
}

export interface Keyring {
  /** The key new tokens are signed with. */
  activeKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

export type VerifyResult =
  | { ok: true; claims: TokenClaims; keyId: string }
  | { ok: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' | 'expired'; claims?: TokenClaims };

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

function sign(key: Buffer, signed: string): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

export function mintToken(keyring: Keyring, claims: TokenClaims): string {
  const key = keyring.keys.get(keyring.activeKeyId);
  if (!key) throw new Error(`active token key "${keyring.activeKeyId}" is not in the keyring`);
  const payload = b64url(JSON.stringify({ w: claims.workflowId, r: claims.runId, e: Math.floor(claims.expiresAt / 1000) }));
  const signed = `${VERSION}.${keyring.activeKeyId}.${payload}`;
  return `${signed}.${b64url(sign(key, signed))}`;
}

function decodeClaims(payload: string): TokenClaims | undefined {
  try {
    const raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { w?: unknown; r?: unknown; e?: unknown };
    if (typeof raw.w !== 'string' || typeof raw.r !== 'string' || typeof raw.e !== 'number' || !raw.w || !raw.r) return undefined;
    return { workflowId: raw.w, runId: raw.r, expiresAt: raw.e * 1000 };
  } catch {
    return undefined;
  }
}

export function verifyToken(keyring: Keyring, token: string, now = Date.now()): VerifyResult {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const [, keyId = '', payload = '', signature = ''] = parts;
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]+$/.test(signature)) return { ok: false, reason: 'malformed' };
  const key = keyring.keys.get(keyId);
  if (!key) return { ok: false, reason: 'unknown-key' };
  const expected = sign(key, `${VERSION}.${keyId}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  const claims = decodeClaims(payload);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (claims.expiresAt <= now) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims, keyId };
}

/**
 * Parses `kid1:secret1,kid2:secret2` (secrets base64 or plain text, at least 32 bytes). The
 * first key signs new tokens unless `activeKeyId` names another; all verify.
 */
export function parseKeyring(spec: string, activeKeyId?: string): Keyring {
  const keys = new Map<string, Buffer>();
  for (const entry of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error('each key must be written kid:secret');
    const kid = entry.slice(0, colon);
    if (!/^[A-Za-z0-9_-]+$/.test(kid)) throw new Error(`key id "${kid}" may use only letters, digits, _ and -`);
    const secret = Buffer.from(entry.slice(colon + 1), 'utf8');
    if (secret.length < 32) throw new Error(`key "${kid}" is shorter than 32 bytes`);
    keys.set(kid, secret);
  }
  const first = keys.keys().next();
  if (first.done) throw new Error('no keys given');
  const active = activeKeyId ?? first.value;
  if (!keys.has(active)) throw new Error(`active key "${active}" is not among the keys`);
  return { activeKeyId: active, keys };
}

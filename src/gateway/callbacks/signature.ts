// Signatures over a callback's raw body, one function per scheme, each compared in constant
// time. The raw bytes are what was signed: re-serialised JSON would not match. Timestamped
// schemes (Stripe, Standard Webhooks) also refuse a signature older than their replay window.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { SignatureSpec } from '../../contract/profile/callback';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

const hmac = (secret: Buffer, data: Buffer | string): Buffer => createHmac('sha256', secret).update(data).digest();

function sameBytes(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** GitHub style: `<prefix><hex HMAC-SHA256 of the raw body>`. */
export function signBody(secret: Buffer, body: Buffer | string, prefix = 'sha256=', encoding: 'hex' | 'base64' = 'hex'): string {
  return `${prefix}${hmac(secret, body).toString(encoding)}`;
}

export function signatureMatches(secret: Buffer, body: Buffer, value: string | undefined, prefix: string, encoding: 'hex' | 'base64' = 'hex'): boolean {
  if (value === undefined || !value.startsWith(prefix)) return false;
  const text = value.slice(prefix.length).trim();
  if (encoding === 'hex' ? !/^[0-9a-fA-F]{64}$/.test(text) : !/^[A-Za-z0-9+/]{43}=?$/.test(text)) return false;
  return sameBytes(Buffer.from(text, encoding), hmac(secret, body));
}

/** Stripe style: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (several v1 allowed, for rotation). */
export function signStripe(secret: Buffer, body: Buffer | string, at = new Date()): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${hmac(secret, `${t}.${body.toString()}`).toString('hex')}`;
}

function stripeCheck(secret: Buffer, body: Buffer, value: string | undefined, toleranceMs: number, now: number): SignatureCheck {
  if (value === undefined) return { ok: false, reason: 'no signature header' };
  const parts = value.split(',').map((part) => part.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const signatures = parts.filter(([k, v]) => k === 'v1' && v !== undefined && /^[0-9a-fA-F]{64}$/.test(v)).map(([, v]) => Buffer.from(v ?? '', 'hex'));
  if (!Number.isInteger(t) || signatures.length === 0) return { ok: false, reason: 'the signature header is malformed' };
  const expected = hmac(secret, Buffer.concat([Buffer.from(`${t}.`), body]));
  if (!signatures.some((given) => sameBytes(given, expected))) return { ok: false, reason: 'the signature does not match the body' };
  // Checked after the signature, so an attacker learns nothing about the window from a forgery.
  if (Math.abs(now - t * 1000) > toleranceMs) return { ok: false, reason: `the signature's timestamp is outside the ${Math.round(toleranceMs / 1000)} s replay window` };
  return { ok: true };
}

function standardWebhooksCheck(secret: string, body: Buffer, headers: Headers): SignatureCheck {
  try {
    new Webhook(secret).verify(body.toString('utf8'), {
      'webhook-id': header(headers, 'webhook-id') ?? '',
      'webhook-timestamp': header(headers, 'webhook-timestamp') ?? '',
      'webhook-signature': header(headers, 'webhook-signature') ?? '',
    });
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof WebhookVerificationError ? err.message : 'the webhook secret is not a Standard Webhooks secret' };
  }
}

/** Checks a request's signature as the profile describes it; `secret` comes from the gateway's environment. */
export function checkSignature(spec: SignatureSpec, secret: string, body: Buffer, headers: Headers, now = Date.now()): SignatureCheck {
  switch (spec.scheme) {
    case 'hmac-sha256':
      return signatureMatches(Buffer.from(secret), body, header(headers, spec.header), spec.prefix, spec.encoding)
        ? { ok: true }
        : { ok: false, reason: `the ${spec.header} signature does not match the body` };
    case 'stripe':
      return stripeCheck(Buffer.from(secret), body, header(headers, spec.header), spec.tolerance, now);
    case 'standard-webhooks':
      return standardWebhooksCheck(secret, body, headers);
  }
}

/** A fixed secret in a header, compared in constant time. */
export function sharedSecretMatches(secret: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = hmac(Buffer.from('pollback-shared-secret'), given);
  const b = hmac(Buffer.from('pollback-shared-secret'), secret);
  return timingSafeEqual(a, b);
}

// GitHub-style webhook signatures: `<prefix><hex HMAC-SHA256 of the raw body>`, compared in
// constant time. The raw bytes are what was signed: re-serialised JSON would not match.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signBody(secret: Buffer, body: Buffer | string, prefix = 'sha256='): string {
  return `${prefix}${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function signatureMatches(secret: Buffer, body: Buffer, header: string | undefined, prefix: string): boolean {
  if (header === undefined || !header.startsWith(prefix)) return false;
  const hex = header.slice(prefix.length).trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const given = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(given, expected);
}

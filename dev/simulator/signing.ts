// Pre-signed result URLs like S3's: the URL alone authorises the download until it expires.
// The key is random per simulator, so URLs never outlive the process that issued them.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface SignedUrl {
  url: string;
  expiresInSeconds: number;
}

export class UrlSigner {
  private readonly key = randomBytes(32);

  /** `expires` is epoch milliseconds, so sub-second TTLs in tests still expire precisely. */
  presign(origin: string, jobId: string, ttlSeconds: number, now: number): SignedUrl {
    const expires = String(now + Math.round(ttlSeconds * 1000));
    const query = new URLSearchParams({ expires, signature: this.signature(jobId, expires) });
    return { url: `${origin}/files/${encodeURIComponent(jobId)}?${query.toString()}`, expiresInSeconds: ttlSeconds };
  }

  verify(jobId: string, expires: string, signature: string): boolean {
    const expected = Buffer.from(this.signature(jobId, expires));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private signature(jobId: string, expires: string): string {
    return createHmac('sha256', this.key).update(`${jobId}\n${expires}`).digest('base64url');
  }
}

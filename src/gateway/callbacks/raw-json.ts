// Signatures cover the bytes as sent, so signed callback routes keep them beside the parsed body.
// A body that is not JSON is not refused here: the caller is authenticated first, and an
// authenticated caller's unreadable callback is told to its job.
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body exactly as received: what the sender signed. */
    rawBody?: Buffer;
    /** Set when the body was not valid JSON (the parsed body is then undefined). */
    bodyNotJson?: boolean;
  }
}

/** JSON (`application/json`, `application/*+json`) parsed in this plugin's scope, raw bytes kept. */
export function keepRawJson(app: FastifyInstance): void {
  for (const type of ['application/json', /^application\/[\w.+-]+\+json$/]) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (request, body: Buffer, done) => {
      request.rawBody = body;
      if (body.length === 0) return done(null, undefined);
      try {
        done(null, JSON.parse(body.toString('utf8')));
      } catch {
        request.bodyNotJson = true;
        done(null, undefined);
      }
    });
  }
}

// Credential checks distinguish "no credentials" (401) from "wrong credentials" (403), the two
// cases a client must treat differently (fix the configuration vs. stop using that secret).
import { type onRequestHookHandler } from 'fastify';
import { HttpProblem } from './problem';

export interface Credentials {
  bearerToken: string;
  apiKey: string;
}

export interface RequiredCredentials {
  bearer?: boolean;
  apiKey?: boolean;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function check(credentials: Credentials, required: RequiredCredentials, headers: Record<string, string | string[] | undefined>): HttpProblem | undefined {
  const missing: string[] = [];
  const wrong: string[] = [];
  if (required.bearer) {
    const match = /^Bearer\s+(\S+)$/i.exec(single(headers.authorization) ?? '');
    if (!match) missing.push('Authorization: Bearer');
    else if (match[1] !== credentials.bearerToken) wrong.push('bearer token');
  }
  if (required.apiKey) {
    const key = single(headers['x-api-key']);
    if (key === undefined || key === '') missing.push('X-API-Key');
    else if (key !== credentials.apiKey) wrong.push('API key');
  }
  if (missing.length) return new HttpProblem(401, 'unauthorized', `missing credentials: ${missing.join(', ')}`, { 'www-authenticate': 'Bearer' });
  if (wrong.length) return new HttpProblem(403, 'forbidden', `wrong ${wrong.join(' and ')}`);
  return undefined;
}

export function requireCredentials(credentials: Credentials, required: RequiredCredentials): onRequestHookHandler {
  return (request, _reply, done) => done(check(credentials, required, request.headers));
}

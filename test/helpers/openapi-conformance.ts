// The OpenAPI document must say what the gateway does. Every response a test's gateway sends
// is checked against the gateway's own /openapi.json: the status is documented for that
// operation, a refusal is application/problem+json, a JSON body validates against the
// documented schema, and a 405 names the path's methods in Allow. Test stacks fail at stop()
// when any response did not conform, so the whole suite doubles as a conformance test.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

interface MediaType {
  schema?: object;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface Operation {
  responses?: Record<string, ResponseObject>;
}
type PathItem = Record<string, Operation>;
export interface OpenApiDocument {
  paths: Record<string, PathItem>;
}

export interface SeenResponse {
  method: string;
  /** The request path and query, as sent. */
  url: string;
  status: number;
  headers: Record<string, unknown>;
  /** The serialised body, when it was a string (streams are checked by content type only). */
  body?: string;
}

const headerText = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : Array.isArray(value) ? value.join(', ') : '');

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export class OpenApiConformance {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<object, ValidateFunction>();
  private readonly paths: { template: string; pattern: RegExp; item: PathItem }[];
  readonly violations: string[] = [];
  checked = 0;

  constructor(readonly doc: OpenApiDocument) {
    addFormats(this.ajv);
    this.paths = Object.entries(doc.paths).map(([template, item]) => ({
      template,
      item,
      // An empty segment still routes to a parameter (`/v1/jobs/` is `/v1/jobs/{id}` with id ""),
      // so its answers must be documented too.
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]*')}$`),
    }));
  }

  /** The documented path for a request path; templated paths lose to literal ones, as in the router. */
  private pathFor(requestPath: string): { template: string; item: PathItem } | undefined {
    const matches = this.paths.filter((p) => p.pattern.test(requestPath));
    return matches.find((p) => !p.template.includes('{')) ?? matches[0];
  }

  private validator(schema: object): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.validators.set(schema, validate);
    }
    return validate;
  }

  /** Returns what is wrong with one response, or undefined when it conforms. */
  problemWith(seen: SeenResponse): string | undefined {
    const requestPath = seen.url.split('?')[0] ?? '';
    const method = seen.method.toLowerCase();
    const contentType = headerText(seen.headers['content-type']).split(';')[0]?.trim() ?? '';
    const where = `${seen.method} ${seen.url.slice(0, 200)} → ${seen.status}`;
    if (requestPath === '/openapi.json' || requestPath.startsWith('/docs')) return undefined; // the document and its viewer
    const documented = this.pathFor(requestPath);
    const operation = documented?.item[method === 'head' ? 'get' : method];
    if (!documented || !operation) {
      if (seen.status >= 400 && contentType !== 'application/problem+json') return `${where}: a refusal must be application/problem+json, was "${contentType}"`;
      if (seen.status === 405) {
        const allow = headerText(seen.headers.allow).split(/,\s*/).map((m) => m.toLowerCase());
        const methods = documented ? Object.keys(documented.item).filter((m) => METHODS.includes(m)) : [];
        if (!documented) return `${where}: 405 for a path the document does not have`;
        const missing = methods.filter((m) => !allow.includes(m));
        return missing.length ? `${where}: Allow "${headerText(seen.headers.allow)}" lacks ${missing.join(', ')}` : undefined;
      }
      if (seen.status === 404 || seen.status === 400) return undefined; // no such route: the server-wide problem answer
      return `${where}: not a documented operation`;
    }
    const responses = operation.responses ?? {};
    // OpenAPI allows a range ("2XX") where the exact code is the remote API's choice.
    const response = responses[String(seen.status)] ?? responses[`${String(seen.status)[0]}XX`];
    if (!response) return `${where}: status not documented (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`;
    if (method === 'head' || seen.status === 204) return undefined;
    const media = response.content?.[contentType] ?? (contentType === 'application/json' ? undefined : response.content?.['*/*']);
    if (!media) {
      if (!seen.body) return undefined; // no body: nothing whose type could be wrong
      return `${where}: content type "${contentType}" not documented (documented: ${Object.keys(response.content ?? {}).join(', ') || 'none'})`;
    }
    if (!media.schema || seen.body === undefined || !contentType.endsWith('json')) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(seen.body);
    } catch {
      return `${where}: the body is not JSON: ${seen.body.slice(0, 200)}`;
    }
    const validate = this.validator(media.schema);
    if (!validate(body)) return `${where}: the body does not match the documented schema: ${this.ajv.errorsText(validate.errors)} in ${seen.body.slice(0, 300)}`;
    return undefined;
  }

  record(seen: SeenResponse): void {
    this.checked++;
    const problem = this.problemWith(seen);
    if (problem) this.violations.push(problem);
  }

  /** Throws with every non-conforming response seen, if any. */
  assertConforms(): void {
    if (this.violations.length) {
      throw new Error(`${this.violations.length} of ${this.checked} gateway responses do not match /openapi.json:\n${[...new Set(this.violations)].slice(0, 30).join('\n')}`);
    }
  }
}

/**
 * Checks every response `app` sends from now on. Call before `ready()`; the document is read
 * from the app itself once it is ready.
 */
export function watchConformance(app: FastifyInstance): { conformance: () => OpenApiConformance } {
  let checker: OpenApiConformance | undefined;
  const get = (): OpenApiConformance => (checker ??= new OpenApiConformance(app.swagger() as unknown as OpenApiDocument));
  app.addHook('onSend', (request, reply, payload, done) => {
    get().record({
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      headers: reply.getHeaders(),
      ...(typeof payload === 'string' ? { body: payload } : Buffer.isBuffer(payload) ? { body: payload.toString('utf8') } : {}),
    });
    done(null, payload);
  });
  return { conformance: get };
}

// `{{namespace.path}}` placeholders in profile requests. Rendering happens inside activities,
// where secrets are available; the rendered strings never go back into workflow history.
import { nonRetryable, ErrorType } from '../contract/errors';

export type TemplateContext = Readonly<Record<string, unknown>>;

const PLACEHOLDER = /\{\{\s*([a-zA-Z_][\w]*(?:\.[\w-]+)*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([a-zA-Z_][\w]*(?:\.[\w-]+)*)\s*\}\}$/;

export function lookup(context: unknown, path: string): unknown {
  let value: unknown = context;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function missing(path: string, where: string): Error {
  const hint = path.startsWith('params.') ? ` (add "${path.slice(7)}" to the job's params)` : '';
  return nonRetryable(ErrorType.InvalidInput, `${where}: no value for {{${path}}}${hint}`);
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Renders a string; every placeholder must resolve. `encode` may escape a value given its path. */
export function renderString(template: string, context: TemplateContext, where: string, encode?: (text: string, path: string) => string): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => {
    const value = lookup(context, path);
    if (value === undefined || value === null) throw missing(path, where);
    const text = asText(value);
    return encode ? encode(text, path) : text;
  });
}

// Placeholders that stand for a whole URL or its base, inserted as written; everything else
// (job params, job and remote ids) is percent-encoded, so no value can change the URL's shape.
const WHOLE_URLS = /^(vars\.|remote\.statusUrl$|callback\.url$)/;

export function renderUrl(template: string, context: TemplateContext, where: string): string {
  return renderString(template, context, where, (text, path) => (WHOLE_URLS.test(path) ? text : encodeURIComponent(text)));
}

/**
 * Renders a map of headers or query values. An entry that is exactly one placeholder with no
 * value is left out, so optional parameters need no special syntax.
 */
export function renderMap(map: Readonly<Record<string, string>> | undefined, context: TemplateContext, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, template] of Object.entries(map ?? {})) {
    const whole = WHOLE.exec(template);
    if (whole?.[1] !== undefined && lookup(context, whole[1]) === undefined) continue;
    out[key] = renderString(template, context, `${where}.${key}`);
  }
  return out;
}

/** Renders a JSON body. A string that is exactly one placeholder takes the value as is (objects stay objects; missing → key left out). */
export function renderJson(value: unknown, context: TemplateContext, where: string): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole?.[1] !== undefined) return lookup(context, whole[1]);
    return renderString(value, context, where);
  }
  if (Array.isArray(value)) return value.map((item, i) => renderJson(item, context, `${where}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const rendered = renderJson(item, context, `${where}.${key}`);
      if (rendered !== undefined) out[key] = rendered;
    }
    return out;
  }
  return value;
}

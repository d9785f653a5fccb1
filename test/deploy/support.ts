// Readers for the static deployment tests: docker-compose.yml (parsed, anchors and merge keys
// resolved, interpolated the way Compose does), the environment variables src/config.ts
// declares (read from its zod schemas with the TypeScript parser), the standard Temporal
// names, and the Dockerfile. No Docker engine is needed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';

export const root = path.resolve(__dirname, '../..');
export const read = (rel: string): string => readFileSync(path.join(root, rel), 'utf8');
export const exists = (rel: string): boolean => existsSync(path.join(root, rel));

// ---- docker-compose.yml --------------------------------------------------------------------------

export type EnvValue = string | number | boolean | null;

export interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface VolumeMount {
  type?: string | undefined;
  source?: string | undefined;
  target?: string | undefined;
  read_only?: boolean | undefined;
}

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, EnvValue> | string[];
  env_file?: unknown;
  healthcheck?: Healthcheck;
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: (string | number | { target?: number; published?: string | number })[];
  volumes?: (string | VolumeMount)[];
  container_name?: string;
  hostname?: string;
  deploy?: { replicas?: number | string };
  restart?: string;
  init?: boolean;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function loadCompose(rel = 'docker-compose.yml'): ComposeFile {
  // Compose resolves YAML anchors and `<<` merge keys; so does this parse.
  const doc = parseYaml(read(rel), { merge: true }) as ComposeFile | null;
  if (!doc || typeof doc !== 'object' || !doc.services) throw new Error(`${rel}: no services`);
  return doc;
}

/** A service's environment as name → raw value (null: no value, taken from the host). */
export function environmentOf(service: ComposeService): Map<string, string | null> {
  const env = new Map<string, string | null>();
  const raw = service.environment;
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const eq = entry.indexOf('=');
      env.set(eq < 0 ? entry : entry.slice(0, eq), eq < 0 ? null : entry.slice(eq + 1));
    }
  } else if (raw) {
    for (const [name, value] of Object.entries(raw)) env.set(name, value === null ? null : String(value));
  }
  return env;
}

export const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value.map(String) : value.split(/\s+/).filter(Boolean);

export function dependsOn(service: ComposeService): Map<string, string> {
  const deps = new Map<string, string>();
  if (Array.isArray(service.depends_on)) for (const name of service.depends_on) deps.set(name, 'service_started');
  else for (const [name, spec] of Object.entries(service.depends_on ?? {})) deps.set(name, spec?.condition ?? 'service_started');
  return deps;
}

/** Volume mounts, short syntax expanded; `${…}` take their defaults (an operator may override them). */
export function mountsOf(service: ComposeService): VolumeMount[] {
  return (service.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return v;
    const [source, target, mode] = interpolate(v, {}).split(':');
    const isPath = source !== undefined && /^[.~/$]/.test(source);
    return { type: target === undefined ? 'volume' : isPath ? 'bind' : 'volume', source: target === undefined ? undefined : source, target: target ?? source, read_only: mode?.split(',').includes('ro') ?? false };
  });
}

/** Services that others wait for to finish (`service_completed_successfully`): one-shots. */
export function oneShotServices(compose: ComposeFile): Set<string> {
  const names = new Set<string>();
  for (const service of Object.values(compose.services)) {
    for (const [dep, condition] of dependsOn(service)) if (condition === 'service_completed_successfully') names.add(dep);
  }
  return names;
}

/** The service whose command runs `file` (e.g. dist/worker.js). */
export function serviceRunning(compose: ComposeFile, file: string): [string, ComposeService][] {
  return Object.entries(compose.services).filter(([, s]) => [...asList(s.entrypoint), ...asList(s.command)].includes(file));
}

// ---- interpolation, as Compose does it ------------------------------------------------------------

export interface VariableReference {
  name: string;
  /** '' (plain), ':-', '-', ':?', '?', ':+', '+' */
  operator: string;
  argument: string;
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export function references(value: string): VariableReference[] {
  const out: VariableReference[] = [];
  for (const m of value.replace(/\$\$/g, '').matchAll(REFERENCE)) {
    out.push({ name: (m[1] ?? m[4]) as string, operator: m[2] ?? '', argument: m[3] ?? '' });
  }
  return out;
}

export class MissingVariableError extends Error {}

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `${VAR:+x}`, `$VAR`, `$$`. */
export function interpolate(value: string, env: Readonly<Record<string, string | undefined>>): string {
  const parts = value.split('$$');
  return parts
    .map((part) =>
      part.replace(REFERENCE, (_all, braced: string | undefined, operator: string | undefined, argument: string | undefined, bare: string | undefined) => {
        const name = (braced ?? bare) as string;
        const current = env[name];
        const unsetOrEmpty = current === undefined || current === '';
        switch (operator) {
          case ':-':
            return unsetOrEmpty ? interpolate(argument ?? '', env) : current;
          case '-':
            return current === undefined ? interpolate(argument ?? '', env) : current;
          case ':?':
            if (unsetOrEmpty) throw new MissingVariableError(`required variable ${name} is missing a value: ${argument ?? ''}`);
            return current;
          case '?':
            if (current === undefined) throw new MissingVariableError(`required variable ${name} is missing a value: ${argument ?? ''}`);
            return current;
          case ':+':
            return unsetOrEmpty ? '' : interpolate(argument ?? '', env);
          case '+':
            return current === undefined ? '' : interpolate(argument ?? '', env);
          default:
            return current ?? '';
        }
      }),
    )
    .join('$');
}

/** Every `${…}` in the compose file, with the path where it occurs. */
export function allReferences(node: unknown, at = ''): { path: string; ref: VariableReference }[] {
  if (typeof node === 'string') return references(node).map((ref) => ({ path: at, ref }));
  if (Array.isArray(node)) return node.flatMap((item, i) => allReferences(item, `${at}[${i}]`));
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => [...allReferences(k, at), ...allReferences(v, at ? `${at}.${k}` : k)]);
  return [];
}

// ---- env files (deploy/*.example) ---------------------------------------------------------------

export interface EnvFileEntry {
  name: string;
  value: string;
  commented: boolean;
}

/** `NAME=value` lines, and `#NAME=value` lines (documented, commented out). */
export function parseEnvFile(text: string): EnvFileEntry[] {
  const out: EnvFileEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(#\s*)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out.push({ name: m[2] as string, value: m[3] as string, commented: m[1] !== undefined });
  }
  return out;
}

// ---- what the product reads ---------------------------------------------------------------------

export interface DeclaredVariable {
  name: string;
  /** The variable holding the z.object, e.g. envSchema or gatewayEnvSchema. */
  schema: string;
  /** Neither .default(…) nor .optional()/.nullish(): start-up fails without it. */
  required: boolean;
  /** The literal given to .default(…), if any. */
  defaultValue?: string;
}

/** Environment variables declared in src/config.ts: the keys of every `z.object({…})`. */
export function configVariables(rel = 'src/config.ts'): DeclaredVariable[] {
  const source = ts.createSourceFile(rel, read(rel), ts.ScriptTarget.ES2022, true);
  const found: DeclaredVariable[] = [];
  const calls = (node: ts.Node, names: readonly string[]): ts.CallExpression[] => {
    const hits: ts.CallExpression[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && names.includes(n.expression.name.text)) hits.push(n);
      ts.forEachChild(n, visit);
    };
    visit(node);
    return hits;
  };
  const holder = (node: ts.Node): string => {
    for (let n: ts.Node | undefined = node; n; n = n.parent) if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) return n.name.text;
    return '(anonymous)';
  };
  for (const call of calls(source, ['object'])) {
    const callee = call.expression as ts.PropertyAccessExpression;
    const objectArg = call.arguments[0];
    if (!ts.isIdentifier(callee.expression) || callee.expression.text !== 'z' || !objectArg || !ts.isObjectLiteralExpression(objectArg)) continue;
    for (const prop of objectArg.properties) {
      if (!ts.isPropertyAssignment(prop)) continue;
      const name = ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name) ? prop.name.text : undefined;
      if (!name || !/^[A-Z][A-Z0-9_]*$/.test(name)) continue;
      const defaults = calls(prop.initializer, ['default']);
      const literal = defaults[0]?.arguments[0];
      found.push({
        name,
        schema: holder(call),
        required: defaults.length === 0 && calls(prop.initializer, ['optional', 'nullish']).length === 0,
        ...(literal && ts.isStringLiteralLike(literal) ? { defaultValue: literal.text } : {}),
      });
    }
  }
  return found;
}

/** Names @temporalio/envconfig reads (TEMPORAL_ADDRESS, TEMPORAL_TLS_*, …), from its code. */
export function temporalEnvNames(): Set<string> {
  const names = new Set([
    'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_API_KEY', 'TEMPORAL_TLS', 'TEMPORAL_TLS_CLIENT_CERT_PATH',
    'TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_PROFILE', 'TEMPORAL_CONFIG_FILE',
  ]);
  const lib = path.join(path.dirname(require.resolve('@temporalio/envconfig/package.json')), 'lib');
  for (const file of readdirSync(lib).filter((f) => f.endsWith('.js'))) {
    for (const m of readFileSync(path.join(lib, file), 'utf8').matchAll(/['"`](TEMPORAL_[A-Z0-9_]*[A-Z0-9])['"`]/g)) names.add(m[1] as string);
  }
  return names;
}

/** Environment variables the shipped profiles read (`vars.*.env`, `secrets.*.env`): SIMULATOR_*. */
export function builtinProfileEnvNames(): Set<string> {
  const names = new Set<string>();
  const dir = 'src/profiles/builtin';
  for (const file of readdirSync(path.join(root, dir)).filter((f) => /\.(ya?ml|json)$/.test(f))) {
    const profile = parseYaml(read(`${dir}/${file}`)) as { vars?: Record<string, { env?: string }>; secrets?: Record<string, { env?: string }> };
    for (const entry of [...Object.values(profile.vars ?? {}), ...Object.values(profile.secrets ?? {})]) if (entry.env) names.add(entry.env);
  }
  return names;
}

// ---- Dockerfile ---------------------------------------------------------------------------------

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      line = line.replace(/\\\s*$/, ' ') + next.trim();
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line);
    if (m) out.push({ keyword: (m[1] as string).toUpperCase(), args: (m[2] as string).trim(), line: start + 1 });
  }
  return out;
}

/** JSON (exec) form or shell form of CMD/ENTRYPOINT/HEALTHCHECK CMD arguments. */
export function execForm(args: string): string[] {
  const trimmed = args.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as string[];
  return trimmed.split(/\s+/);
}

/** .dockerignore patterns as predicates, in order; `!` re-includes. */
export function dockerignore(text: string): (rel: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = path.posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, '')).replace(/\/+$/, '');
      const body = pattern
        .split('/')
        .map((seg) => (seg === '**' ? '.*' : seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      // A pattern matching a folder excludes everything in it.
      return { negate, re: new RegExp(`^${body}(?:/.*)?$`) };
    });
  return (rel: string) => {
    let excluded = false;
    for (const rule of rules) if (rule.re.test(rel)) excluded = !rule.negate;
    return excluded;
  };
}

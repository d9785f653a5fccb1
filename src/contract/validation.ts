import type { core } from 'zod';

/** A field path as people write it: `notify.0.url`; keys that are not plain names are quoted, `params["a b"]`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(input)';
  return path
    .map((key, i) => {
      const name = typeof key === 'symbol' ? key.toString() : String(key);
      if (typeof key === 'number' || /^[A-Za-z_$][\w$-]*$/.test(name)) return i === 0 ? name : `.${name}`;
      return `[${JSON.stringify(name)}]`;
    })
    .join('');
}

/** Zod issues as one line per field path, e.g. `completion.mode: Invalid input: expected "callback" | …`. */
export function describeIssues(error: Pick<core.$ZodError, 'issues'>): string {
  return error.issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`).join('; ');
}

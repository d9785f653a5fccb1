import type { z } from 'zod';

/** Zod issues as one line per field path, e.g. `completion.mode: Invalid input: expected "callback" | …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`)
    .join('; ');
}

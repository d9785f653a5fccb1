// The JSON Schema of profile files, generated from the zod schema (the one source of truth), so
// editors validate and complete profiles as they are written (docs/profile.schema.json).
import { z } from 'zod';
import { profileSchema } from '../contract/profile/schema';

export const PROFILE_SCHEMA_ID = 'https://pollback.dev/schemas/profile.schema.json';

export function profileJsonSchema(): Record<string, unknown> {
  // `input`: what a file may say (defaults may be left out), not what the loader returns.
  const schema = z.toJSONSchema(profileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: PROFILE_SCHEMA_ID, title: 'Pollback API profile', description: 'One asynchronous HTTP API, described as data: how to start a job, read its status, hear its callbacks, download its result and cancel it.' };
}

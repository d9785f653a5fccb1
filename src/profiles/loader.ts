// Loads API profiles from a folder (one YAML or JSON file per API) and validates each on load,
// with errors that name the file and the field, so a broken profile stops the worker at start.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeIssues } from '../contract/validation';
import { parseYamlOrJson } from '../yaml-or-json';
import { profileSchema, type Profile } from '../contract/profile/schema';

export const BUILTIN_PROFILES_DIR = path.join(__dirname, 'builtin');

export class ProfileLoadError extends Error {
  override name = 'ProfileLoadError';
}

export function parseProfile(text: string, source: string): Profile {
  const raw = parseYamlOrJson(text, source, (message) => new ProfileLoadError(message));
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) throw new ProfileLoadError(`${source}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export async function loadProfiles(dirs: readonly string[]): Promise<Map<string, Profile>> {
  const profiles = new Map<string, Profile>();
  for (const dir of dirs) {
    const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
    for (const file of files) {
      const source = path.join(dir, file);
      const profile = parseProfile(await readFile(source, 'utf8'), source);
      // A later folder may override a built-in profile of the same name on purpose.
      profiles.set(profile.name, profile);
    }
  }
  return profiles;
}

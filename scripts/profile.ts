// `npm run profile -- check <file> [--params '<json>'] [--mode poll|callback|hybrid]`: validates a
// profile file (errors name the file and the field) and prints the requests it would send — no
// network, secrets shown by name only.
// `npm run profile -- schema [--out <file>]`: the JSON Schema of profile files, generated from
// the zod schema, for editors (docs/profile.schema.json is this output).
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { checkProfile, type Mode } from '../src/profiles/check';
import { parseProfile } from '../src/profiles/loader';
import { profileJsonSchema } from '../src/profiles/json-schema';

const USAGE = `usage:
  npm run profile -- check <profile.yaml|json> [--params '{"reportId":"1234"}'] [--mode poll|callback|hybrid]
  npm run profile -- schema [--out docs/profile.schema.json]`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { params: { type: 'string' }, mode: { type: 'string', multiple: true }, out: { type: 'string' } } });
  const [command, file] = positionals;
  if (command === 'schema') {
    const text = `${JSON.stringify(profileJsonSchema(), null, 2)}\n`;
    if (values.out) await writeFile(values.out, text);
    else process.stdout.write(text);
    return 0;
  }
  if (command !== 'check' || !file) {
    console.error(USAGE);
    return 2;
  }
  let params: unknown = {};
  try {
    params = values.params ? JSON.parse(values.params) : {};
  } catch {
    console.error('--params: not valid JSON');
    return 2;
  }
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    console.error('--params: expected a JSON object, e.g. {"reportId":"1234"}');
    return 2;
  }
  const modes = values.mode?.map((m): Mode => {
    if (m !== 'poll' && m !== 'callback' && m !== 'hybrid') throw new Error(`--mode: expected poll, callback or hybrid, got "${m}"`);
    return m;
  });
  const profile = parseProfile(await readFile(file, 'utf8'), file);
  console.log(checkProfile(profile, { params: params as Record<string, unknown>, env: process.env, ...(modes ? { modes } : {}), ...(process.env.POLLBACK_PUBLIC_URL ? { publicUrl: process.env.POLLBACK_PUBLIC_URL } : {}) }));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);

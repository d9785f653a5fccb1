// Static checks of the Dockerfile and .dockerignore (no Docker engine needed).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { dockerignore, environmentOf, execForm, exists, loadCompose, parseDockerfile, read, root, serviceRunning, type Instruction } from './support';

const instructions = parseDockerfile(read('Dockerfile'));
const ignored = dockerignore(read('.dockerignore'));

interface Stage {
  image: string;
  name?: string;
  body: Instruction[];
}

const globalArgs = new Map<string, string>();
const stages: Stage[] = [];
for (const ins of instructions) {
  if (ins.keyword === 'FROM') {
    const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
    const image = (words[0] ?? '').replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, name: string) => globalArgs.get(name) ?? `<unset ${name}>`);
    stages.push({ image, ...(words[1]?.toUpperCase() === 'AS' && words[2] ? { name: words[2] } : {}), body: [] });
  } else if (stages.length === 0 && ins.keyword === 'ARG') {
    const [name, value] = ins.args.split('=');
    if (name && value !== undefined) globalArgs.set(name.trim(), value.trim());
  } else {
    stages.at(-1)?.body.push(ins);
  }
}
const final = stages.at(-1) as Stage;
const of = (stage: Stage, keyword: string) => stage.body.filter((i) => i.keyword === keyword);

test('the Dockerfile is multi-stage and every base image is pinned', () => {
  assert.ok(stages.length >= 2, `expected a build stage and a runtime stage, found ${stages.length} FROM`);
  const stageNames = new Set(stages.map((s) => s.name).filter(Boolean));
  for (const stage of stages) {
    if (stageNames.has(stage.image)) continue;
    const tag = /:([^/:@]+)(?:@|$)/.exec(stage.image)?.[1];
    assert.ok(tag && tag !== 'latest', `FROM ${stage.image}: no tag or :latest`);
    assert.match(stage.image, /^node:20\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/, `FROM ${stage.image}: the base must be node:20.x.y-bookworm-slim, pinned to a patch version`);
  }
});

test('the runtime stage runs as a non-root user', () => {
  const users = of(final, 'USER');
  assert.ok(users.length > 0, 'no USER after the last FROM: the container would run as root');
  const user = (users.at(-1) as Instruction).args.split(':')[0];
  assert.ok(user && !['root', '0'].includes(user), `the last USER is ${user}`);
  const lastUser = final.body.lastIndexOf(users.at(-1) as Instruction);
  assert.ok(!final.body.slice(lastUser).some((i) => i.keyword === 'RUN' && /\bsudo\b|\bsu\b/.test(i.args)), 'no sudo/su after USER');
});

/** The source of a compiled dist/ path (dist/worker.js ← src/worker.ts), which must exist. */
const sourceOf = (built: string): string => built.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');

test('dependencies come from `npm ci` with the lock file as is: all of them to build, the runtime ones in the image', () => {
  for (const stage of stages) for (const run of of(stage, 'RUN')) assert.doesNotMatch(run.args, /\bnpm (install|i|update)\b/, `line ${run.line}: npm install would resolve anew instead of using package-lock.json`);
  const installs = stages.flatMap((stage) => of(stage, 'RUN').filter((r) => /\bnpm ci\b/.test(r.args)).map((ci) => ({ stage, ci })));
  const build = installs.find(({ ci }) => !/--omit[= ]dev/.test(ci.args));
  const runtime = installs.find(({ ci }) => /--omit[= ]dev/.test(ci.args));
  assert.ok(build, 'a build stage runs `npm ci` with the dev dependencies (typescript, the bundler)');
  assert.ok(runtime, 'a stage runs `npm ci --omit=dev`: the image carries only runtime dependencies');
  for (const { stage, ci } of installs) {
    const copiedBefore = stage.body.slice(0, stage.body.indexOf(ci)).filter((i) => i.keyword === 'COPY').map((i) => i.args).join(' ');
    assert.match(copiedBefore, /package-lock\.json/, `line ${ci.line}: package-lock.json must be copied before npm ci`);
    assert.match(copiedBefore, /package\.json/, `line ${ci.line}: package.json (with its overrides) must be copied before npm ci`);
  }
  assert.ok(of(build.stage, 'RUN').some((r) => /\bnpm run build\b/.test(r.args)), `the "${build.stage.name}" stage runs \`npm run build\``);
  const copies = of(final, 'COPY').map((c) => c.args);
  assert.ok(copies.some((c) => c.includes(`--from=${runtime.stage.name ?? ''}`) && c.includes('node_modules')), `the runtime stage copies node_modules from "${runtime.stage.name}"`);
  assert.ok(copies.some((c) => c.includes(`--from=${build.stage.name ?? ''}`) && c.includes('dist')), `the runtime stage copies dist/ from "${build.stage.name}"`);
  assert.ok(!copies.some((c) => c.includes(`--from=${build.stage.name ?? ''}`) && c.includes('node_modules')), 'the build stage\'s node_modules (with dev dependencies) stay out of the image');
});

test('the runtime stage copies only what runs, none of it excluded by .dockerignore', () => {
  const sources: string[] = [];
  for (const copy of [...of(final, 'COPY'), ...of(final, 'ADD')]) {
    if (copy.args.includes('--from=')) continue;
    const words = copy.args.split(/\s+/).filter((w) => !w.startsWith('--'));
    sources.push(...words.slice(0, -1));
  }
  assert.ok(sources.includes('package.json'), 'the image does not copy package.json');
  for (const source of sources) {
    assert.notEqual(source, '.', 'COPY . copies the whole context (tests, scripts, secrets)');
    assert.ok(!/^(src|test|scripts|bench|node_modules|\.)/.test(source), `the image copies ${source}, which does not run in production`);
    assert.ok(exists(source), `COPY ${source}: no such file`);
    assert.ok(!ignored(source), `COPY ${source}: excluded by .dockerignore`);
  }
  // What the build stage compiles must reach the build context: the sources, profiles, build files.
  for (const file of readdirSync(path.join(root, 'src/profiles/builtin'))) assert.ok(!ignored(`src/profiles/builtin/${file}`), `.dockerignore drops src/profiles/builtin/${file}`);
  for (const rel of ['src/workflows/index.ts', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.ts']) assert.ok(!ignored(rel), `.dockerignore drops ${rel}, which the build needs`);
});

test('.dockerignore keeps local state, dependencies, VCS and secrets out of the build context', () => {
  for (const rel of ['node_modules', 'node_modules/tsx/package.json', '.tools', '.data', 'downloads', 'downloads/job-1/report.csv', 'test-output', '.git', '.git/HEAD', '.env', 'pollback.env', 'deploy/config/profiles/acme.yaml']) {
    assert.ok(ignored(rel), `.dockerignore does not exclude ${rel}`);
  }
  for (const rel of ['src/worker.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'deploy/healthcheck.mjs']) assert.ok(!ignored(rel), `.dockerignore excludes ${rel}, which the image needs`);
});

test('the runtime stage is for production, starts node (not npm) and has a health check', () => {
  assert.ok(of(final, 'ENV').some((e) => /\bNODE_ENV[= ]"?production"?/.test(e.args)), 'NODE_ENV=production is not set in the runtime stage');
  const cmd = execForm(of(final, 'CMD').at(-1)?.args ?? '');
  assert.deepEqual(cmd.slice(0, 2), ['node', '--max-old-space-size=512'], `CMD ${cmd.join(' ')}: run node directly (npm as PID 1 swallows signals), heap bounded (it sizes the workflow cache)`);
  assert.equal(cmd[2], '--enable-source-maps', `CMD ${cmd.join(' ')}: stack traces name the TypeScript sources`);
  assert.match(cmd[3] ?? '', /^dist\/.+\.js$/, `CMD ${cmd.join(' ')}: the compiled build runs`);
  assert.ok(exists(sourceOf(cmd[3] ?? '')), `CMD runs ${cmd[3]}, whose source ${sourceOf(cmd[3] ?? '')} does not exist`);
  assert.equal(of(final, 'ENTRYPOINT').length, 0, 'an ENTRYPOINT would be prepended to the compose commands');
  const health = of(final, 'HEALTHCHECK').at(-1);
  assert.ok(health, 'no HEALTHCHECK in the runtime stage');
  const probe = execForm(health.args.replace(/^(--\S+\s+)*CMD\s+/, ''));
  assert.equal(probe[0], 'node', `HEALTHCHECK must use node (the slim image has no curl or wget), got ${probe.join(' ')}`);
  assert.ok(exists(probe[1] ?? '') && of(final, 'COPY').some((c) => c.args.includes(probe[1] ?? '')), `HEALTHCHECK runs ${probe[1]}, which is not copied into the image`);
});

test('the image prepares the download folder the compose file mounts, owned by the app user', () => {
  const compose = loadCompose();
  const [, workerService] = serviceRunning(compose, 'dist/worker.js')[0] ?? [];
  assert.ok(workerService, 'no worker service in docker-compose.yml');
  const dir = environmentOf(workerService).get('POLLBACK_DOWNLOAD_DIR');
  assert.ok(dir, 'the worker service sets no POLLBACK_DOWNLOAD_DIR');
  const user = of(final, 'USER').at(-1)?.args.split(':')[0] ?? 'root';
  const runs = of(final, 'RUN').map((r) => r.args).join('\n');
  assert.ok(runs.includes(`mkdir -p ${dir}`) && new RegExp(`chown[^\\n]*${user}[^\\n]*${dir}`).test(runs), `the image must create ${dir} owned by ${user}, so a new named volume mounted there is writable`);
});

// Static checks of docker-compose.yml (no Docker engine needed): services, health checks,
// start order, scaling, and that the worker and gateway get exactly the environment the
// config module reads, with every required setting provided and no secret written down.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig, loadGatewayConfig } from '../../src/config';
import { searchAttributeRegistrations } from '../../src/contract/names';
import { connectConfig } from '../../src/temporal/connection';
import {
  allReferences, asList, builtinProfileEnvNames, configVariables, dependsOn, environmentOf, exists, interpolate, loadCompose,
  MissingVariableError, mountsOf, oneShotServices, parseEnvFile, read, references, serviceRunning, temporalEnvNames,
  type ComposeService,
} from './support';

const compose = loadCompose();
const services = Object.entries(compose.services);
const declared = configVariables();
const workerSchema = declared.filter((v) => v.schema === 'envSchema');
const gatewaySchema = declared.filter((v) => v.schema === 'gatewayEnvSchema');
const WORKER_FILE = 'dist/worker.js';
const GATEWAY_FILE = 'dist/gateway/main.js';
/** The source a compiled file is built from (dist/worker.js ← src/worker.ts). */
const sourceOf = (built: string): string => built.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
const SA_SCRIPT = 'register-search-attributes.sh';

function only(file: string): [string, ComposeService] {
  const found = serviceRunning(compose, file);
  assert.equal(found.length, 1, `exactly one service must run ${file}, found: ${found.map(([n]) => n).join(', ') || 'none'}`);
  return found[0] as [string, ComposeService];
}
const [workerName, worker] = only(WORKER_FILE);
const [gatewayName, gateway] = only(GATEWAY_FILE);

/** What an operator puts in `.env`: deploy/env.example, its empty required secrets filled in. */
const TEST_SECRETS: Record<string, string> = {
  POSTGRES_PASSWORD: 'test-postgres-password',
  POLLBACK_TOKEN_KEYS: 'k1:test-key-one-0123456789abcdefghijklmnop',
  POLLBACK_API_TOKENS: 'test-api-token-0123456789abcdef',
  POLLBACK_PUBLIC_URL: 'https://pollback.example.com',
};
const envExample = parseEnvFile(read('deploy/env.example'));
const operatorEnv: Record<string, string> = Object.fromEntries(
  envExample.filter((e) => !e.commented).map((e) => [e.name, e.value === '' ? (TEST_SECRETS[e.name] ?? `test-value-for-${e.name}`) : e.value]),
);

/** A service's environment as the container would see it, with the operator's `.env`. */
function resolvedEnv(service: ComposeService, env: Record<string, string> = operatorEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of environmentOf(service)) {
    const value = raw === null ? env[name] : interpolate(raw, env);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

test('the compose file parses into services, each with an image or a build', () => {
  assert.ok(services.length >= 6, `expected the whole stack, got ${services.map(([n]) => n).join(', ')}`);
  for (const [name, service] of services) {
    assert.ok(service.image || service.build, `service "${name}" has neither image nor build`);
  }
  for (const expected of ['postgresql', 'temporal', 'temporal-ui']) assert.ok(compose.services[expected], `service "${expected}" is missing`);
});

// Keys of the Compose specification (compose-spec.json), so a typo such as `healthchek` fails
// here instead of being ignored or refused on a machine with Docker.
const TOP_LEVEL_KEYS = new Set(['version', 'name', 'include', 'services', 'networks', 'volumes', 'secrets', 'configs', 'models']);
const SERVICE_KEYS = new Set([
  'annotations', 'attach', 'build', 'blkio_config', 'cap_add', 'cap_drop', 'cgroup', 'cgroup_parent', 'command', 'configs', 'container_name',
  'cpu_count', 'cpu_percent', 'cpu_shares', 'cpu_quota', 'cpu_period', 'cpu_rt_period', 'cpu_rt_runtime', 'cpus', 'cpuset', 'credential_spec',
  'depends_on', 'deploy', 'develop', 'device_cgroup_rules', 'devices', 'dns', 'dns_opt', 'dns_search', 'domainname', 'entrypoint', 'env_file',
  'label_file', 'environment', 'expose', 'extends', 'external_links', 'extra_hosts', 'gpus', 'group_add', 'healthcheck', 'hostname', 'image',
  'init', 'ipc', 'isolation', 'labels', 'links', 'logging', 'mac_address', 'mem_limit', 'mem_reservation', 'mem_swappiness', 'memswap_limit',
  'network_mode', 'models', 'networks', 'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit', 'platform', 'ports', 'post_start', 'pre_stop',
  'privileged', 'profiles', 'provider', 'pull_policy', 'read_only', 'restart', 'runtime', 'scale', 'secrets', 'security_opt', 'shm_size',
  'stdin_open', 'stop_grace_period', 'stop_signal', 'storage_opt', 'sysctls', 'tmpfs', 'tty', 'ulimits', 'use_api_socket', 'user', 'userns_mode',
  'uts', 'volumes', 'volumes_from', 'working_dir',
]);
const HEALTHCHECK_KEYS = new Set(['test', 'interval', 'timeout', 'retries', 'start_period', 'start_interval', 'disable']);
const DEPENDS_ON_KEYS = new Set(['condition', 'restart', 'required']);

test('only keys of the Compose specification are used (no typos)', () => {
  const extension = (key: string) => key.startsWith('x-');
  for (const key of Object.keys(compose)) assert.ok(TOP_LEVEL_KEYS.has(key) || extension(key), `top-level key "${key}" is not in the Compose specification`);
  for (const [name, service] of services) {
    for (const key of Object.keys(service)) assert.ok(SERVICE_KEYS.has(key) || extension(key), `service "${name}": key "${key}" is not in the Compose specification`);
    for (const key of Object.keys(service.healthcheck ?? {})) assert.ok(HEALTHCHECK_KEYS.has(key), `service "${name}": healthcheck key "${key}" is unknown`);
    if (!Array.isArray(service.depends_on)) {
      for (const [dep, spec] of Object.entries(service.depends_on ?? {})) {
        for (const key of Object.keys(spec ?? {})) assert.ok(DEPENDS_ON_KEYS.has(key), `service "${name}": depends_on.${dep}.${key} is unknown`);
      }
    }
  }
});

test('pulled images are pinned to a version (no :latest, no missing tag)', () => {
  for (const [name, service] of services) {
    if (!service.image) continue;
    const image = interpolate(service.image, {});
    const digest = image.includes('@sha256:');
    const tag = /:([^/:@]+)(?:@|$)/.exec(image)?.[1];
    if (service.build) {
      assert.notEqual(tag, 'latest', `service "${name}": the built image is tagged latest (${image})`);
      continue;
    }
    assert.ok(digest || tag, `service "${name}": image ${image} has no tag (that is :latest)`);
    assert.ok(digest || (tag !== 'latest' && /\d/.test(tag ?? '')), `service "${name}": image ${image} is not pinned to a version`);
  }
  const postgres = interpolate(compose.services.postgresql?.image ?? '', {});
  assert.match(postgres, /^postgres:\d+\.\d+/, `postgres must be pinned to a minor version, got ${postgres}`);
});

test('the Temporal admin tools (schema and search-attribute jobs) match the server version', () => {
  const tagOf = (image: string | undefined) => /:([^/:@]+)/.exec(interpolate(image ?? '', {}))?.[1];
  const servers = services.filter(([, s]) => interpolate(s.image ?? '', {}).startsWith('temporalio/server:'));
  assert.ok(servers.length >= 1, 'a temporalio/server service');
  const serverTag = tagOf(servers[0]?.[1].image);
  for (const [name, service] of servers) assert.equal(tagOf(service.image), serverTag, `service "${name}": every Temporal service runs one server version`);
  const tools = services.filter(([, s]) => interpolate(s.image ?? '', {}).startsWith('temporalio/admin-tools:'));
  assert.ok(tools.length >= 2, 'the schema job and the search-attribute job use temporalio/admin-tools');
  for (const [name, service] of tools) {
    assert.ok(tagOf(service.image)?.startsWith(serverTag ?? '?'), `service "${name}": admin-tools ${tagOf(service.image)} must match the server ${serverTag} (its schema files migrate that server's database)`);
  }
});

test('every long-running service has a health check; one-shots are not restarted', () => {
  const oneShots = oneShotServices(compose);
  for (const [name, service] of services) {
    if (oneShots.has(name)) {
      assert.ok(service.restart === undefined || service.restart === 'no', `one-shot "${name}" has restart: ${service.restart}, so it would never complete`);
      continue;
    }
    const check = service.healthcheck;
    assert.ok(check && !check.disable, `long-running service "${name}" has no healthcheck`);
    // A string is run by the container's shell (CMD-SHELL); a list starts with CMD or CMD-SHELL.
    const cmd = typeof check.test === 'string' ? ['CMD-SHELL', check.test] : asList(check.test);
    assert.ok(cmd.length > 1 && cmd[0] !== 'NONE' && cmd.slice(1).join('').trim() !== '', `service "${name}": healthcheck test is empty or NONE`);
    assert.ok(['CMD', 'CMD-SHELL'].includes(cmd[0] as string), `service "${name}": healthcheck test must start with CMD or CMD-SHELL, got ${cmd[0]}`);
  }
  assert.ok(oneShots.size >= 1, 'no one-shot service (search-attribute registration) found');
});

test('health checks use what each image has: pg_isready, node + the copied script', () => {
  assert.match(asList(compose.services.postgresql?.healthcheck?.test).join(' '), /pg_isready/, 'postgresql: healthcheck must use pg_isready');
  for (const [name, service, role] of [[workerName, worker, 'worker'], [gatewayName, gateway, 'gateway']] as const) {
    const cmd = asList(service.healthcheck?.test);
    assert.deepEqual(cmd.slice(0, 2), ['CMD', 'node'], `service "${name}": healthcheck must run node (the image has no curl or wget)`);
    assert.ok(exists(cmd[2] ?? ''), `service "${name}": healthcheck script ${cmd[2]} does not exist`);
    assert.match(read('Dockerfile'), new RegExp(`COPY[^\\n]*${(cmd[2] ?? '').replace(/\./g, '\\.')}`), `service "${name}": ${cmd[2]} is not copied into the image`);
    assert.equal(cmd[3], role, `service "${name}": healthcheck must check the ${role} role`);
  }
});

test('depends_on names existing services with conditions they can meet', () => {
  for (const [name, service] of services) {
    for (const [dep, condition] of dependsOn(service)) {
      const target = compose.services[dep];
      assert.ok(target, `service "${name}" depends on "${dep}", which does not exist`);
      assert.ok(['service_started', 'service_healthy', 'service_completed_successfully'].includes(condition), `service "${name}" → "${dep}": unknown condition ${condition}`);
      if (condition === 'service_healthy') assert.ok(target.healthcheck && !target.healthcheck.disable, `service "${name}" waits for "${dep}" to be healthy, but "${dep}" has no healthcheck`);
      assert.notEqual(dep, name, `service "${name}" depends on itself`);
    }
  }
  for (const [name, service] of [[workerName, worker], [gatewayName, gateway]] as const) {
    const registration = [...dependsOn(service)].find(([dep]) => [...asList(compose.services[dep]?.entrypoint), ...asList(compose.services[dep]?.command)].some((a) => a.endsWith(SA_SCRIPT)));
    assert.ok(registration, `service "${name}" does not wait for the search-attribute registration`);
    assert.equal(registration[1], 'service_completed_successfully', `service "${name}" must wait for "${registration[0]}" to complete successfully`);
  }
});

test('the worker scales: no container_name, no fixed host port, replicas set', () => {
  assert.equal(workerName, 'worker', 'the docs say `docker compose up --scale worker=N`');
  assert.equal(worker.container_name, undefined, `service "${workerName}" has container_name ${worker.container_name}: it could not be scaled`);
  assert.equal(worker.hostname, undefined, `service "${workerName}" has a fixed hostname: replicas would share one identity`);
  for (const port of worker.ports ?? []) {
    const published = typeof port === 'object' ? port.published : String(port).includes(':');
    assert.ok(!published, `service "${workerName}" publishes a host port (${JSON.stringify(port)}): a second replica could not bind it`);
  }
  const replicas = Number(interpolate(String(worker.deploy?.replicas ?? '1'), {}));
  assert.ok(Number.isInteger(replicas) && replicas >= 1, `service "${workerName}": deploy.replicas must be a whole number ≥ 1, got ${worker.deploy?.replicas}`);
});

test('worker and gateway run the image with node (not npm) under an init', () => {
  // The worker's heap limit sizes its workflow cache, so its memory stays bounded (README, Benchmarks).
  const commands = [
    [workerName, worker, WORKER_FILE, ['node', '--max-old-space-size=512', '--enable-source-maps', WORKER_FILE]],
    [gatewayName, gateway, GATEWAY_FILE, ['node', '--enable-source-maps', GATEWAY_FILE]],
  ] as const;
  for (const [name, service, file, command] of commands) {
    assert.deepEqual(asList(service.command), command, `service "${name}": command`);
    assert.ok(exists(sourceOf(file)), `${file} is built from ${sourceOf(file)}, which does not exist`);
    assert.equal(service.init, true, `service "${name}" needs init: true so node gets SIGTERM and zombies are reaped`);
    assert.ok(service.build, `service "${name}" must build the image from the Dockerfile`);
    assert.equal(service.image, worker.image, `worker and gateway must share one image, got ${worker.image} and ${service.image}`);
  }
});

test('the gateway publishes the port it listens on', () => {
  const env = resolvedEnv(gateway);
  const port = Number(env.PORT ?? 8080);
  const ports = (gateway.ports ?? []).map((p) => (typeof p === 'object' ? Number(p.target) : Number(interpolate(String(p), {}).split(':').pop())));
  assert.ok(ports.includes(port), `service "${gatewayName}" listens on ${port} but publishes container ports ${ports.join(', ') || 'none'}`);
  assert.equal(port, 8080, 'the gateway listens on 8080 (PORT)');
  assert.ok(env.HOST === undefined || env.HOST === '0.0.0.0', `service "${gatewayName}": HOST=${env.HOST} would not be reachable from outside the container`);
});

test('every variable given to the worker and gateway is one the product reads', () => {
  assert.ok(declared.some((v) => v.name === 'POLLBACK_TASK_QUEUE') && declared.some((v) => v.name === 'PORT'), 'src/config.ts could not be read');
  const inputEnvDefault = declared.find((v) => v.name === 'POLLBACK_INPUT_ENV')?.defaultValue ?? '';
  const known = new Set([
    ...declared.map((v) => v.name),
    ...temporalEnvNames(),
    ...builtinProfileEnvNames(),
    ...inputEnvDefault.split(',').map((s) => s.trim()).filter(Boolean),
  ]);
  for (const [name, service] of [[workerName, worker], [gatewayName, gateway]] as const) {
    for (const variable of environmentOf(service).keys()) {
      assert.ok(known.has(variable), `service "${name}" is given ${variable}, which neither src/config.ts nor Temporal's environment configuration nor a shipped profile reads (a typo?)`);
    }
  }
  // Gateway-only settings make no sense on the worker.
  for (const variable of environmentOf(worker).keys()) {
    assert.ok(!gatewaySchema.some((v) => v.name === variable), `service "${workerName}" is given the gateway setting ${variable}`);
  }
});

test('every required setting is provided, and the config module accepts the result', () => {
  for (const v of workerSchema.filter((x) => x.required)) {
    assert.ok(environmentOf(worker).has(v.name), `service "${workerName}" lacks ${v.name}, required by src/config.ts`);
    assert.ok(environmentOf(gateway).has(v.name), `service "${gatewayName}" lacks ${v.name}, required by src/config.ts`);
  }
  for (const v of gatewaySchema.filter((x) => x.required)) assert.ok(environmentOf(gateway).has(v.name), `service "${gatewayName}" lacks ${v.name}, required by src/config.ts`);
  // Required by the gateway's start-up checks even though the schema has no default for them.
  for (const variable of ['POLLBACK_TOKEN_KEYS', 'POLLBACK_API_TOKENS']) {
    assert.ok(environmentOf(gateway).has(variable), `service "${gatewayName}" lacks ${variable}, without which it refuses to start`);
  }
  // The worker hands out callback URLs: without a public URL, callback and hybrid jobs fail.
  assert.ok(environmentOf(worker).has('POLLBACK_PUBLIC_URL'), `service "${workerName}" lacks POLLBACK_PUBLIC_URL`);

  const workerEnv = resolvedEnv(worker);
  const gatewayEnv = resolvedEnv(gateway);
  const workerConfig = loadConfig(workerEnv);
  assert.equal(workerConfig.downloadDir, path.resolve(workerEnv.POLLBACK_DOWNLOAD_DIR ?? ''));
  assert.ok(workerConfig.keyring, `service "${workerName}": POLLBACK_TOKEN_KEYS does not parse into a keyring`);
  assert.equal(workerConfig.publicUrl, TEST_SECRETS.POLLBACK_PUBLIC_URL);
  const gatewayConfig = loadConfig(gatewayEnv);
  assert.ok(gatewayConfig.keyring, `service "${gatewayName}": POLLBACK_TOKEN_KEYS does not parse into a keyring`);
  const g = loadGatewayConfig(gatewayEnv);
  assert.equal(g.apiAuth, 'on', 'the job API must be authenticated by default');
  assert.deepEqual(g.apiTokens, [TEST_SECRETS.POLLBACK_API_TOKENS]);
});

test('without the required secrets, interpolation stops with a message naming each', () => {
  for (const variable of ['POLLBACK_TOKEN_KEYS', 'POLLBACK_API_TOKENS', 'POLLBACK_PUBLIC_URL', 'POSTGRES_PASSWORD']) {
    const users = services.filter(([, s]) => [...environmentOf(s).values()].some((raw) => raw !== null && references(raw).some((r) => r.name === variable)));
    assert.ok(users.length > 0, `no service reads ${variable}`);
    for (const [name, service] of users) {
      const env = { ...operatorEnv, [variable]: '' };
      assert.throws(() => resolvedEnv(service, env), (err: unknown) => err instanceof MissingVariableError && err.message.includes(variable) && /missing a value: \S/.test(err.message),
        `service "${name}": an empty ${variable} must stop docker compose with a message (\${${variable}:?message})`);
    }
  }
});

test('secrets are never written in the compose file: each is a required ${VAR:?…} from the host', () => {
  const secretName = /(PASSWORD|PASSWD|_PWD|TOKENS?|SECRET|_KEYS?|API_KEY)$/;
  for (const [name, service] of services) {
    for (const [variable, raw] of environmentOf(service)) {
      if (!secretName.test(variable) || variable === 'POLLBACK_TOKEN_ACTIVE_KEY') continue;
      assert.ok(raw !== null, `service "${name}": ${variable} has no value; make it \${VAR:?message}`);
      assert.match(raw.trim(), /^\$\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}$/, `service "${name}": ${variable} must be exactly one \${VAR:?message} (no literal), got "${raw}"`);
      const [ref] = references(raw);
      assert.ok(ref && [':?', '?'].includes(ref.operator), `service "${name}": ${variable} must be required (\${VAR:?message}), not defaulted or optional: "${raw}"`);
    }
  }
});

test('every variable the compose file reads is documented in deploy/env.example', () => {
  const documented = new Set(envExample.map((e) => e.name));
  for (const { path: where, ref } of allReferences(compose)) {
    assert.ok(documented.has(ref.name), `${where}: \${${ref.name}} is not in deploy/env.example`);
    if (ref.operator.includes('?')) {
      const entry = envExample.find((e) => e.name === ref.name);
      assert.ok(entry && !entry.commented && entry.value === '', `deploy/env.example must list the required ${ref.name} uncommented and empty (to be filled in)`);
    }
  }
});

test('deploy/pollback.env.example (env_file) names no variable the compose environment overrides', () => {
  const example = parseEnvFile(read('deploy/pollback.env.example'));
  assert.ok(example.length > 0);
  const known = new Set(declared.map((v) => v.name));
  for (const entry of example) {
    if (/^(POLLBACK|TEMPORAL)_/.test(entry.name)) assert.ok(known.has(entry.name) || temporalEnvNames().has(entry.name), `deploy/pollback.env.example: ${entry.name} is not read by the product`);
    for (const [name, service] of [[workerName, worker], [gatewayName, gateway]] as const) {
      assert.ok(!environmentOf(service).has(entry.name), `deploy/pollback.env.example: ${entry.name} is set by service "${name}"'s environment, which silently wins over the env_file`);
    }
  }
});

test('worker and gateway agree on Temporal, task queue, token keys and the download folder', () => {
  const w = environmentOf(worker);
  const g = environmentOf(gateway);
  for (const variable of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'POLLBACK_TASK_QUEUE', 'POLLBACK_TOKEN_KEYS', 'POLLBACK_DOWNLOAD_DIR']) {
    assert.ok(w.has(variable) && g.has(variable), `${variable} must be given to both "${workerName}" and "${gatewayName}"`);
  }
  for (const [variable, value] of w) {
    if (g.has(variable)) assert.equal(g.get(variable), value, `${variable} differs between "${workerName}" (${value}) and "${gatewayName}" (${g.get(variable)})`);
  }
  for (const env of [resolvedEnv(worker), resolvedEnv(gateway)]) {
    const { connectionOptions, namespace } = connectConfig(env);
    const [host, port] = String(connectionOptions.address).split(':');
    const temporal = compose.services[host ?? ''];
    assert.ok(temporal, `TEMPORAL_ADDRESS ${connectionOptions.address} does not name a service of this file`);
    assert.equal(port, '7233', `TEMPORAL_ADDRESS ${connectionOptions.address}: the frontend listens on 7233`);
    assert.equal(namespace, resolvedEnv(registrationService()[1]).TEMPORAL_NAMESPACE ?? 'default', 'the namespace must be the one the registration job creates');
  }
});

function registrationService(): [string, ComposeService] {
  const found = services.filter(([, s]) => asList(s.entrypoint).some((a) => a.endsWith(SA_SCRIPT)) || asList(s.command).some((a) => a.endsWith(SA_SCRIPT)));
  assert.equal(found.length, 1, `exactly one service must run ${SA_SCRIPT}`);
  return found[0] as [string, ComposeService];
}

test('a named volume holds the downloads: written by the workers, read by the gateway', () => {
  const volumeAt = (name: string, service: ComposeService) => {
    const dir = resolvedEnv(service).POLLBACK_DOWNLOAD_DIR;
    assert.ok(dir?.startsWith('/'), `service "${name}": POLLBACK_DOWNLOAD_DIR must be an absolute path, got ${dir}`);
    const mount = mountsOf(service).find((m) => m.target === dir);
    assert.ok(mount, `service "${name}" mounts nothing at POLLBACK_DOWNLOAD_DIR ${dir}`);
    assert.equal(mount.type, 'volume', `service "${name}": downloads must be a named volume, got ${mount.type} ${mount.source}`);
    assert.ok(mount.source && compose.volumes?.[mount.source] !== undefined, `service "${name}": volume "${mount.source}" is not declared under volumes:`);
    return mount;
  };
  const w = volumeAt(workerName, worker);
  const g = volumeAt(gatewayName, gateway);
  assert.equal(w.source, g.source, `worker and gateway mount different download volumes (${w.source}, ${g.source})`);
  assert.equal(w.read_only, false, `service "${workerName}" must be able to write the downloads`);
});

test('the profiles folder the worker reads is mounted, and exists by default', () => {
  const dir = resolvedEnv(worker).POLLBACK_PROFILES_DIR;
  assert.ok(dir, `service "${workerName}" has no POLLBACK_PROFILES_DIR`);
  const mount = mountsOf(worker).find((m) => m.target !== undefined && (dir === m.target || dir.startsWith(`${m.target}/`)));
  assert.ok(mount?.source, `service "${workerName}": nothing is mounted at POLLBACK_PROFILES_DIR ${dir}`);
  assert.equal(mount.type, 'bind');
  const hostDir = path.posix.join(mount.source, path.posix.relative(mount.target ?? '', dir));
  assert.ok(exists(hostDir), `the default profiles folder ${hostDir} does not exist: the worker would fail at start`);
});

test('the registration job registers exactly the search attributes of src/contract/names.ts', () => {
  const [name, service] = registrationService();
  const args = asList(service.command);
  assert.deepEqual([...args].sort(), [...searchAttributeRegistrations].sort(), `service "${name}" registers ${args.join(' ')}, src/contract/names.ts says ${searchAttributeRegistrations.join(' ')}`);
  assert.equal(new Set(args).size, args.length, `service "${name}" lists a search attribute twice`);
  const scriptInContainer = asList(service.entrypoint).find((a) => a.endsWith(SA_SCRIPT)) ?? '';
  const mount = mountsOf(service).find((m) => m.target && scriptInContainer.startsWith(`${m.target}/`));
  assert.ok(mount?.source, `service "${name}": ${scriptInContainer} is not mounted into the container`);
  const scriptOnHost = path.posix.join(mount.source, path.posix.relative(mount.target ?? '', scriptInContainer));
  assert.ok(exists(scriptOnHost), `${scriptOnHost} does not exist`);
  const script = read(scriptOnHost);
  assert.match(script, /temporal operator search-attribute create/, `${scriptOnHost} does not create search attributes`);
  assert.match(script, /temporal operator namespace create/, `${scriptOnHost} does not create the namespace`);
  assert.match(script, /"\$@"/, `${scriptOnHost} ignores its arguments`);
  assert.ok(dependsOn(service).get('temporal') === 'service_healthy', `service "${name}" must wait for temporal to be healthy`);
});

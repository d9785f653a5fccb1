// What `npm run cluster` runs is what docker-compose.yml deploys: one Temporal server version
// (the one scripts/ensure-temporal-server builds), its four services fed by the same
// deploy/temporal/server.env, the same dynamic config and schema script, the UI version the
// build produces. Static: no Docker engine needed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readServerEnv, SERVER_ENV_FILE, TEMPORAL_SERVICES } from '../../dev/cluster/temporal-cluster';
import { parse as parseYaml } from 'yaml';
import { asList, environmentOf, interpolate, loadCompose, mountsOf, read, type ComposeFile } from '../deploy/support';

const compose = loadCompose();
const services = Object.entries(compose.services);
const ensure = read('scripts/ensure-temporal-server');
const pinned = (name: string): string => {
  const value = new RegExp(`^${name}="([^"]+)"`, 'm').exec(ensure)?.[1];
  assert.ok(value, `scripts/ensure-temporal-server sets ${name}`);
  return value;
};
const imageOf = (name: string): string => interpolate(compose.services[name]?.image ?? '', {});
const servers = services.filter(([, s]) => interpolate(s.image ?? '', {}).startsWith('temporalio/server:'));

test('compose runs the server, admin tools and UI versions that npm run cluster builds', () => {
  const server = pinned('SERVER_VERSION');
  const ui = pinned('UI_VERSION');
  assert.ok(servers.length > 0);
  for (const [name, service] of servers) assert.equal(interpolate(service.image ?? '', {}), `temporalio/server:${server}`, `service "${name}"`);
  for (const [name, service] of services.filter(([, s]) => interpolate(s.image ?? '', {}).startsWith('temporalio/admin-tools:'))) {
    assert.equal(interpolate(service.image ?? '', {}), `temporalio/admin-tools:${server}`, `service "${name}"`);
  }
  assert.equal(imageOf('temporal-ui'), `temporalio/ui:${ui}`);
});

test('each of the four Temporal services runs in its own container, fed by deploy/temporal/server.env', () => {
  const roles = servers.map(([name, service]) => {
    const env = environmentOf(service);
    assert.deepEqual(asList(service.env_file ? (service.env_file as { path: string }[]).map((f) => f.path) : []), ['./deploy/temporal/server.env'], `service "${name}": env_file`);
    assert.equal(env.get('DYNAMIC_CONFIG_FILE_PATH'), '/etc/temporal/config/dynamicconfig/pollback.yaml', `service "${name}"`);
    assert.ok(mountsOf(service).some((m) => m.source === './deploy/temporal/dynamicconfig' && m.target === '/etc/temporal/config/dynamicconfig'), `service "${name}" mounts deploy/temporal/dynamicconfig`);
    // Only what differs between here and npm run cluster; the shared settings live in server.env.
    for (const key of ['DB', 'NUM_HISTORY_SHARDS']) assert.ok(!env.has(key), `service "${name}" sets ${key}, which belongs in server.env`);
    return env.get('TEMPORAL_SERVICES');
  });
  assert.deepEqual([...roles].sort(), [...TEMPORAL_SERVICES].sort());
  assert.equal(environmentOf(compose.services.temporal ?? {}).get('TEMPORAL_SERVICES'), 'frontend', 'the `temporal` service (temporal:7233) is the frontend');
});

test('deploy/temporal/server.env is what the embedded template needs for PostgreSQL', async () => {
  const env = await readServerEnv(SERVER_ENV_FILE);
  assert.equal(env.DB, 'postgres12');
  assert.equal(env.DBNAME, 'temporal');
  assert.equal(env.VISIBILITY_DBNAME, 'temporal_visibility');
  assert.match(env.NUM_HISTORY_SHARDS ?? '', /^\d+$/);
  for (const key of ['POSTGRES_SEEDS', 'DB_PORT', 'POSTGRES_PWD', 'BIND_ON_IP', 'TEMPORAL_SERVICES']) assert.ok(!(key in env), `${key} differs per place and must not be in server.env`);
});

test('the schema job runs the script npm run cluster runs', () => {
  assert.deepEqual(asList(compose.services['temporal-schema']?.entrypoint), ['/bin/sh', '/deploy/temporal/setup-postgres.sh']);
  assert.match(read('dev/cluster/temporal-cluster.ts'), /deployScript\('setup-postgres\.sh'/);
  assert.match(read('dev/cluster/temporal-cluster.ts'), /deployScript\('register-search-attributes\.sh'/);
});

test('the gateways override puts HAProxy with deploy/haproxy/haproxy.cfg in front', () => {
  // `!reset` is Compose's own tag (drop the gateway's published port); YAML only warns about it.
  const override = parseYaml(read('deploy/compose.gateways.yaml'), { merge: true, logLevel: 'error' }) as ComposeFile;
  assert.deepEqual(override.services.gateway?.ports, [], 'the gateways publish no port of their own');
  const balancer = override.services.balancer;
  assert.ok(balancer, 'a balancer service');
  assert.ok(mountsOf(balancer).some((m) => m.source === './deploy/haproxy/haproxy.cfg'), 'it mounts deploy/haproxy/haproxy.cfg');
  assert.equal(environmentOf(balancer).get('HAPROXY_BIND'), ':8080');
  assert.match(read('deploy/haproxy/haproxy.cfg'), /server-template gateway 1-8 gateway:8080/);
});

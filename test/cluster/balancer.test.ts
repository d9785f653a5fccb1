// deploy/haproxy/haproxy.cfg in both its forms, checked by the real HAProxy (`haproxy -c`), and
// the behaviour the cluster relies on, with a real HAProxy in front of two real HTTP servers:
// once one of them is killed, every request — POSTs included — is answered by the other, none
// fails at the caller.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { balancer, HAPROXY_CONFIG, localConfig } from '../../dev/cluster/balancer';
import { lowFreePort } from '../../dev/cluster/ports';
import { ensureClusterPackages } from '../../dev/cluster/tools';
import { freePort } from '../../src/temporal/dev-server';

async function fakeGateway(name: string): Promise<{ server: Server; port: number; served: () => number }> {
  let served = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => {
      if (req.url !== '/healthz') served++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, served: () => served };
}

test('haproxy -c accepts the compose form and the local form of the config', async () => {
  const { haproxy } = await ensureClusterPackages();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pollback-haproxy-'));
  try {
    const local = path.join(dir, 'local.cfg');
    await writeFile(local, await localConfig([20001, 20002]));
    for (const file of [HAPROXY_CONFIG, local]) {
      const { stdout, stderr } = await promisify(execFile)(haproxy, ['-c', '-f', file], { env: { PATH: process.env.PATH ?? '', HAPROXY_BIND: '127.0.0.1:20003' } });
      assert.match(`${stdout}${stderr}`, /Configuration file is valid/, file);
    }
    const text = await readFile(local, 'utf8');
    assert.match(text, /server gateway1 127\.0\.0\.1:20001 check\n {4}server gateway2 127\.0\.0\.1:20002 check\n$/);
    assert.doesNotMatch(text, /server-template|resolvers docker/, 'the compose-only lines are gone');
    assert.match(text, /retry-on conn-failure empty-response/, 'everything above the marker is kept');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a gateway killed behind HAProxy: every request is answered by the other one', async () => {
  const { haproxy } = await ensureClusterPackages();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pollback-haproxy-'));
  const [one, two] = await Promise.all([fakeGateway('one'), fakeGateway('two')]);
  const port = await freePort();
  const lb = await balancer({ haproxy, port, gatewayPorts: [one.port, two.port], dir, logFile: path.join(dir, 'haproxy.log') });
  try {
    await lb.start();
    const post = async (): Promise<string> => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/callbacks/x`, { method: 'POST', body: '{"status":"success"}', headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 200);
      return res.text();
    };
    const before = await Promise.all(Array.from({ length: 10 }, post));
    assert.ok(before.includes('one') && before.includes('two'), `round robin over both: ${before.join(',')}`);
    // Killed: listener closed, open connections cut, as a dead process leaves them.
    one.server.closeAllConnections();
    await new Promise<void>((resolve) => one.server.close(() => resolve()));
    const servedByOne = one.served();
    const after = [];
    for (let i = 0; i < 30; i++) after.push(await post());
    assert.deepEqual([...new Set(after)], ['two'], 'every request answered by the live gateway');
    assert.equal(one.served(), servedByOne);
  } finally {
    await lb.close();
    two.server.closeAllConnections();
    two.server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('internal cluster ports stay below 32768 (Temporal stores membership ports as smallint)', async () => {
  const ports = await Promise.all(Array.from({ length: 20 }, () => lowFreePort()));
  assert.equal(new Set(ports).size, ports.length, 'never the same port twice');
  for (const port of ports) assert.ok(port >= 20_000 && port < 32_768, String(port));
});

test('HAProxy applies the per-client rate limit (POLLBACK_RATE_LIMIT a minute; 0 = off)', async () => {
  const { haproxy } = await ensureClusterPackages();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pollback-haproxy-'));
  const gateway = await fakeGateway('one');
  const statuses = async (rateLimit: string, count: number): Promise<number[]> => {
    const port = await freePort();
    const lb = await balancer({ haproxy, port, gatewayPorts: [gateway.port], dir, logFile: path.join(dir, `haproxy-${rateLimit}.log`), rateLimit });
    try {
      await lb.start();
      const out = [];
      for (let i = 0; i < count; i++) out.push((await fetch(`http://127.0.0.1:${port}/v1/jobs`)).status);
      return out;
    } finally {
      await lb.close();
    }
  };
  try {
    const limited = await statuses('5', 8);
    assert.deepEqual(limited, [200, 200, 200, 200, 200, 429, 429, 429]);
    assert.deepEqual([...new Set(await statuses('0', 20))], [200], '0 turns the limit off');
  } finally {
    gateway.server.closeAllConnections();
    gateway.server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

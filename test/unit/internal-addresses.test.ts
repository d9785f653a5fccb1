// Wildcard allow-list entries reach public addresses only: IP literals are refused before any
// request, names after resolution (localhost resolves to loopback on every machine, so it
// stands in for a name whose DNS points inside). Hosts named exactly stay reachable.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { isInternalAddress } from '../../src/http/addresses';
import { send } from '../../src/http/client';
import { checkedUrl } from '../../src/http/hosts';

let hits = 0;
const server = createServer((_req, res) => {
  hits++;
  res.writeHead(204).end();
});
let port = 0;
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => server.close());

test('internal addresses: loopback, private, link-local, CGNAT, unique-local, mapped', () => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.31.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd12::1', 'fe80::1', '::ffff:10.0.0.1', '224.0.0.1']) {
    assert.equal(isInternalAddress(a), true, a);
  }
  for (const a of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', 'example.com']) assert.equal(isInternalAddress(a), false, a);
});

test('an IP literal under a wildcard is refused before any request; named exactly it is allowed', () => {
  assert.throws(() => checkedUrl('http://169.254.169.254/latest/meta-data/', ['*'], 'webhook URL'), /169\.254\.169\.254 is an internal address, allowed only when/);
  assert.throws(() => checkedUrl('http://[::1]:8080/x', ['*'], 'webhook URL'), /internal address/);
  assert.equal(checkedUrl('http://127.0.0.1:8090/x', ['127.0.0.1'], 'status URL').hostname, '127.0.0.1');
  assert.equal(checkedUrl('https://api.example.com/x', ['*'], 'status URL').hostname, 'api.example.com');
});

test('a name under a wildcard that resolves inside is refused at connect time, without retry', async () => {
  const request = { method: 'POST', purpose: 'webhook', redact: [], allowList: 'POLLBACK_NOTIFY_ALLOWED_HOSTS', body: '{}' } as const;
  await assert.rejects(send({ ...request, url: `http://localhost:${port}/hook`, allowedHosts: ['*'] }), (err: Error & { type?: string; nonRetryable?: boolean }) => {
    assert.equal(err.type, 'HostNotAllowed');
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /webhook URL: localhost resolves to (127\.0\.0\.1|::1), an internal address, allowed only when POLLBACK_NOTIFY_ALLOWED_HOSTS names the host exactly/);
    return true;
  });
  assert.equal(hits, 0, 'no request reached the server');
  const named = await send({ ...request, url: `http://localhost:${port}/hook`, allowedHosts: ['localhost'] });
  assert.equal(named.status, 204);
  assert.equal(hits, 1);
});

// Regressions found by trying the gateway with malformed requests (issue 13): none of them may
// be a 5xx, and a wrong method on a known path is a 405 naming the methods it serves.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { API_TOKEN, startGatewayStack, type GatewayStack } from '../helpers/gateway-stack';

let stack: GatewayStack;
before(async () => {
  stack = await startGatewayStack();
});
after(async () => {
  await stack.stop();
});

test('a list filter holding a NUL byte is a 400 naming the field, not a 500', async () => {
  const answer = await stack.api('GET', '/v1/jobs?profile=%00');
  assert.equal(answer.status, 400);
  assert.equal(answer.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  assert.match(String(answer.body.detail), /querystring: profile: /);
});

test('a job id with control characters is a 400, not a 500', async () => {
  for (const method of ['GET', 'DELETE']) {
    const answer = await stack.api(method, '/v1/jobs/a%00b');
    assert.equal(answer.status, 400, `${method}: ${JSON.stringify(answer.body)}`);
    assert.match(String(answer.body.detail), /params: id: /);
  }
});

test('an empty duration in POST /v1/jobs is a 400 naming the field, not a 500', async () => {
  const answer = await stack.api('POST', '/v1/jobs', { body: { profile: 'aso-export', completion: { mode: 'poll', timeout: '' } } });
  assert.equal(answer.status, 400);
  assert.match(String(answer.body.detail), /completion\.timeout: /);
});

test('a wrong method on a known path is 405 with Allow; an unknown path stays 404', async () => {
  const wrong = await stack.api('PUT', '/v1/jobs');
  assert.equal(wrong.status, 405);
  assert.equal(wrong.body.type, 'MethodNotAllowed');
  assert.deepEqual(wrong.headers.get('allow')?.split(', ').sort(), ['GET', 'HEAD', 'POST']);
  const templated = await stack.api('POST', '/v1/jobs/job-1');
  assert.equal(templated.status, 405);
  assert.deepEqual(templated.headers.get('allow')?.split(', ').sort(), ['DELETE', 'GET', 'HEAD']);
  const unknown = await stack.api('GET', '/v1/nothing-here');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.type, 'NotFound');
});

test('a URL that cannot be decoded is a 400 problem', async () => {
  const answer = await stack.api('GET', '/v1/jobs/%E0%A4%A');
  assert.equal(answer.status, 400);
  assert.equal(answer.body.type, 'InvalidRequest');
});

test('a body the gateway cannot read, sent to a path it does not serve, is still 404 (or 405), not 415', async () => {
  const send = (method: string, path: string) =>
    fetch(`${stack.url}${path}`, { method, headers: { 'content-type': 'text/plain', authorization: `Bearer ${API_TOKEN}` }, body: 'hello' });
  const unknown = await send('POST', '/v1/pause');
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { type: string }).type, 'NotFound');
  const wrongMethod = await send('POST', '/v1/jobs/job-1');
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get('allow')?.split(', ').sort().join(), 'DELETE,GET,HEAD');
  const served = await send('POST', '/v1/jobs');
  assert.equal(served.status, 415, 'a served route still refuses the media type');
});

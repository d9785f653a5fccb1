// Gateway settings: secure by default (no tokens, no start), errors naming the variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadGatewayConfig } from '../../src/config';

test('job-API auth is on by default: without tokens the gateway refuses to start unless POLLBACK_API_AUTH=off', () => {
  assert.throws(() => loadGatewayConfig({}), (err: Error) => err instanceof ConfigError && /^POLLBACK_API_TOKENS: required unless POLLBACK_API_AUTH=off/.test(err.message));
  assert.deepEqual(loadGatewayConfig({ POLLBACK_API_AUTH: 'off' }).apiTokens, []);
  const on = loadGatewayConfig({ POLLBACK_API_TOKENS: 'first-token-0123456789, second-token-0123456789' });
  assert.deepEqual(on.apiTokens, ['first-token-0123456789', 'second-token-0123456789']);
  assert.equal(on.port, 8080);
});

test('bad values name the variable', () => {
  assert.throws(() => loadGatewayConfig({ POLLBACK_API_TOKENS: 'short' }), /^ConfigError: POLLBACK_API_TOKENS: each token must be at least 16 characters/);
  assert.throws(() => loadGatewayConfig({ POLLBACK_API_AUTH: 'off', PORT: 'eighty' }), /^ConfigError: PORT:/);
  assert.throws(() => loadGatewayConfig({ POLLBACK_API_AUTH: 'maybe' }), /^ConfigError: POLLBACK_API_AUTH:/);
  assert.throws(() => loadGatewayConfig({ POLLBACK_API_AUTH: 'off', POLLBACK_RATE_LIMIT: '-1' }), /^ConfigError: POLLBACK_RATE_LIMIT:/);
});

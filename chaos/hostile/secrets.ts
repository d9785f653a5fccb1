// After the run: every finished job's history (its errors included) and every worker and gateway
// log are searched for every secret value the run used, and for any validly signed task token.
import { readFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { verifyToken } from '../../src/tokens/task-token';
import type { HostileCase, RunContext } from '../family';

const TOKEN_SHAPE = /pb1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{20,}/g;

function leaksIn(ctx: RunContext, text: string): string[] {
  const { secrets, keyring } = ctx.cluster;
  const keyMaterial = secrets.tokenKeys.split(',').map((entry) => entry.slice(entry.indexOf(':') + 1));
  const values: [string, string][] = [
    ['simulator bearer token', secrets.simBearer],
    ['simulator API key', secrets.simApiKey],
    ['job API token', secrets.apiToken],
    ['Slack token', secrets.slackToken],
    ['webhook secret', secrets.webhookSecret],
    ...keyMaterial.map((key): [string, string] => ['token signing key', key]),
  ];
  const found = values.filter(([, value]) => text.includes(value)).map(([name]) => name);
  // A token with a valid signature, expired or not, is a credential someone could replay.
  const tokens = [...text.matchAll(TOKEN_SHAPE)].filter(([token]) => {
    const verified = verifyToken(keyring, token);
    return verified.ok || verified.reason === 'expired';
  });
  return tokens.length ? [...found, `${tokens.length} signed task token(s)`] : found;
}

export async function scanForSecrets(ctx: RunContext): Promise<HostileCase[]> {
  const family = 'secrets';
  const histories = await Promise.all(ctx.book.jobs.map(async (job) => {
    const text = await job.handle.fetchHistory().then(historyToJSON, () => '');
    return { where: `history of ${job.label}`, leaks: leaksIn(ctx, text) };
  }));
  const logs = await Promise.all(ctx.cluster.logFiles.map(async (file) => ({ where: `log ${file.split('/').pop() ?? file}`, leaks: leaksIn(ctx, await readFile(file, 'utf8').catch(() => '')) })));
  const leaky = [...histories, ...logs].filter((scan) => scan.leaks.length);
  return [
    {
      family,
      name: `${histories.length} job histories scanned`,
      refused: !histories.some((h) => h.leaks.length),
      detail: histories.filter((h) => h.leaks.length).map((h) => `${h.where}: ${h.leaks.join(', ')}`).join('; ') || 'clean',
    },
    {
      family,
      name: `${logs.length} worker and gateway logs scanned`,
      refused: !logs.some((l) => l.leaks.length),
      detail: leaky.filter((l) => l.where.startsWith('log')).map((l) => `${l.where}: ${[...new Set(l.leaks)].join(', ')}`).join('; ') || 'clean',
    },
  ];
}

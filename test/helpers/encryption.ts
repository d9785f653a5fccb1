// Payload encryption in tests: keys, a gateway stack that encrypts like production, and the
// raw history a plain client (no codec) reads straight from the server.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { pollbackDataConverter } from '../../src/codec/data-converter';
import { EncryptionCodec, KEY_ID_METADATA } from '../../src/codec/encryption-codec';
import type { PayloadKeyring } from '../../src/codec/keys';
import { startGatewayStack, type GatewayOverrides, type GatewayStack, type StackOptions } from './gateway-stack';
import type { TemporalTarget } from './temporal';

/** A fresh AES-256 key, base64, as `openssl rand -base64 32` makes one. */
export const newPayloadKey = (): string => randomBytes(32).toString('base64');

/** The origin of the Web UI the test gateways allow. */
export const UI_ORIGIN = 'http://ui.test:8233';

/** A gateway stack whose worker, gateway client and codec endpoint all use these keys. */
export function startEncryptedStack(keys: PayloadKeyring, overrides: GatewayOverrides = {}, temporalTarget?: TemporalTarget, options: StackOptions = {}): Promise<GatewayStack> {
  return startGatewayStack(
    { codec: { codec: new EncryptionCodec(keys), corsOrigins: [UI_ORIGIN] }, ...overrides },
    temporalTarget,
    { dataConverter: pollbackDataConverter(keys), ...options },
  );
}

export interface RawHistory {
  history: temporal.api.history.v1.IHistory;
  /** The history as the server stores and sends it, protobuf bytes. */
  bytes: Buffer;
}

/** A job's history fetched with a client that has no codec: exactly what the server holds. */
export async function rawHistory(plain: Client, workflowId: string): Promise<RawHistory> {
  const history = await plain.workflow.getHandle(workflowId).fetchHistory();
  return { history, bytes: Buffer.from(temporal.api.history.v1.History.encode(history).finish()) };
}

export interface FoundPayload {
  /** Where in the history, e.g. `events.0.workflowExecutionStartedEventAttributes.input.payloads.0`. */
  path: string;
  encoding: string;
  keyId?: string;
  /** The first bytes of a payload that is not encrypted, to say what it holds. */
  clear?: string;
}

/** Every payload in a (protobuf message) tree, with its encoding and key id. */
export function payloadsIn(value: unknown, path = '', found: FoundPayload[] = []): FoundPayload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const metadata = (value as { metadata?: Record<string, Uint8Array> }).metadata;
  const encoding = metadata?.encoding;
  if (encoding instanceof Uint8Array) {
    const keyId = metadata?.[KEY_ID_METADATA];
    const data = (value as { data?: Uint8Array }).data;
    const clear = keyId || !data ? undefined : Buffer.from(data).toString('utf8').slice(0, 120);
    found.push({ path, encoding: Buffer.from(encoding).toString(), ...(keyId ? { keyId: Buffer.from(keyId).toString() } : {}), ...(clear !== undefined ? { clear } : {}) });
    return found;
  }
  for (const [key, child] of Object.entries(value)) payloadsIn(child, path ? `${path}.${key}` : key, found);
  return found;
}

/** Search attributes are indexed by the server and never pass through codecs. */
export const isSearchAttribute = (p: FoundPayload): boolean => /\.indexedFields\./.test(p.path);

/**
 * The SDK's own bookkeeping, written by its core and never through codecs: a patch marker's
 * patch id, a local activity marker's sequence number, type and times (its result is encrypted).
 */
export const isSdkMarkerMetadata = (p: FoundPayload): boolean => /\.markerRecordedEventAttributes\.details\.(?:patch-data|data)\./.test(p.path);

// The one place the data converter is built: the worker, the gateway's client and every other
// Temporal client of the product take it from here, so all of them encrypt and decrypt alike.
// The workflow bundle needs nothing: codecs run outside the workflow sandbox.
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import type { PayloadKeyring } from './keys';

/** The payload codec for these keys, or none when encryption is off. */
export function payloadCodecFor(keys: PayloadKeyring | undefined): EncryptionCodec | undefined {
  return keys ? new EncryptionCodec(keys) : undefined;
}

/** The data converter for Worker.create and new Client(); the SDK's default when encryption is off. */
export function pollbackDataConverter(keys: PayloadKeyring | undefined): DataConverter {
  const codec = payloadCodecFor(keys);
  return codec ? { payloadCodecs: [codec] } : {};
}

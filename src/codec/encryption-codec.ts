// AES-256-GCM payload encryption, run by the SDK between the payload converter and the wire: the
// whole payload (metadata and data) is encrypted, so Temporal's history holds only ciphertext,
// the key id and the `binary/encrypted` encoding. Search attributes never pass through codecs
// and stay readable. Decoding passes clear payloads through: jobs from before encryption was
// turned on stay readable.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { PayloadKeyError, type PayloadKeyring } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (bytes: Uint8Array | null | undefined): string | undefined => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** A payload this codec cannot decrypt. Names the key id (not a secret), never key material. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
  constructor(
    readonly keyId: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export function isEncrypted(payload: Payload): boolean {
  return utf8(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING;
}

/** The key id an encrypted payload names, if any. */
export function keyIdOf(payload: Payload): string | undefined {
  return utf8(payload.metadata?.[KEY_ID_METADATA]);
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: PayloadKeyring) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads.map((payload) => this.encrypt(payload)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    try {
      return Promise.resolve(payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload)));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.keyring.activeKeyId;
    const key = this.keyring.keys.get(keyId);
    // parsePayloadKeys guarantees it; a keyring built by hand might not.
    if (!key) throw new PayloadKeyError(`the active payload key "${keyId}" is not in the keyring`, 'active');
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    // The key id is authenticated data: a payload relabelled with another key id fails to decrypt.
    cipher.setAAD(Buffer.from(keyId, 'utf8'));
    const clear = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([nonce, cipher.update(clear), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(keyId) },
      data: sealed,
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyId = keyIdOf(payload);
    if (!keyId) throw new PayloadDecryptionError(undefined, `an encrypted payload carries no "${KEY_ID_METADATA}": it cannot be decrypted`);
    const key = this.keyring.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(keyId, `payload encrypted with key "${keyId}", which is not in POLLBACK_PAYLOAD_KEYS (known: ${[...this.keyring.keys.keys()].join(', ')}): add it back to read this payload`);
    }
    const sealed = Buffer.from(payload.data ?? new Uint8Array());
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new PayloadDecryptionError(keyId, `payload encrypted with key "${keyId}" is truncated (${sealed.length} bytes)`);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(keyId, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    let clear: Buffer;
    try {
      clear = Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(keyId, `payload encrypted with key "${keyId}" does not authenticate: the key material under that id differs from the one that encrypted it, or the payload was altered`);
    }
    return temporal.api.common.v1.Payload.decode(clear);
  }
}

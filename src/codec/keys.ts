// The payload encryption keys: `id:base64key[,id:base64key…]` (POLLBACK_PAYLOAD_KEYS), one of
// them active. Rotation adds a key and makes it active; the old ones stay so that every payload
// they encrypted can still be decrypted. Errors name key ids, never key material.
export interface PayloadKeyring {
  /** The key new payloads are encrypted with. */
  activeKeyId: string;
  /** Every key that decrypts: the active one and the older ones. */
  keys: ReadonlyMap<string, Buffer>;
}

/** AES-256: exactly 32 bytes of key. */
export const PAYLOAD_KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
// Strict base64 (standard or URL alphabet): Buffer.from would silently skip stray characters,
// and a key that decodes "mostly" is a key that decrypts nothing.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$|^[A-Za-z0-9_-]+$/;

export class PayloadKeyError extends Error {
  override name = 'PayloadKeyError';
  /** Which setting is wrong: the keys themselves, or the choice of the active one. */
  constructor(
    message: string,
    readonly setting: 'keys' | 'active' = 'keys',
  ) {
    super(message);
  }
}

export function parsePayloadKeys(spec: string, activeKeyId?: string): PayloadKeyring {
  const keys = new Map<string, Buffer>();
  const entries = spec.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (!entries.length) throw new PayloadKeyError('no keys (expected id:base64key[,id:base64key…])');
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    // Only the position is named: whatever this entry holds may be key material.
    if (!KEY_ID.test(id)) throw new PayloadKeyError(`entry ${index + 1}: expected id:base64key with an id of letters, digits, ".", "_" or "-" (at most 64)`);
    const material = entry.slice(colon + 1).trim();
    if (!BASE64.test(material)) throw new PayloadKeyError(`key "${id}": not base64 (generate one with: openssl rand -base64 32)`);
    const key = Buffer.from(material, material.includes('-') || material.includes('_') ? 'base64url' : 'base64');
    if (key.length !== PAYLOAD_KEY_BYTES) throw new PayloadKeyError(`key "${id}": ${key.length} bytes, AES-256 needs exactly ${PAYLOAD_KEY_BYTES} (openssl rand -base64 32)`);
    if (keys.has(id)) throw new PayloadKeyError(`key "${id}" is given twice`);
    keys.set(id, key);
  }
  const active = activeKeyId ?? entries[0]!.slice(0, entries[0]!.indexOf(':'));
  if (!keys.has(active)) throw new PayloadKeyError(`the active key "${active}" is not one of the keys (${[...keys.keys()].join(', ')})`, 'active');
  return { activeKeyId: active, keys };
}

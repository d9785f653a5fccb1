// Deterministic result bytes: base64 text of an AES-256-CTR keystream keyed by the seed, one
// newline every 64 bytes so results look like a text report. CTR mode can start at any block,
// so a Range request or a re-download regenerates exactly the same bytes without keeping any,
// and memory stays at one 64 KiB chunk however large the result is.
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

const CHUNK_BYTES = 64 * 1024;
const LINE_BYTES = 64;
// Base64 turns 3 keystream bytes into 4 characters; 48 KiB is also a whole number of AES blocks,
// so every output chunk starts on a fresh keystream block and no partial block is carried over.
const KEYSTREAM_PER_CHUNK = (CHUNK_BYTES / 4) * 3;
const AES_BLOCK = 16;
const ZEROS = Buffer.alloc(KEYSTREAM_PER_CHUNK);
const CHUNKS_PER_YIELD = 16;

function keystream(seed: string, firstChunk: number): ReturnType<typeof createCipheriv> {
  const key = createHash('sha256').update(`pollback-simulator:${seed}`).digest();
  const counter = Buffer.alloc(AES_BLOCK);
  counter.writeBigUInt64BE(BigInt(firstChunk * (KEYSTREAM_PER_CHUNK / AES_BLOCK)), 8);
  return createCipheriv('aes-256-ctr', key, counter);
}

/** Bytes [start, end) of the payload for `seed`, in chunks of at most 64 KiB. */
function* payloadChunks(seed: string, start: number, end: number): Generator<Buffer> {
  const firstChunk = Math.floor(start / CHUNK_BYTES);
  const cipher = keystream(seed, firstChunk);
  for (let chunkStart = firstChunk * CHUNK_BYTES; chunkStart < end; chunkStart += CHUNK_BYTES) {
    const text = Buffer.from(cipher.update(ZEROS).toString('base64'), 'latin1');
    for (let i = LINE_BYTES - 1; i < CHUNK_BYTES; i += LINE_BYTES) text[i] = 0x0a;
    yield text.subarray(Math.max(0, start - chunkStart), Math.min(CHUNK_BYTES, end - chunkStart));
  }
}

function* thenFail(chunks: Iterable<Buffer>): Generator<Buffer> {
  yield* chunks;
  throw new Error('simulated truncation: connection closed mid-body');
}

/**
 * Bytes [start, end) as a pull-driven stream (it generates only as fast as the socket drains).
 * With `truncateAfter`, the stream errors after that many bytes, which makes the HTTP server drop
 * the connection although the full Content-Length was announced.
 */
export function payloadStream(seed: string, start: number, end: number, truncateAfter?: number, bytesPerSecond?: number): Readable {
  const chunks = truncateAfter === undefined ? payloadChunks(seed, start, end) : thenFail(payloadChunks(seed, start, start + truncateAfter));
  return Readable.from(bytesPerSecond === undefined ? chunks : paced(chunks, bytesPerSecond), { objectMode: false, highWaterMark: CHUNK_BYTES });
}

/** Chunks no faster than `bytesPerSecond`, on average since the first. */
async function* paced(chunks: Iterable<Buffer>, bytesPerSecond: number): AsyncGenerator<Buffer> {
  const started = Date.now();
  let sent = 0;
  for (const chunk of chunks) {
    const wait = started + (sent / bytesPerSecond) * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    sent += chunk.length;
    yield chunk;
  }
}

/** SHA-256 (hex) of the whole payload, yielding to the event loop so big results do not stall requests. */
export async function payloadSha256(seed: string, size: number, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  let count = 0;
  for (const chunk of payloadChunks(seed, 0, size)) {
    hash.update(chunk);
    count += 1;
    if (count % CHUNKS_PER_YIELD === 0) await nextTurn(undefined, { signal });
  }
  return hash.digest('hex');
}

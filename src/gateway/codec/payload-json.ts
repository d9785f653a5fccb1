// Payloads as the codec protocol sends them: the proto3 JSON form of temporal.api.common.v1.Payload,
// where bytes (each metadata value and the data) are base64 strings.
import type { Payload } from '@temporalio/common';
import { z } from 'zod';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

export const payloadJsonSchema = z.object({
  metadata: z.record(z.string(), base64).nullish(),
  data: base64.nullish(),
});
export type PayloadJson = z.infer<typeof payloadJsonSchema>;

/** The body of /codec/encode and /codec/decode, and of their answers. */
export const payloadsJsonSchema = z.object({ payloads: z.array(payloadJsonSchema).max(10_000) });

export function fromPayloadJson(json: PayloadJson): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(json.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(json.data ?? '', 'base64'),
  };
}

export function toPayloadJson(payload: Payload): PayloadJson {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]));
  return { metadata, ...(payload.data?.length ? { data: Buffer.from(payload.data).toString('base64') } : {}) };
}

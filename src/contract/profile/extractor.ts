// The small language profiles use to read an API's answers: where a value is (a dotted path
// into the JSON body, or a header) and which of the API's own words mean which state. The
// `status` and `callback` sections share it. Pure (zod only): the workflow validates with it.
import { z } from 'zod';

/** Where to read a value in a response: a dotted path into the JSON body, or a header name. */
export const extractorSchema = z.union([
  z.strictObject({ body: z.string().min(1).describe('dotted path into the JSON body, e.g. "data.statusUrl"') }),
  z.strictObject({ header: z.string().min(1).describe('header name, e.g. "Location"') }),
]);
export type Extractor = z.infer<typeof extractorSchema>;

const stateNames = z.array(z.string().min(1)).min(1);

/** The API's own words for each state. */
export const statesSchema = z.strictObject({ running: stateNames, succeeded: stateNames, failed: stateNames, cancelled: stateNames });

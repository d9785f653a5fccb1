// Reads one value out of a response the way the profile says (JSON body path or header).
import type { Extractor } from '../contract/profile/schema';
import { lookup } from './template';

export interface ResponseView {
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: unknown;
}

export function extract(extractor: Extractor | undefined, response: ResponseView): unknown {
  if (!extractor) return undefined;
  if ('header' in extractor) {
    const value = response.headers[extractor.header.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }
  return lookup(response.body, extractor.body);
}

export function extractString(extractor: Extractor | undefined, response: ResponseView): string | undefined {
  const value = extract(extractor, response);
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function extractNumber(extractor: Extractor | undefined, response: ResponseView): number | undefined {
  const value = extract(extractor, response);
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(number) ? number : undefined;
}

export function describeExtractor(extractor: Extractor): string {
  return 'header' in extractor ? `header ${extractor.header}` : `body field ${extractor.body}`;
}

/** A progress value as percent (0–100), whatever scale the API counts in; undefined when absent or not a number. */
export function extractProgress(extractor: Extractor | undefined, max: number, response: ResponseView): number | undefined {
  const value = extractNumber(extractor, response);
  if (value === undefined) return undefined;
  return Math.min(100, Math.max(0, Math.round((value / max) * 1000) / 10));
}

// Where a job's result comes from and what it is called, for both destinations (the local disk
// and S3): its URL (status read, callback output, or a fresh status read) and its GET, the
// checksum announced for it, a safe file name, and the progress the download reports to its job.
import { Context } from '@temporalio/activity';
import { request, type Dispatcher } from 'undici';
import { ErrorType, nonRetryable, retryable } from '../contract/errors';
import { downloadProgressSignal } from '../contract/messages';
import type { Profile } from '../contract/profile/schema';
import { redact, retryAfterMs } from '../http/client';
import { checkedUrl, dispatcherFor, internalAddressRefusal } from '../http/hosts';
import { extractString } from '../profiles/extract';
import type { ActivityDeps } from './context';
import { readRemoteStatus } from './read-remote-status';
import type { DownloadResultArgs } from './types';

/** How often an expired pre-signed URL (403) is refreshed by reading the status again. */
const MAX_URL_REFRESHES = 3;

/**
 * The result's URL and its GET. An expired pre-signed URL (403) is swapped for a fresh one from
 * a status read, at most MAX_URL_REFRESHES times; any other answer but the result is a typed
 * failure, retried when a retry can help.
 */
export class ResultSource {
  private refreshes = 0;

  constructor(
    private readonly deps: ActivityDeps,
    private readonly args: DownloadResultArgs,
    private readonly profile: Profile,
    private url: string,
    private readonly secrets: readonly string[],
  ) {}

  /** The URL being read, checked against the profile's hosts (its last segment names a file the server does not). */
  current(): URL {
    return checkedUrl(this.url, this.profile.allowedHosts, 'result URL');
  }

  /**
   * GETs the result: a 200 or 206 answer, a 416 when `headers` asked for a range (the caller
   * decides what a refused range means), or undefined once an expired URL was swapped: ask again.
   */
  async get(headers: Record<string, string>, signal: AbortSignal): Promise<Dispatcher.ResponseData | undefined> {
    const target = this.current();
    const dispatcher = dispatcherFor(target, this.profile.allowedHosts);
    const res = await request(target, { method: 'GET', headers, ...(dispatcher ? { dispatcher } : {}), signal, headersTimeout: 30_000, bodyTimeout: 60_000 }).catch((err: Error & { code?: string }) => {
      if (signal.aborted) throw err;
      throw internalAddressRefusal(err, 'result URL') ?? retryable(ErrorType.RemoteUnavailable, redact(`download from ${target.host}: ${err.code ?? err.message}`, this.secrets));
    });
    const status = res.statusCode;
    if (status === 200 || status === 206 || (status === 416 && headers.range !== undefined)) return res;
    await res.body.dump().catch(() => undefined);
    if (status === 403 && this.profile.status && this.refreshes < MAX_URL_REFRESHES) {
      // Pre-signed URLs expire; the status endpoint hands out a fresh one.
      this.refreshes++;
      const fresh = await readRemoteStatus(this.deps, { profile: this.args.profile, params: this.args.params, remote: this.args.remote });
      if (!fresh.resultUrl) throw nonRetryable(ErrorType.RemoteProtocolError, 'the result URL expired and the status response has no fresh one');
      this.url = fresh.resultUrl;
      return undefined;
    }
    if (status === 403 || status === 404 || status === 408 || status === 429 || status >= 500) throw retryable(ErrorType.RemoteUnavailable, `download answered HTTP ${status}`, retryAfterMs(res.headers));
    throw nonRetryable(ErrorType.RemoteRejected, `download answered HTTP ${status}`);
  }
}

/** The sha256 the result must have: as a callback announced it, else from the profile's checksum header; lower case. */
export function expectedSha256(args: DownloadResultArgs, profile: Profile, headers: Dispatcher.ResponseData['headers']): string | undefined {
  const announced = args.sha256 ?? extractString(profile.callback?.sha256, { headers: {}, body: args.callbackOutput });
  const fromHeader = profile.result?.checksumHeader ? header(headers, profile.result.checksumHeader.toLowerCase()) : undefined;
  return (announced ?? fromHeader)?.toLowerCase();
}

/** A safe file name: no directories, no traversal, no control characters, bounded length. */
export function sanitizeFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
    .replace(/[\u0000-\u001f\u007f"*:<>?|]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 150);
  return cleaned || 'result';
}

/** File name from Content-Disposition (RFC 6266, incl. filename*), else the URL's last segment. */
export function fileNameFrom(disposition: string | undefined, url: URL): string {
  if (disposition) {
    const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
    if (star?.[1]) {
      try {
        return decodeURIComponent(star[1]);
      } catch {
        // fall through to the plain parameter
      }
    }
    const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition);
    if (plain?.[1]) return plain[1];
  }
  const last = url.pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last; // malformed percent-encoding: the raw segment, sanitised by the caller
  }
}

/**
 * Tells the workflow how far the download got (for its `status` query): every 10 %, at most once
 * a second, and not in the first second: a signal costs the job a workflow task and four history
 * events, which a download over in a moment does not need.
 */
export function progressReporter(workflowId: string): (bytes: number, total: number | undefined) => void {
  let lastAt = Date.now();
  let lastStep = -1;
  return (bytes, total) => {
    const step = total ? Math.floor((bytes / total) * 10) : Math.floor(bytes / (64 << 20));
    const now = Date.now();
    if (step === lastStep || now - lastAt < 1_000) return;
    lastAt = now;
    lastStep = step;
    // Best effort: progress is for people watching, the download does not depend on it.
    Context.current()
      .client.workflow.getHandle(workflowId)
      .signal(downloadProgressSignal, { bytes, total })
      .catch(() => undefined);
  };
}

/** Where the result is: the status read's URL, the callback output's, or a fresh status read's. */
export async function resolveResultUrl(deps: ActivityDeps, args: DownloadResultArgs, profile: Profile): Promise<string | undefined> {
  if (args.resultUrl) return args.resultUrl;
  const fromCallback = extractString(profile.callback?.resultUrl, { headers: {}, body: args.callbackOutput });
  if (fromCallback) return fromCallback;
  if (!profile.status) return undefined;
  return (await readRemoteStatus(deps, { profile: args.profile, params: args.params, remote: args.remote })).resultUrl;
}

export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// Where a job's result comes from and what it is called, for both destinations (the local disk
// and S3): its URL (status read, callback output, or a fresh status read), a safe file name, and
// the progress the download reports to its job.
import { Context } from '@temporalio/activity';
import type { Profile } from '../contract/profile/schema';
import { downloadProgressSignal } from '../contract/messages';
import { extractString } from '../profiles/extract';
import type { ActivityDeps } from './context';
import { readRemoteStatus } from './read-remote-status';
import type { DownloadResultArgs } from './types';

/** How often an expired pre-signed URL (403) is refreshed by reading the status again. */
export const MAX_URL_REFRESHES = 3;

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

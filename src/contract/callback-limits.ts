// How much of a callback is kept: the gateway refuses or clips to these, and the workflow's signal
// schemas accept no more, so a callback that passed the gateway always passes the workflow.
export const CALLBACK_LIMITS = {
  /** A task token (in a path, a header, a query or a body field). */
  taskToken: 2048,
  /** A failure's `error` and `code`: a short name. */
  error: 256,
  /** A failure's `cause`: a description or stack, clipped beyond this. */
  cause: 32_768,
  /** A result URL a callback hands over. */
  resultUrl: 8192,
  /** Why an authenticated callback was refused. */
  refusedReason: 500,
  /** Step Functions' SendTaskSuccess output (a JSON text), as AWS limits it. */
  sfnOutput: 256 * 1024,
} as const;

/** A text cut to `max` characters, the cut marked with an ellipsis. */
export const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

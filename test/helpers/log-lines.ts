// A process's output as the structured logger writes it: one JSON object a line (other lines,
// e.g. a crash's stack, kept as their text in `msg`), for assertions on what was logged.
export type LogLine = Record<string, unknown> & { msg?: unknown };

export function logLines(output: string): LogLine[] {
  return output.split('\n').filter((line) => line.trim()).map((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return parsed !== null && typeof parsed === 'object' ? (parsed as LogLine) : { msg: line };
    } catch {
      return { msg: line };
    }
  });
}

/** The messages alone, one a line: what a person reading the log would see. */
export const logMessages = (output: string): string => logLines(output).map((line) => (typeof line.msg === 'string' ? line.msg : JSON.stringify(line.msg ?? ''))).join('\n');

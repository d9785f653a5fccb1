// The figures: one row per fault family or hostile-input class, one total row. The loss columns
// (lost, started twice, corrupt, duplicate or missing notifications, hostile requests not refused)
// must all be zero.
import type { FaultReport, HostileCase } from './family';
import type { Verdict } from './jobs';

export interface Row {
  family: string;
  faults: number;
  jobs: number;
  completed: number;
  lost: number;
  startedTwice: number;
  corrupt: number;
  duplicateNotifications: number;
  missingNotifications: number;
  hostile: number;
  hostileRefused: number;
}

const LOSSES = ['lost', 'startedTwice', 'corrupt', 'duplicateNotifications', 'missingNotifications'] as const;

export function rows(faults: readonly FaultReport[], verdicts: readonly Verdict[], hostile: readonly HostileCase[]): Row[] {
  const families = [...new Set([...faults.map((f) => f.family), ...verdicts.map((v) => v.tracked.family), ...hostile.map((h) => h.family)])];
  return families.map((family) => {
    const mine = verdicts.filter((v) => v.tracked.family === family);
    const cases = hostile.filter((h) => h.family === family);
    return {
      family,
      faults: faults.find((f) => f.family === family)?.injected ?? 0,
      jobs: mine.length,
      completed: mine.filter((v) => v.completed).length,
      lost: mine.filter((v) => !v.completed).length,
      startedTwice: mine.filter((v) => v.remoteStarts > 1).length,
      corrupt: mine.filter((v) => v.fileCorrupt).length,
      duplicateNotifications: mine.reduce((sum, v) => sum + v.duplicateNotifications, 0),
      missingNotifications: mine.reduce((sum, v) => sum + v.missingNotifications, 0),
      hostile: cases.length,
      hostileRefused: cases.filter((h) => h.refused).length,
    };
  });
}

export function total(all: readonly Row[]): Row {
  const sum = (key: Exclude<keyof Row, 'family'>): number => all.reduce((s, row) => s + row[key], 0);
  return {
    family: 'total',
    faults: sum('faults'),
    jobs: sum('jobs'),
    completed: sum('completed'),
    lost: sum('lost'),
    startedTwice: sum('startedTwice'),
    corrupt: sum('corrupt'),
    duplicateNotifications: sum('duplicateNotifications'),
    missingNotifications: sum('missingNotifications'),
    hostile: sum('hostile'),
    hostileRefused: sum('hostileRefused'),
  };
}

export function isClean(row: Row): boolean {
  return LOSSES.every((key) => row[key] === 0) && row.hostileRefused === row.hostile;
}

const HEADERS = ['family', 'faults injected', 'jobs', 'completed', 'lost', 'remote started twice', 'files corrupt', 'duplicate notifications', 'missing notifications', 'hostile refused'];

/** A markdown table, so the closing note and the README can paste it as is. */
export function render(all: readonly Row[]): string {
  const cells = (row: Row): string[] => [
    row.family,
    String(row.faults),
    String(row.jobs),
    String(row.completed),
    String(row.lost),
    String(row.startedTwice),
    String(row.corrupt),
    String(row.duplicateNotifications),
    String(row.missingNotifications),
    row.hostile ? `${row.hostileRefused}/${row.hostile}` : '–',
  ];
  const lines = [HEADERS, ...all.map(cells)];
  const widths = HEADERS.map((_h, i) => Math.max(...lines.map((line) => (line[i] ?? '').length)));
  const format = (line: string[]): string => `| ${line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [format(HEADERS), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...lines.slice(1).map(format)].join('\n');
}

// Each benchmark's result as rows of the table, with the issue's goal next to the figure.
import type { Row } from './report';
import type { DownloadResult } from './download';
import type { LatencyResult } from './latency';
import type { PollHistory, PollingResult, Sustained } from './polling';
import { totalCpu, type ThroughputResult, type ThroughputSide } from './throughput';
import type { WaitingResult } from './waiting';

const f = (value: number, unit = ''): string => `${Number.isInteger(value) ? value : value.toFixed(1)}${unit}`;

export function throughputRows(r: ThroughputResult): Row[] {
  const { pollback: p, handwritten: h, bare: b } = r;
  const cpu = (side: ThroughputSide): string => Object.entries(side.cpuMsPerJob).map(([name, ms]) => `${name} ${f(ms)}`).join(', ');
  const threads = (side: ThroughputSide): string => `${f(side.workerThreadsMsPerJob.main)} / ${f(side.workerThreadsMsPerJob.core)} / ${f(side.workerThreadsMsPerJob.otherThreads)}`;
  const both = (hw: string, bare: string): string => `hand-written ${hw}; bare ${bare}`;
  const extraPercent = (r.eventsRatio - 1) * 100;
  const extra = r.extraEvents.map((d) => `${d.label} ${d.extra > 0 ? '+' : ''}${f(d.extra)}`).join(', ');
  return [
    { benchmark: 'throughput', figure: `jobs/s (${p.jobs} jobs each, in alternating rounds)`, pollback: f(p.jobsPerSecond), baseline: both(f(h.jobsPerSecond), f(b.jobsPerSecond)), ratio: `${r.ratio.toFixed(2)}× hand-written (${r.bareRatio.toFixed(2)}× bare)`, goal: '≥ 0.9× hand-written', met: r.ratio >= 0.9 },
    { benchmark: 'throughput', figure: 'job latency p50 / p99 (ms, under load)', pollback: `${p.jobLatencyMs.p50} / ${p.jobLatencyMs.p99}`, baseline: both(`${h.jobLatencyMs.p50} / ${h.jobLatencyMs.p99}`, `${b.jobLatencyMs.p50} / ${b.jobLatencyMs.p99}`) },
    { benchmark: 'throughput', figure: 'CPU ms per job', pollback: cpu(p), baseline: both(cpu(h), cpu(b)) },
    { benchmark: 'throughput', figure: 'CPU ms per job, all processes (the jobs/s ratio a CPU-bound machine gives)', pollback: f(totalCpu(p)), baseline: both(f(totalCpu(h)), f(totalCpu(b))), ratio: `${r.cpuRatio.toFixed(2)}× hand-written` },
    { benchmark: 'throughput', figure: 'worker CPU ms per job: main thread (activities, SDK) / core (Rust) / other threads (workflows, GC)', pollback: threads(p), baseline: both(threads(h), threads(b)) },
    { benchmark: 'throughput', figure: 'history events per job', pollback: f(p.historyEventsPerJob), baseline: both(f(h.historyEventsPerJob), f(b.historyEventsPerJob)), ratio: `${extraPercent >= 0 ? '+' : ''}${extraPercent.toFixed(0)} % vs hand-written`, goal: '≤ +25 %', met: extraPercent <= 25 },
    { benchmark: 'throughput', figure: 'history events Pollback has beyond hand-written, per job', pollback: extra || 'none' },
    { benchmark: 'throughput', figure: 'mean ms in workflow: remote / download / notify', pollback: `${f(p.timingsMs.remote)} / ${f(p.timingsMs.download)} / ${f(p.timingsMs.notify)}` },
  ];
}

export function latencyRows(r: LatencyResult): Row[] {
  const g = r.gateway;
  const d = r.direct;
  return [
    { benchmark: 'latency', figure: `callback → workflow resumed, p50 (ms, ${g.samples} + ${d.samples} samples)`, pollback: f(g.resumedMs.p50), baseline: `${f(d.resumedMs.p50)} (direct signal)`, ratio: `+${f(r.overheadP50Ms)} ms`, goal: '≤ +2 ms', met: r.overheadP50Ms <= 2 },
    { benchmark: 'latency', figure: 'callback → workflow resumed, p99 (ms)', pollback: f(g.resumedMs.p99), baseline: f(d.resumedMs.p99), ratio: `+${f(r.overheadP99Ms)} ms` },
    { benchmark: 'latency', figure: 'caller answered, p50 / p99 (ms)', pollback: `${f(g.answeredMs.p50)} / ${f(g.answeredMs.p99)}`, baseline: `${f(d.answeredMs.p50)} / ${f(d.answeredMs.p99)}` },
  ];
}

export function waitingRows(r: WaitingResult): Row[] {
  return [
    { benchmark: 'waiting', figure: `${r.jobs} jobs waiting: all completed`, pollback: `${r.completed}/${r.jobs}`, goal: 'all', met: r.completed === r.jobs },
    { benchmark: 'waiting', figure: 'worker RSS waiting / peak (MiB)', pollback: `${f(r.worker.waiting.rssMb)} / ${f(r.worker.peakMb)}`, baseline: `${f(r.worker.idle.rssMb)} idle`, goal: '< 1024', met: r.worker.peakMb < 1024 },
    { benchmark: 'waiting', figure: 'dev server RSS waiting (MiB)', pollback: f(r.devServer.waiting.rssMb), baseline: `${f(r.devServer.before.rssMb)} before` },
    { benchmark: 'waiting', figure: 'memory per waiting job (KiB): worker / dev server', pollback: `${f(r.workerKiBPerWaitingJob)} / ${f(r.devServerKiBPerWaitingJob)}` },
    { benchmark: 'waiting', figure: 'time to start all / to drain after release (s)', pollback: `${f(r.secondsToStartAll)} / ${f(r.secondsToDrain)}`, ratio: `${f(r.drainJobsPerSecond)} jobs/s drained` },
  ];
}

export function pollingRows(r: PollingResult): Row[] {
  const { after, before } = r;
  const rows: Row[] = [];
  // Events per poll: the job with the most polls, where the fixed cost of a job weighs least.
  const most = (side: { histories: PollHistory[] }): PollHistory | undefined => side.histories.reduce<PollHistory | undefined>((a, h) => (a && a.polls >= h.polls ? a : h), undefined);
  const a = most(after);
  const b = before ? most(before) : undefined;
  const perPollGoal = after.histories.find((h) => h.polls >= 1_000) ?? a;
  if (perPollGoal) {
    rows.push({
      benchmark: 'polling',
      figure: `history events per poll (one job, ${perPollGoal.polls} polls${b ? ` / before: ${b.polls}` : ''})`,
      pollback: `${perPollGoal.eventsPerPoll.toFixed(3)} (${perPollGoal.totalEvents} events, ${perPollGoal.runs} run)`,
      ...(b ? { baseline: `${b.eventsPerPoll.toFixed(3)} (${b.totalEvents} events, ${b.runs} runs)`, ratio: `${Math.round(b.eventsPerPoll / perPollGoal.eventsPerPoll)}× fewer` } : {}),
      goal: '≤ 1 (over 1,000 polls)',
      met: perPollGoal.polls >= 1_000 && perPollGoal.eventsPerPoll <= 1,
    });
  }
  for (const h of after.histories.filter((x) => x !== perPollGoal)) {
    rows.push({ benchmark: 'polling', figure: `${h.polls} polls: events (largest run), s`, pollback: `${h.maxEventsPerRun}, ${f(h.seconds)} s`, ratio: `${f(h.pollsPerSecond)} polls/s` });
  }
  const tenK = after.histories.find((h) => h.polls >= 10_000);
  if (a) {
    const target = tenK ?? a;
    rows.push({
      benchmark: 'polling',
      figure: `one job at 1 ms: polls/s${tenK ? `, 10,000 polls in` : ''}`,
      pollback: `${f(target.pollsPerSecond)} polls/s${tenK ? `, ${f(tenK.seconds)} s` : ''}`,
      ...(b ? { baseline: `${f(b.pollsPerSecond)} polls/s: 10,000 polls ≈ ${f(10_000 / b.pollsPerSecond / 60)} min (extrapolated)`, ratio: `${f(target.pollsPerSecond / b.pollsPerSecond)}×` } : {}),
      ...(tenK ? { goal: '10,000 polls < 300 s', met: tenK.seconds < 300 } : {}),
    });
  }
  const s = after.sustained;
  const cpu = (side: Sustained): string => Object.entries(side.cpuMsPerPoll).map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(', ');
  rows.push({
    benchmark: 'polling',
    figure: `polls/s one worker sustains (${s.jobs} jobs × ${s.pollsPerJob}${before ? ` / before: ${before.sustained.jobs} × ${before.sustained.pollsPerJob}` : ''})`,
    pollback: f(s.pollsPerSecond),
    ...(before ? { baseline: f(before.sustained.pollsPerSecond), ratio: `${f(s.pollsPerSecond / before.sustained.pollsPerSecond)}×` } : {}),
  });
  rows.push({ benchmark: 'polling', figure: 'CPU ms per poll (sustained)', pollback: cpu(s), ...(before ? { baseline: cpu(before.sustained) } : {}) });
  return rows;
}

export function downloadRows(r: DownloadResult): Row[] {
  const mib = r.bytes / (1024 * 1024);
  const sum = (parts: Record<string, number>): number => Object.values(parts).reduce((a, b) => a + b, 0);
  const cpu = (parts: Record<string, number>): string => `${Object.entries(parts).map(([name, s]) => `${name} ${s.toFixed(2)}`).join(' + ')} = ${sum(parts).toFixed(2)}`;
  const cpuRatio = sum(r.cpuSecondsPerGiB.pollback) / sum(r.cpuSecondsPerGiB.sameWork);
  return [
    { benchmark: 'download', figure: `${mib} MiB to disk, sha256 and fsync, MiB/s (best of ${r.rounds}, alternating rounds)`, pollback: f(r.pollbackMiBps), baseline: `${f(r.sameWorkMiBps)} (curl -o && sha256sum && sync file)`, ratio: `${r.ratio.toFixed(2)}× (round by round: ${r.roundRatios.map((x) => x.toFixed(2)).join(', ')})`, goal: '≥ 0.9× (at 1 GiB)', met: r.ratio >= 0.9 },
    { benchmark: 'download', figure: `${mib} MiB to disk alone, MiB/s (best of ${r.rounds}): the machine's limit`, pollback: f(r.pollbackMiBps), baseline: `${f(r.curlMiBps)} (curl -o alone)`, ratio: `${r.curlRatio.toFixed(2)}×` },
    { benchmark: 'download', figure: `CPU s per GiB (all ${r.rounds} rounds): Pollback's processes from the callback on / the baseline's commands`, pollback: cpu(r.cpuSecondsPerGiB.pollback), baseline: cpu(r.cpuSecondsPerGiB.sameWork), ratio: `${cpuRatio.toFixed(2)}×` },
    { benchmark: 'download', figure: 'worker CPU s per GiB by thread: main (HTTP, stream, sha256) / core (Rust) / other threads (file writes, GC)', pollback: `${r.workerThreadSecondsPerGiB.main.toFixed(2)} / ${r.workerThreadSecondsPerGiB.core.toFixed(2)} / ${r.workerThreadSecondsPerGiB.otherThreads.toFixed(2)}` },
    { benchmark: 'download', figure: 'peak RSS during download (MiB): worker above idle / whole worker', pollback: `${f(r.worker.peakAboveIdleMb)} / ${f(r.worker.peakRssMb)}`, baseline: `${f(r.curlPeakRssMb)} (curl)`, goal: '< 100 above idle', met: r.worker.peakAboveIdleMb < 100 },
    { benchmark: 'download', figure: 'kill at 50 %: s to resume / s to done', pollback: `${f(r.resume.secondsKillToResumed)} / ${f(r.resume.secondsKillToDone)}`, ratio: `${r.resume.rangedRequests} ranged request(s) from ${f(r.resume.killedAtBytes / (1024 * 1024))} MiB` },
  ];
}

// The Markdown table of bench/heartbeat-scale.js: one column per part.

const int = (n) => Math.round(n).toLocaleString('en-US').replace(/,/g, ' ');
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (x) => `${x} ms`;

function timersCell(census) {
  if (census === undefined) return '';
  const others = census.otherTimers
    .map((t) => `${t.name ?? 'unknown'} (${t.repeat ? 'every' : 'once after'} ${t.ms} ms)`)
    .join(', ');
  return `**${census.liveTimersMax}**: ${census.schedulerTimers} heartbeat scheduler` + (others ? `; other: ${others}` : '');
}

/** Upper bound on silence → termination with punctual ticks: next ping within interval + period, expiry within timeout + period. */
export function terminationBound(r) {
  return r.interval + r.timeout + 2 * r.periodMs;
}

/** What a busy event loop may add to that bound: two late ticks, and a second of slack. */
export function terminationSlack(r) {
  return 1000 + 2 * r.steady.delayMaxMs;
}

function rows(r) {
  if (r === null) return null;
  const t = r.steady.ticks;
  const e = r.expiry;
  const mem = r.memory.perConnection;
  return [
    int(r.connections) + (r.serverPorts > 1 ? ` (over ${r.serverPorts} server ports)` : ''),
    `${int(r.connections)} in ${(r.setupMs / 1000).toFixed(1)} s`,
    timersCell(r.census),
    String(r.census.activeTimeoutResourcesMax),
    ms(r.periodMs),
    `${kib(mem.rss)} / ${kib(mem.heapUsed)}` + (r.memory.standInHeapPerConnection ? ` (stand-in Duplex + peer: ${kib(r.memory.standInHeapPerConnection)} heap)` : ''),
    `${ms(r.steady.idle.medianMs)} (${r.steady.idle.nsPerMember} ns per connection)`,
    `${ms(t.medianTotalMs)} / ${ms(t.maxTotalMs)} (${t.count} ticks in ${(r.steady.ms / 1000).toFixed(1)} s)`,
    `${int(t.maxPingsInOneTick)} pings: ${ms(t.biggestPingTickPassMs)} / ${ms(t.biggestPingTickTotalMs)} (${(t.nsPerPing / 1000).toFixed(1)} µs per ping)`,
    `${(r.steady.eventLoopUtilization * 100).toFixed(1)} %; ${ms(r.steady.delayP99Ms)} / ${ms(r.steady.delayMaxMs)}`,
    `${r.steady.gc.count} collections, ${ms(r.steady.gc.totalMs)}, longest ${ms(r.steady.gc.maxMs)}`,
    `${r.steady.minPingsPerConnection}-${r.steady.maxPingsPerConnection}`,
    `${int(r.steady.open)} / ${int(r.connections)}, ${r.steady.closed} closed`,
    `${int(e.terminated1006)} / ${int(e.silent)}` + (e.otherCode ? `, ${e.otherCode} other code` : '') + (e.stillOpen ? `, ${e.stillOpen} still open` : ''),
    `${e.answeringClosed} (${int(e.answeringOpen)} open)`,
    `${(e.lastTerminationAfterMs / 1000).toFixed(2)} s (bound ${(terminationBound(r) / 1000).toFixed(2)} s)`,
    `${int(e.ticks.maxExpiredInOneTick)} terminated in ${ms(e.ticks.biggestExpiryTickTotalMs)}`,
  ];
}

const LABELS = [
  'connections',
  'handshakes',
  'timers alive (all, unref\'d too; max of the samples)',
  'ref\'d timers (`getActiveResourcesInfo()` \'Timeout\')',
  'scheduler tick period',
  'memory per connection: RSS / heap',
  'pass over all connections with nothing due (median of 7)',
  'steady window: tick incl. ping writes, median / max',
  'biggest ping tick: pass / pass + ping writes',
  'steady window: event-loop utilization; delay p99 / max',
  'steady window: garbage collection',
  'pings received and answered per connection (about the window)',
  'open after the window (all answering)',
  'silent peers terminated with 1006',
  'answering peers closed',
  'silence → last termination',
  'biggest expiry tick',
];

export function renderMarkdown(result) {
  const { machine, options } = result;
  const cols = [];
  if (result.memory) cols.push(['in memory (Duplex pairs, no fd)', rows(result.memory)]);
  if (result.tcp) cols.push([`TCP, peers in another process`, rows(result.tcp)]);
  const lines = [
    `Heartbeat at scale: interval ${options.interval} ms, timeout ${options.timeout} ms, every ${options.silentEvery}th peer silenced at the end.`,
    '',
    `| | ${cols.map((c) => c[0]).join(' | ')} |`,
    `| --- |${cols.map(() => ' --- |').join('')}`,
  ];
  LABELS.forEach((label, i) => lines.push(`| ${label} | ${cols.map((c) => c[1][i]).join(' | ')} |`));
  if (result.tcp) {
    const p = result.tcp.peerSide;
    lines.push('', `TCP peer side: ${p.silentClosed} silent and ${p.answeringClosed} answering connections closed by the server, ${p.open} open.`);
    if (result.tcp.capped) lines.push(`TCP connections capped at ${result.tcp.connections} by the open-files limit (${machine.openFiles.soft}).`);
  }
  lines.push(
    '',
    `- date: ${machine.date}; load average at start: ${machine.loadavg}`,
    `- CPU: ${machine.cpu}; memory ${machine.memoryGiB} GiB; ${machine.os}`,
    `- Node ${machine.node}; open files limit ${machine.openFiles.soft} (hard ${machine.openFiles.hard})`,
  );
  return lines.join('\n');
}

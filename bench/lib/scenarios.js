// The server scenarios of issue 5 and the load each one puts on a target, at three sizes:
// full (npm run bench), quick (--quick) and smoke (--smoke, for the test suite).

const KiB = 1024;
const MiB = 1024 * 1024;

export const PROFILES = {
  full: { runs: 3, warmupMs: 1000, durationMs: 3000, connections: 5000, connectWarmup: 200, subscribers: 1000, quietWaitMs: 10_000 },
  quick: { runs: 1, warmupMs: 300, durationMs: 1000, connections: 5000, connectWarmup: 100, subscribers: 1000, quietWaitMs: 3000 },
  smoke: { runs: 1, warmupMs: 50, durationMs: 150, connections: 200, connectWarmup: 20, subscribers: 50, quietWaitMs: 0 },
};

/**
 * metrics: the columns of the table, in order; `ratio` marks the ones compared as
 * wsx/other; `better` says which direction wins.
 * Optional, for a scenario with its own set of targets (the HTTP/2 one):
 * targets: the targets it runs, in table order (default: every target but the HTTP/2 ones);
 * labels: row labels that replace the targets' own; ratios: { subject, bases: [[target,
 * label]] } replacing wsx over RATIO_BASES; limits: [[target, phrase]] rows that are the
 * load generator's ceiling (default [['raw', 'raw net']]); notes: lines under the table.
 */
export const SCENARIOS = [
  echo('echo-16b', 'echo 16 B binary, 64 connections x 16 in flight', 16, false, 64, 16),
  echo('echo-1k-text', 'echo 1 KiB text (UTF-8 validated), 64 connections x 16 in flight', KiB, true, 64, 16),
  echo('echo-64k', 'echo 64 KiB binary, 16 connections x 2 in flight', 64 * KiB, false, 16, 2),
  echo('echo-1m', 'echo 1 MiB binary, 4 connections x 1 in flight', MiB, false, 4, 1),
  echoOverHttp2(),
  {
    name: 'latency-64b',
    title: 'round-trip latency, 64 B binary, 1 connection x 1 in flight',
    job: (p) => ({ kind: 'latency', size: 64, warmupMs: p.warmupMs, durationMs: p.durationMs }),
    metrics: [
      { key: 'p50Micros', label: 'p50 µs', better: 'lower', ratio: true, digits: 1 },
      { key: 'p99Micros', label: 'p99 µs', better: 'lower', digits: 1 },
      { key: 'messagesPerSec', label: 'round trips/s', better: 'higher' },
    ],
  },
  {
    name: 'connect',
    title: 'connection rate: handshakes 64 at a time, all kept open; then RSS per idle connection',
    job: (p) => ({
      kind: 'connect',
      connections: p.connections,
      parallel: 64,
      warmupConnections: p.connectWarmup,
      settleMs: Math.min(500, p.durationMs),
    }),
    metrics: [
      { key: 'handshakesPerSec', label: 'handshakes/s', better: 'higher', ratio: true },
      { key: 'rssPerConnKiB', label: 'RSS/conn KiB', better: 'lower', ratio: true, digits: 2 },
      { key: 'heapPerConnKiB', label: 'heap/conn KiB', better: 'lower', digits: 2 },
    ],
  },
  {
    name: 'broadcast',
    title: 'broadcast 64 B binary: one publisher, N subscribers, 16 messages of deliveries outstanding',
    job: (p) => ({ kind: 'broadcast', subscribers: p.subscribers, size: 64, window: 16, warmupMs: p.warmupMs, durationMs: p.durationMs }),
    metrics: [{ key: 'deliveriesPerSec', label: 'deliveries/s', better: 'higher', ratio: true }],
  },
];

function echo(name, title, size, text, connections, inFlight) {
  return {
    name,
    title,
    job: (p) => ({ kind: 'echo', size, text, connections, inFlight, warmupMs: p.warmupMs, durationMs: p.durationMs }),
    metrics: [
      { key: 'messagesPerSec', label: 'messages/s', better: 'higher', ratio: true },
      { key: 'megabytesPerSec', label: 'MB/s', better: 'higher', digits: 1 },
    ],
  };
}

/**
 * Many WebSockets over few HTTP/2 sessions, beside the same WebSockets over HTTP/1.1 (one TCP
 * connection each). Every target gets the same WebSocket count, in-flight window and
 * messages; only the transport differs (the load reads it from the target).
 */
function echoOverHttp2() {
  const sessions = 4;
  const connections = 256;
  const inFlight = 16;
  const base = echo('echo-1k-h2', '', KiB, true, connections, inFlight);
  return {
    ...base,
    title: `echo 1 KiB text over HTTP/2 (RFC 8441, h2c): ${connections} WebSockets as ${sessions} sessions x ${connections / sessions} streams, ${inFlight} in flight each, beside the same ${connections} WebSockets over HTTP/1.1`,
    job: (p, target) => ({ ...base.job(p), ...(target.transport === 'h2' ? { transport: 'h2', sessions } : {}) }),
    targets: ['wsx-h2', 'wsx', 'raw-h2', 'raw'],
    labels: { wsx: 'wsx over HTTP/1.1', raw: 'raw net (HTTP/1.1 limit)' },
    ratios: {
      subject: 'wsx-h2',
      bases: [
        ['wsx', 'wsx-h2/wsx-h1.1'],
        ['raw-h2', 'wsx-h2/limit-h2'],
      ],
    },
    limits: [
      ['raw-h2', 'raw http2'],
      ['raw', 'raw net'],
    ],
    notes: [
      'ws and Bun.serve have no rows here: neither serves WebSockets over HTTP/2 (RFC 8441 extended CONNECT). ws handles HTTP/1.1 upgrades only (websockets/ws#1458); Bun.serve\'s WebSockets come from HTTP/1.1 upgrades only (`server.upgrade()`).',
    ],
  };
}

/** The targets a scenario runs, from those available, in its table order. */
export function scenarioTargets(scenario, targets) {
  if (!scenario.targets) {
    return targets.filter((t) => t.transport !== 'h2' && (!t.scenarios || t.scenarios.includes(scenario.name)));
  }
  return scenario.targets.map((name) => targets.find((t) => t.name === name)).filter(Boolean);
}

/** Columns every server scenario shows after its own metrics. */
export const COMMON_METRICS = [
  { key: 'serverCpuPercent', label: 'server CPU %', better: 'none', digits: 0 },
  { key: 'loadCpuPercent', label: 'load CPU %', better: 'none', digits: 0 },
  { key: 'otherCpuPercent', label: 'other CPU %', better: 'none', digits: 0 },
];

/** Flat metric values for one (scenario, target, run) from the load result and server marks. */
export function metricsFromRun(result, marks) {
  const m = { ...result };
  if ('payloadBytesPerSec' in result) m.megabytesPerSec = result.payloadBytesPerSec / 1e6;
  if (marks.baseline && marks.idle && result.handshakes) {
    m.rssPerConnKiB = (marks.idle.rss - marks.baseline.rss) / result.handshakes / 1024;
    m.heapPerConnKiB = (marks.idle.heapUsed - marks.baseline.heapUsed) / result.handshakes / 1024;
  }
  return m;
}

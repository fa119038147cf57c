#!/usr/bin/env node
// Heartbeats at scale (issue 6): one scheduler for every connection, not a
// timer each. Two parts, each in fresh child processes:
//  1. in memory: N server-side WebSockets over Duplex stand-ins (no file
//     descriptors, so 100 000 fit), peers answering pings in the same process;
//  2. TCP: as many idle connections as the open-files limit allows, the wsx
//     server in one process and raw peers in another.
// Each part counts the timers alive, memory per connection and the cost of a
// tick, keeps every answering peer open over several intervals, then silences
// every k-th peer and checks that exactly those are terminated with 1006.
// Usage: node bench/heartbeat-scale.js [--connections N] [--tcp N] [--json] (--help for all)

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCleanup, killAll } from './lib/child-registry.js';
import { startChild } from './scale/child-rpc.js';
import { machineFacts } from './scale/machine-facts.js';
import { parseOptions, USAGE } from './scale/options.js';
import { renderMarkdown, terminationBound, terminationSlack } from './scale/report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const script = (name) => path.join(here, 'scale', name);

/** Connections per server port: Linux's connect() slows down past ~14 000 to one address and port (tcp-server.js). */
const CONNECTIONS_PER_PORT = 5000;

/** File descriptors kept free in each process (stdio, IPC, epoll, listening socket, slack). */
const FD_RESERVE = 300;

function log(message) {
  process.stderr.write(`[heartbeat-scale] ${message}\n`);
}

/** Generous per-step time limits: setup scales with the count, the rest with the heartbeat. */
function limits(opts, count) {
  const cycle = opts.interval + opts.timeout;
  return {
    setupMs: 30_000 + count * 3,
    stepMs: 15_000 + (opts.censusIntervals + opts.measureIntervals) * opts.interval * 3,
    expiryDeadlineMs: 2 * cycle + 2000,
  };
}

async function runMemory(opts) {
  log(`in memory: ${opts.connections} connections`);
  const child = startChild(script('memory-run.js'), ['--expose-gc']);
  try {
    const l = limits(opts, opts.connections);
    return await child.request(
      'run',
      {
        connections: opts.connections,
        interval: opts.interval,
        timeout: opts.timeout,
        silentEvery: opts.silentEvery,
        censusIntervals: opts.censusIntervals,
        measureIntervals: opts.measureIntervals,
      },
      l.setupMs + l.stepMs + l.expiryDeadlineMs + 10_000,
    );
  } finally {
    await child.stop();
  }
}

async function runTcp(opts, machine) {
  const cap = Math.max(0, machine.openFiles.soft - FD_RESERVE);
  const count = Number.isFinite(cap) ? Math.min(opts.tcp, cap) : opts.tcp;
  log(`TCP: ${count} connections${count < opts.tcp ? ` (capped by the open-files limit ${machine.openFiles.soft})` : ''}`);
  const l = limits(opts, count);
  const server = startChild(script('tcp-server.js'), ['--expose-gc']);
  const peers = startChild(script('tcp-peers.js'));
  try {
    const listeners = opts.tcpPorts || Math.max(1, Math.ceil(count / CONNECTIONS_PER_PORT));
    const started = await server.request('start', { interval: opts.interval, timeout: opts.timeout, listeners });
    const opened = await peers.request('open', { ports: started.ports, count, parallel: 200 }, l.setupMs);
    if (opened.opened !== count) throw new Error(`only ${opened.opened} of ${count} TCP connections opened: ${opened.failures}`);
    log(`TCP: ${count} connections open in ${opened.ms} ms`);
    const accepted = await server.request('awaitConnections', { count, timeoutMs: 10_000 }, 20_000);
    const census = await server.request(
      'census',
      { ms: opts.censusIntervals * opts.interval, samples: 2 * opts.censusIntervals },
      l.stepMs,
    );
    log(`TCP: timers alive: ${census.liveTimersMax} (scheduler: ${census.schedulerTimers})`);
    await peers.request('markPings');
    const steady = await server.request('window', { ms: opts.measureIntervals * opts.interval }, l.stepMs);
    const pings = await peers.request('pingsSinceMark');
    const { ports } = await peers.request('silence', { every: opts.silentEvery });
    const expiry = await server.request(
      'awaitSilentClosed',
      { ports, deadlineMs: l.expiryDeadlineMs, graceMs: opts.interval },
      l.expiryDeadlineMs + opts.interval + 10_000,
    );
    log(`TCP: silenced ${expiry.silent}: ${expiry.terminated1006} terminated with 1006, ${expiry.answeringClosed} answering closed`);
    const peerSide = await peers.request('closedState');
    await server.request('stop').catch(() => {});
    await peers.request('stop').catch(() => {});
    return {
      kind: 'tcp',
      connections: count,
      capped: count < opts.tcp,
      interval: opts.interval,
      timeout: opts.timeout,
      periodMs: started.periodMs,
      serverPorts: started.ports.length,
      serverOpenFiles: started.openFiles,
      setupMs: opened.ms,
      timersBeforeConnections: started.timersBefore,
      census,
      memory: accepted.memory,
      steady: { ...steady, minPingsPerConnection: pings.min, maxPingsPerConnection: pings.max },
      expiry,
      peerSide,
    };
  } finally {
    await Promise.all([server.stop(), peers.stop()]);
  }
}

/** The checks the figures exist for; an empty list means the claim holds. */
export function verdicts(result) {
  const problems = [];
  for (const r of [result.memory, result.tcp]) {
    if (!r) continue;
    const where = r.kind;
    if (r.census.schedulerTimers !== 1) problems.push(`${where}: ${r.census.schedulerTimers} scheduler timers`);
    if (r.kind === 'memory' && r.census.liveTimersMax !== 1) problems.push(`${where}: ${r.census.liveTimersMax} timers alive`);
    if (r.steady.open !== r.connections || r.steady.closed !== 0) problems.push(`${where}: ${r.steady.closed} closed while answering`);
    const e = r.expiry;
    if (e.terminated1006 !== e.silent) problems.push(`${where}: ${e.terminated1006} of ${e.silent} silent peers terminated with 1006`);
    if (e.answeringClosed !== 0) problems.push(`${where}: ${e.answeringClosed} answering peers closed`);
    if (e.answeringOpen !== r.connections - e.silent) problems.push(`${where}: ${e.answeringOpen} open, expected ${r.connections - e.silent}`);
    if (e.lastTerminationAfterMs > terminationBound(r) + terminationSlack(r)) problems.push(`${where}: termination took ${e.lastTerminationAfterMs} ms`);
    if (r.kind === 'memory' && e.peerSideMismatches !== 0) problems.push(`${where}: ${e.peerSideMismatches} peers disagree`);
    if (r.kind === 'tcp' && (r.peerSide.silentClosed !== e.silent || r.peerSide.answeringClosed !== 0)) {
      problems.push(`${where}: peer side saw ${r.peerSide.silentClosed} silent / ${r.peerSide.answeringClosed} answering closed`);
    }
  }
  return problems;
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  installCleanup();
  const deadline = setTimeout(() => {
    log(`deadline of ${opts.deadline} s passed: stopping`);
    killAll();
    process.exit(1);
  }, opts.deadline * 1000);
  deadline.unref();

  const machine = machineFacts();
  const result = { machine, options: opts, memory: null, tcp: null };
  if (opts.connections > 0) result.memory = await runMemory(opts);
  if (opts.tcp > 0) result.tcp = await runTcp(opts, machine);
  result.problems = verdicts(result);

  process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderMarkdown(result)}\n`);
  for (const p of result.problems) log(`PROBLEM: ${p}`);
  return result.problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    killAll();
    process.exitCode = code;
  },
  (error) => {
    killAll();
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exitCode = 1;
  },
);

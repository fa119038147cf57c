// Child process: N server-side WebSockets over in-memory Duplexes (no file
// descriptors), heartbeat on. Measures timers, memory, tick cost; silences
// every k-th peer and checks exactly those are terminated with 1006.
// Started by bench/heartbeat-scale.js with --expose-gc.

import { sleep, stopTimerCensus } from './timer-census.js'; // first: it must see every timer
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer } from '../../dist/index.js';
import { MemoryPeer } from './memory-socket.js';
import { HeartbeatProbe } from './heartbeat-probe.js';
import { serveRequests } from './child-rpc.js';

const EMPTY = Buffer.alloc(0);
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** What Node's HTTP parser would hand to handleUpgrade for a plain client upgrade. */
const REQUEST = Object.freeze({
  method: 'GET',
  httpVersion: '1.1',
  url: '/',
  headers: Object.freeze({
    host: 'memory.invalid',
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': KEY,
    'sec-websocket-version': '13',
  }),
  rawHeaders: Object.freeze([
    'Host', 'memory.invalid', 'Upgrade', 'websocket', 'Connection', 'Upgrade',
    'Sec-WebSocket-Key', KEY, 'Sec-WebSocket-Version', '13',
  ]),
  socket: null,
});

function perConnection(after, before, n) {
  const out = {};
  for (const k of Object.keys(after)) out[k] = Math.round((after[k] - before[k]) / n);
  return out;
}

function log(message) {
  process.stderr.write(`[memory] ${message}\n`);
}

async function run({ connections: n, interval, timeout, silentEvery, censusIntervals, measureIntervals }) {
  const wss = new WebSocketServer({ noServer: true, heartbeat: { interval, timeout } });
  const probe = new HeartbeatProbe(wss, WebSocket);
  const before = probe.memory();
  const timersBefore = probe.timerSample();

  let current = null;
  const accepted = (ws) => {
    current.ws = ws;
    probe.track(ws, current.index);
  };
  const peers = new Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const peer = new MemoryPeer(i);
    peers[i] = peer;
    current = peer;
    wss.handleUpgrade(REQUEST, peer.socket, EMPTY, accepted);
    if (peer.ws === null) throw new Error(`connection ${i} was not accepted synchronously`);
    if ((i & 1023) === 1023) await new Promise(setImmediate);
  }
  await new Promise(setImmediate);
  const setupMs = performance.now() - t0;
  const notOpen = peers.filter((p) => !p.open || p.error !== null);
  if (notOpen.length > 0) throw new Error(`${notOpen.length} peers did not complete the handshake: ${notOpen[0].error}`);
  log(`${n} connections open in ${Math.round(setupMs)} ms`);
  const after = probe.memory();

  const census = await probe.census(censusIntervals * interval, 2 * censusIntervals);
  stopTimerCensus();
  log(`timers alive: ${census.liveTimersMax} (scheduler: ${census.schedulerTimers})`);

  const pingsBefore = Uint32Array.from(peers, (p) => p.pings);
  const steady = await probe.window(measureIntervals * interval);
  let minPings = Infinity;
  let maxPings = 0;
  for (let i = 0; i < n; i++) {
    const d = peers[i].pings - pingsBefore[i];
    if (d < minPings) minPings = d;
    if (d > maxPings) maxPings = d;
  }
  const openAfterWindow = probe.openCount;
  const closedInWindow = probe.closeCount;
  log(`steady window: ${openAfterWindow}/${n} open, ${closedInWindow} closed, ${minPings}-${maxPings} pings each`);

  const silent = new Set();
  for (let i = 0; i < n; i += silentEvery) {
    peers[i].answering = false;
    silent.add(i);
  }
  const since = performance.now();
  probe.ticks = [];
  probe.recording = true;
  const expiry = await probe.awaitSilentClosed(silent, since, 2 * (interval + timeout) + 2000, interval);
  probe.recording = false;
  expiry.ticks = probe.tickSummary();
  // The peer side agrees: the server destroyed exactly the silent peers' sockets.
  let peerMismatch = 0;
  for (const p of peers) if (p.serverDestroyed !== silent.has(p.index)) peerMismatch++;
  expiry.peerSideMismatches = peerMismatch;
  log(`silenced ${silent.size}: ${expiry.terminated1006} terminated with 1006, ${expiry.answeringClosed} answering closed`);

  const result = {
    kind: 'memory',
    connections: n,
    interval,
    timeout,
    periodMs: probe.period,
    setupMs: Math.round(setupMs),
    timersBeforeConnections: timersBefore.live.map((t) => t.name ?? 'unknown'),
    census,
    memory: { before, after, perConnection: perConnection(after, before, n) },
    steady: { ...steady, open: openAfterWindow, closed: closedInWindow, minPingsPerConnection: minPings, maxPingsPerConnection: maxPings },
    expiry,
  };

  for (const ws of wss.clients) ws.terminate();
  wss.close();
  await sleep(50);
  // What the stand-ins cost by themselves (Duplex + peer, no WebSocket): heap only,
  // RSS does not shrink back after the run above.
  peers.length = 0;
  const bare0 = probe.memory();
  const bare = Array.from({ length: n }, (_, i) => new MemoryPeer(i));
  const bare1 = probe.memory();
  result.memory.standInHeapPerConnection = Math.round((bare1.heapUsed - bare0.heapUsed) / bare.length);
  return result;
}

serveRequests({ run });

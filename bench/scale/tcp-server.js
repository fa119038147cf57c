// Child process: a wsx WebSocketServer on 127.0.0.1 with heartbeats, driven
// step by step by bench/heartbeat-scale.js (start, wait for the peers,
// census, steady window, expiry). Started with --expose-gc.
//
// One http.Server (given to the WebSocketServer as `server`) takes
// connections from several listening ports: on Linux, connect() looks for a
// free ephemeral port among the even ones first, and past ~14 000
// connections to one address and port it scans the whole range on every
// connect, so the peers spread their connections over a few ports.

import { sleep, stopTimerCensus } from './timer-census.js'; // first: it must see every timer
import { createServer } from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer } from '../../dist/index.js';
import { HeartbeatProbe } from './heartbeat-probe.js';
import { serveRequests } from './child-rpc.js';
import { openFilesLimit } from './machine-facts.js';

let wss = null;
let httpServer = null;
let extraListeners = [];
let probe = null;
let before = null;

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => resolve(server.address().port));
  });
}

serveRequests({
  async start({ interval, timeout, listeners }) {
    httpServer = createServer();
    wss = new WebSocketServer({ server: httpServer, heartbeat: { interval, timeout } });
    const ports = [await listen(httpServer)];
    // More ports, same HTTP server: their sockets are handed to it as Node's own listener would.
    const hand = (socket) => httpServer.emit('connection', socket);
    for (let i = 1; i < listeners; i++) {
      const extra = net.createServer(hand);
      extraListeners.push(extra);
      ports.push(await listen(extra));
    }
    probe = new HeartbeatProbe(wss, WebSocket, httpServer);
    // Both ports name a connection on both sides (one peer port may serve two server ports).
    wss.on('connection', (ws, req) => probe.track(ws, `${req.socket.remotePort}>${req.socket.localPort}`));
    before = probe.memory();
    return { ports, periodMs: probe.period, openFiles: openFilesLimit(), timersBefore: probe.timerSample().live.map((t) => t.name ?? 'unknown') };
  },

  async awaitConnections({ count, timeoutMs }) {
    const stopAt = performance.now() + timeoutMs;
    while (probe.ids.size < count && performance.now() < stopAt) await sleep(20);
    const after = probe.memory();
    const perConnection = {};
    for (const k of Object.keys(after)) perConnection[k] = Math.round((after[k] - before[k]) / probe.ids.size);
    return { accepted: probe.ids.size, open: probe.openCount, memory: { before, after, perConnection } };
  },

  async census({ ms, samples }) {
    const result = await probe.census(ms, samples);
    stopTimerCensus();
    return result;
  },

  async window({ ms }) {
    const steady = await probe.window(ms);
    return { ...steady, open: probe.openCount, closed: probe.closeCount };
  },

  async awaitSilentClosed({ ports, deadlineMs, graceMs }) {
    const since = performance.now();
    probe.ticks = [];
    probe.recording = true;
    const expiry = await probe.awaitSilentClosed(new Set(ports), since, deadlineMs, graceMs);
    probe.recording = false;
    expiry.ticks = probe.tickSummary();
    return expiry;
  },

  async stop() {
    for (const ws of wss.clients) ws.terminate();
    await wss.close({ timeout: 100 }).catch(() => {});
    for (const l of extraListeners) l.close();
    httpServer.close();
    return true;
  },
});

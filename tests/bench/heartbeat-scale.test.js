// Smoke run of bench/heartbeat-scale.js (issue 6: heartbeats cost one timer, not one per
// connection) with small counts: 300 in-memory connections and 100 over TCP. Asserts the
// claim the full-size run reports: one scheduler timer whatever the count, every answering
// peer kept, exactly the silent ones terminated with 1006. Plus exact checks of the two
// instruments the figures rest on: the timer census and the peers' frame scanner.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveTimers, stopTimerCensus, activeTimeoutResources } from '../../bench/scale/timer-census.js';
import { EMPTY_PONG, ServerFrameScanner, pongFor } from '../../bench/scale/server-frame-scanner.js';
import { renderMarkdown } from '../../bench/scale/report.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCRIPT = path.join(repoRoot, 'bench', 'heartbeat-scale.js');

function runScale(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`heartbeat-scale.js did not finish within ${timeoutMs} ms\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('the timer census sees unref\'d timers, which getActiveResourcesInfo() does not', () => {
  const before = liveTimers().length;
  const refBefore = activeTimeoutResources();
  const timers = Array.from({ length: 5 }, () => setInterval(() => {}, 60_000).unref());
  const named = setTimeout(() => {}, 60_000).unref();
  try {
    const live = liveTimers((t) => (t === named ? 'the named one' : null));
    assert.equal(live.length - before, 6);
    assert.equal(activeTimeoutResources() - refBefore, 0, 'unref\'d timers are invisible to the public API');
    assert.equal(live.filter((t) => t.name === 'the named one').length, 1);
    assert.equal(live.filter((t) => t.repeat && t.ms === 60_000).length, 5);
  } finally {
    for (const t of timers) clearInterval(t);
    clearTimeout(named);
  }
  assert.equal(liveTimers().length, before, 'cleared timers leave the census');
  stopTimerCensus();
});

test('ServerFrameScanner finds pings (with their payloads) and closes, split at every byte', () => {
  const frame = (opcode, payload) => {
    const len = payload.length;
    const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
    const head = Buffer.alloc(2 + ext);
    head[0] = 0x80 | opcode;
    head[1] = ext === 0 ? len : ext === 2 ? 126 : 127;
    if (ext === 2) head.writeUInt16BE(len, 2);
    if (ext === 8) head.writeUInt32BE(len, 6);
    return Buffer.concat([head, payload]);
  };
  const stream = Buffer.concat([
    frame(0x9, Buffer.alloc(0)),
    frame(0x2, Buffer.alloc(300, 0x99)), // a data frame whose payload looks like pings
    frame(0x9, Buffer.from('abc')),
    frame(0x1, Buffer.alloc(70_000, 0x89)),
    frame(0xa, Buffer.from('x')), // a pong: ignored
    frame(0x8, Buffer.from([0x03, 0xe8])),
  ]);
  for (let cut = 0; cut <= stream.length; cut += cut < 400 ? 1 : 4999) {
    const seen = [];
    const sink = { onPing: (p) => seen.push(`ping:${p.toString()}`), onCloseFrame: () => seen.push('close') };
    const scanner = new ServerFrameScanner();
    scanner.feed(stream, 0, cut, sink);
    scanner.feed(stream, cut, stream.length, sink);
    assert.deepEqual(seen, ['ping:', 'ping:abc', 'close'], `cut at ${cut}`);
    assert.equal(scanner.pings, 2);
  }
  // Masked pongs echo the ping's payload (RFC 6455 5.5.3).
  assert.deepEqual([...EMPTY_PONG], [0x8a, 0x80, 0x37, 0xfa, 0x21, 0x3d]);
  const pong = pongFor(Buffer.from('abc'));
  assert.deepEqual([...pong.subarray(0, 2)], [0x8a, 0x83]);
  assert.deepEqual([...pong.subarray(6)].map((b, i) => b ^ pong[2 + (i & 3)]), [...Buffer.from('abc')]);
});

test('heartbeat-scale: one scheduler timer, answering peers kept, silent ones terminated with 1006', async () => {
  const { code, stdout, stderr } = await runScale(
    ['--connections', '300', '--tcp', '100', '--tcp-ports', '2', '--interval', '200', '--timeout', '800', '--measure-intervals', '4', '--json'],
    60_000,
  );
  assert.equal(code, 0, stderr.slice(-3000));
  const result = JSON.parse(stdout);
  assert.deepEqual(result.problems, []);

  for (const [r, n, silent] of [
    [result.memory, 300, 30],
    [result.tcp, 100, 10],
  ]) {
    assert.equal(r.connections, n);
    // The scheduler starts its timer with the first connection (and stops it after the last).
    assert.deepEqual(r.timersBeforeConnections, r.kind === 'memory' ? [] : ["Node http server's connectionsCheckingInterval"]);
    assert.equal(r.census.schedulerTimers, 1, `${r.kind}: exactly the scheduler's timer`);
    // Nothing else of wsx's: in memory there is no HTTP server at all; over TCP the
    // only other timer is Node's own one-per-server request-timeout check.
    if (r.kind === 'memory') assert.equal(r.census.liveTimersMax, 1);
    else assert.deepEqual(r.census.otherTimers.map((t) => t.name), ["Node http server's connectionsCheckingInterval"]);
    assert.equal(r.steady.open, n, `${r.kind}: every answering peer open after the steady window`);
    assert.equal(r.steady.closed, 0);
    assert.ok(r.steady.minPingsPerConnection >= 2, `${r.kind}: pinged and answered repeatedly (${r.steady.minPingsPerConnection})`);
    assert.ok(r.steady.ticks.pingsSent >= 2 * n);
    assert.equal(r.expiry.silent, silent);
    assert.equal(r.expiry.terminated1006, silent, `${r.kind}: every silent peer terminated with 1006`);
    assert.equal(r.expiry.otherCode, 0);
    assert.equal(r.expiry.stillOpen, 0);
    assert.equal(r.expiry.answeringClosed, 0, `${r.kind}: no answering peer closed`);
    assert.equal(r.expiry.answeringOpen, n - silent);
    assert.equal(r.expiry.reasons.length, 1);
    assert.match(r.expiry.reasons[0], /stopped answering/);
    assert.equal(r.expiry.ticks.maxExpiredInOneTick > 0, true);
  }
  assert.equal(result.memory.expiry.peerSideMismatches, 0);
  assert.deepEqual(result.tcp.peerSide, { silentClosed: 10, answeringClosed: 0, open: 90 });
  assert.equal(result.tcp.serverPorts, 2, 'the peers spread over two server ports');

  const md = renderMarkdown(result);
  assert.match(md, /\| timers alive \(all, unref'd too; max of the samples\) \| \*\*1\*\*: 1 heartbeat scheduler \| \*\*2\*\*: 1 heartbeat scheduler;/);
  assert.match(md, /\| silent peers terminated with 1006 \| 30 \/ 30 \| 10 \/ 10 \|/);
  assert.match(md, /\| connections \| 300 \| 100 \(over 2 server ports\) \|/);
});

// Smoke run of the benchmark harness (bench/run.js --smoke): every scenario runs end to end
// against a real server and the report comes out. Numbers are not asserted, only that each
// scenario produced one for every target, plus exact checks of the load generator's reply
// counter, which every benchmark number depends on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import http2 from 'node:http2';
import { FrameCounter } from '../../bench/load/frame-counter.js';
import { encodeMaskedFrame, repeatFrame, textPayload } from '../../bench/load/client-frames.js';
import { H2SessionPool } from '../../bench/load/h2-load-session.js';
import { OncePerTurn } from '../../bench/load/once-per-turn.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUN = path.join(repoRoot, 'bench', 'run.js');
const SCENARIOS = ['echo-16b', 'echo-1k-text', 'echo-64k', 'echo-1m', 'echo-1k-h2', 'latency-64b', 'connect', 'broadcast'];
/** The HTTP/2 scenario runs its own targets (HTTP/2 ones beside wsx and raw over HTTP/1.1); the others never run those. */
const H2_SCENARIO = 'echo-1k-h2';
const H2_SCENARIO_TARGETS = ['wsx-h2', 'wsx', 'raw-h2', 'raw'];
const H2_TARGETS = ['wsx-h2', 'raw-h2'];
/** Targets that run in one scenario only: Node's http.Server answering upgrades by hand, in connect. */
const ONLY_IN = { 'http-floor': 'connect' };

function runBench(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench/run.js ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** An unmasked server frame (what servers send), for the counter tests. */
function serverFrame(opcode, payload, fin = true) {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext);
  head[0] = (fin ? 0x80 : 0) | opcode;
  if (ext === 0) head[1] = len;
  else if (ext === 2) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeUInt32BE(0, 2);
    head.writeUInt32BE(len, 6);
  }
  return Buffer.concat([head, payload]);
}

test('FrameCounter counts messages split at every byte position', () => {
  const stream = Buffer.concat([
    serverFrame(2, Buffer.alloc(16, 1)),
    serverFrame(9, Buffer.from('hi')), // ping: not a message
    serverFrame(1, Buffer.alloc(200, 0x61), false), // fragmented text: one message
    serverFrame(0, Buffer.alloc(70000, 0x62), true),
    encodeMaskedFrame(2, Buffer.alloc(16, 2)), // masked (the raw echo returns client frames)
    serverFrame(2, Buffer.alloc(0)),
  ]);
  for (let cut = 0; cut <= stream.length; cut += cut < 300 ? 1 : 997) {
    const c = new FrameCounter();
    const n = c.feed(stream, 0, cut) + c.feed(stream, cut, stream.length);
    assert.equal(n, 4, `cut at ${cut}`);
    assert.equal(c.messages, 4);
    assert.equal(c.controlFrames, 1);
    assert.equal(c.payloadBytes, 16 + 200 + 70000 + 16);
  }
  // One byte at a time.
  const c = new FrameCounter();
  let n = 0;
  for (let i = 0; i < stream.length; i++) n += c.feed(stream, i, i + 1);
  assert.equal(n, 4);
});

test('FrameCounter flags replies of the wrong type or length and close frames', () => {
  const c = new FrameCounter();
  c.expectedOpcode = 1;
  c.expectedLength = 1024;
  const text = textPayload(1024);
  assert.equal(text.length, 1024);
  assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(text).length > 0, true);
  const stream = Buffer.concat([serverFrame(1, text), serverFrame(2, text), serverFrame(1, text.subarray(1)), serverFrame(8, Buffer.from([0x03, 0xe8]))]);
  assert.equal(c.feed(stream, 0, stream.length), 3);
  assert.equal(c.unexpected, 2);
  assert.equal(c.closeFrames, 1);
});

test('repeatFrame lays frames back to back', () => {
  const f = encodeMaskedFrame(2, Buffer.from([1, 2, 3]));
  assert.deepEqual([...f], [0x82, 0x83, 0x37, 0xfa, 0x21, 0x3d, 1 ^ 0x37, 2 ^ 0xfa, 3 ^ 0x21]);
  const r = repeatFrame(f, 3);
  assert.equal(r.length, 27);
  assert.deepEqual(r.subarray(18), f);
});

test('OncePerTurn answers each connection once per event-loop turn with everything it owed', async () => {
  const calls = [];
  const batcher = new OncePerTurn((conn, n) => calls.push([conn.id, n]));
  const a = { id: 'a', owed: 0, queued: false };
  const b = { id: 'b', owed: 0, queued: false };
  batcher.add(a, 3);
  batcher.add(b, 1);
  batcher.add(a, 2);
  assert.deepEqual(calls, []); // nothing before the turn ends
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls, [
    ['a', 5],
    ['b', 1],
  ]);
  assert.equal(a.owed, 0);
  assert.equal(a.queued, false);
  // The next turn starts from zero and reuses the lists.
  batcher.add(b, 4);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls.slice(2), [['b', 4]]);
});

/** Starts one of bench/servers/ and resolves with its port once it printed its ready line. */
function startBenchServer(script) {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bench', 'servers', script)], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${script} exited (${code})`)));
    child.stdout.setEncoding('utf8').on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve({ child, port: JSON.parse(out.slice(0, nl)).port });
    });
  });
}

function stopBenchServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.stdin.end('exit\n');
  });
}

/** Waits until `predicate()` holds, polling; fails after `ms`. */
async function until(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('HTTP/2 load streams count exactly the frames the raw h2 echo returns', { timeout: 20_000 }, async () => {
  const { child, port } = await startBenchServer('raw-h2-echo.js');
  let pool;
  try {
    pool = await H2SessionPool.open(port, 2);
    const text = textPayload(1024);
    const frame = encodeMaskedFrame(1, text);
    const counts = [0, 0, 0];
    const streams = [0, 1, 2].map((i) => pool.stream(i, '/', (_c, n) => (counts[i] += n)));
    await Promise.all(streams.map((s) => s.ready));
    // Streams 0 and 2 share session 0; 1 is on session 1.
    assert.equal(streams[0].stream.session, pool.sessions[0]);
    assert.equal(streams[1].stream.session, pool.sessions[1]);
    assert.equal(streams[2].stream.session, pool.sessions[0]);
    const sent = [5, 1, 17];
    for (let i = 0; i < 3; i++) streams[i].write(repeatFrame(frame, sent[i]));
    await until(() => counts.every((n, i) => n >= sent[i]), 10_000, 'the echoes');
    for (let i = 0; i < 3; i++) {
      const c = streams[i].counter;
      assert.equal(counts[i], sent[i]);
      assert.equal(c.messages, sent[i]);
      assert.equal(c.payloadBytes, sent[i] * 1024);
      assert.equal(c.controlFrames, 0);
      assert.equal(streams[i].error, null);
    }
    for (const s of streams) s.destroy();
  } finally {
    pool?.destroy();
    await stopBenchServer(child);
  }
});

test('HTTP/2 load refuses a server without extended CONNECT and a non-200 answer', { timeout: 20_000 }, async () => {
  const server = http2.createServer(); // enableConnectProtocol not advertised
  server.on('stream', (stream) => stream.respond({ ':status': 404 }, { endStream: true }));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  try {
    await assert.rejects(H2SessionPool.open(port, 1), /did not advertise SETTINGS_ENABLE_CONNECT_PROTOCOL/);
    server.updateSettings({ enableConnectProtocol: true });
    const pool = await H2SessionPool.open(port, 1);
    const s = pool.stream(0, '/', () => assert.fail('no messages expected'));
    await assert.rejects(s.ready, /extended CONNECT refused: :status 404/);
    pool.destroy();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('bench --help prints the usage', async () => {
  const { code, stdout } = await runBench(['--help'], 20_000);
  assert.equal(code, 0);
  assert.match(stdout, /--quick/);
  assert.match(stdout, /--json/);
});

test('bench rejects an unknown scenario', async () => {
  const { code, stderr } = await runBench(['--only', 'nope'], 20_000);
  assert.notEqual(code, 0);
  assert.match(stderr, /unknown scenario nope/);
});

test('smoke run: every scenario runs and reports a table and JSON', { timeout: 120_000 }, async () => {
  // wsx when it is built, else ws, beside the raw limit: both sides of every scenario
  // (over HTTP/2 too: wsx-h2 and raw-h2 for the HTTP/2 scenario).
  const built = existsSync(path.join(repoRoot, 'dist', 'index.js'));
  const subject = built ? 'wsx' : 'ws';
  const targets = built ? 'wsx,raw,http-floor,wsx-h2,raw-h2' : 'ws,raw,http-floor,raw-h2';
  const { code, stdout, stderr } = await runBench(['--smoke', '--json', '--targets', targets], 110_000);
  assert.equal(code, 0, stderr.slice(-3000));
  const doc = JSON.parse(stdout);
  assert.deepEqual(Object.keys(doc.scenarios), SCENARIOS);
  const usable = doc.targets.filter((t) => !t.skipped).map((t) => t.name);
  assert.ok(usable.includes('raw'));
  assert.ok(usable.includes('raw-h2'));
  assert.ok(usable.includes('http-floor'));
  for (const name of SCENARIOS) {
    const s = doc.scenarios[name];
    const expected =
      name === H2_SCENARIO
        ? usable.filter((t) => H2_SCENARIO_TARGETS.includes(t))
        : usable.filter((t) => !H2_TARGETS.includes(t) && (ONLY_IN[t] ?? name) === name);
    assert.deepEqual(Object.keys(s.rows).sort(), [...expected].sort(), `${name}: rows`);
    for (const target of expected) {
      const row = s.rows[target];
      assert.ok(row, `${name}: no row for ${target}`);
      assert.equal(row.okRuns, 1, `${name} on ${target} failed: ${row.errors.join('; ')}`);
      // Present, but not necessarily > 0: on a busy machine a 150 ms window may see no reply
      // (and JSON turns NaN into null).
      const main = s.columns[0].key;
      assert.ok(main in row, `${name} on ${target}: no ${main}`);
      assert.ok(row[main] === null || typeof row[main] === 'number');
    }
  }
  // Over HTTP/2 every stream opened and every reply had the right type and length.
  for (const target of usable.filter((t) => H2_SCENARIO_TARGETS.includes(t))) {
    assert.deepEqual(doc.scenarios[H2_SCENARIO].rows[target].problems, [], `${H2_SCENARIO} on ${target}`);
  }
  // The human-readable tables went to stderr (stdout holds the JSON).
  for (const name of SCENARIOS) assert.ok(stderr.includes(`### ${name}:`), `no table for ${name}`);
  assert.ok(stderr.includes('| target | messages/s | MB/s |'));
  assert.ok(stderr.includes('| raw http2 (h2 limit) |'));
  assert.ok(stderr.includes('| http.Server upgrade (API floor) |'));
  assert.ok(stderr.includes('Load generator vs. the limit: against raw http2 the load used'));
  assert.ok(stderr.includes('> ws and Bun.serve have no rows here: neither serves WebSockets over HTTP/2'));
  if (built) {
    assert.ok(stderr.includes('| wsx over h2c |'));
    assert.ok(stderr.includes('| wsx over HTTP/1.1 |'));
    assert.match(stderr, /wsx-h2\/wsx-h1\.1 \*\*[0-9.]+×\*\*, wsx-h2\/limit-h2 \*\*[0-9.]+×\*\*/);
  }
  // The other scenarios keep their own ratio labels.
  assert.match(stderr, /wsx\/limit \*\*[0-9.]+×\*\*/);
  assert.ok(doc.micro.length > 0);
  assert.ok(stderr.includes('### micro: mask/unmask in place'));
});

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
import { FrameCounter } from '../../bench/load/frame-counter.js';
import { encodeMaskedFrame, repeatFrame, textPayload } from '../../bench/load/client-frames.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUN = path.join(repoRoot, 'bench', 'run.js');
const SCENARIOS = ['echo-16b', 'echo-1k-text', 'echo-64k', 'echo-1m', 'latency-64b', 'connect', 'broadcast'];

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
  // wsx when it is built, else ws, beside the raw limit: both sides of every scenario.
  const subject = existsSync(path.join(repoRoot, 'dist', 'index.js')) ? 'wsx' : 'ws';
  const { code, stdout, stderr } = await runBench(['--smoke', '--json', '--targets', `${subject},raw`], 110_000);
  assert.equal(code, 0, stderr.slice(-3000));
  const doc = JSON.parse(stdout);
  assert.deepEqual(Object.keys(doc.scenarios), SCENARIOS);
  const usable = doc.targets.filter((t) => !t.skipped).map((t) => t.name);
  assert.ok(usable.includes('raw'));
  for (const name of SCENARIOS) {
    const s = doc.scenarios[name];
    for (const target of usable) {
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
  // The human-readable tables went to stderr (stdout holds the JSON).
  for (const name of SCENARIOS) assert.ok(stderr.includes(`### ${name}:`), `no table for ${name}`);
  assert.ok(stderr.includes('| target | messages/s | MB/s |'));
  assert.ok(doc.micro.length > 0);
  assert.ok(stderr.includes('### micro: mask/unmask in place'));
});

// `wsx bench` with tiny counts against `wsx serve` (echo), and against
// peers that misbehave.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { startServe, runCli, killAllCli } from '../helpers/cli-process.js';

const TEST_TIMEOUT = 20_000;

describe('wsx bench', { timeout: 60_000 }, () => {
  let server;
  before(async () => {
    server = await startServe(['--port', '0']);
  });
  after(killAllCli);

  test('--messages bounds the run exactly; --json gives the summary as one object', { timeout: TEST_TIMEOUT }, async () => {
    const result = await runCli(['bench', server.url, '-c', '3', '-P', '4', '-s', '100', '-n', '60', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const s = JSON.parse(lines[0]);
    assert.equal(s.url, server.url);
    assert.equal(s.connections, 3);
    assert.equal(s.connectionsOpened, 3);
    assert.equal(s.size, 100);
    assert.equal(s.pipeline, 4);
    assert.equal(s.binary, false);
    assert.equal(s.messageLimit, 60);
    assert.equal(s.duration, null);
    assert.equal(s.messages, 60);
    assert.equal(s.bytes, 6000);
    assert.equal(s.errors, 0);
    assert.deepEqual(s.errorSamples, []);
    assert.ok(s.elapsedSeconds > 0);
    assert.ok(s.messagesPerSecond > 0);
    assert.ok(Math.abs(s.megabytesPerSecond - (s.bytes / s.elapsedSeconds) / 1e6) < 0.01);
    const l = s.latencyMs;
    assert.ok(l.p50 > 0 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.max, JSON.stringify(l));
    assert.equal(result.stderr, '', 'no progress line when stderr is not a terminal');
  });

  test('--duration and --binary; the human summary names the numbers', { timeout: TEST_TIMEOUT }, async () => {
    const result = await runCli(['bench', server.url, '-d', '0.3', '-b', '-s', '32']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines[0], `wsx bench ${server.url}`);
    assert.equal(lines[1], '  1/1 connections, 32-byte binary messages, pipeline 1, 0.3 s');
    assert.match(lines[2], /^ {2}round trips {2}[\d,]+ in \d+\.\d\d s = [\d,]+ msg\/s$/);
    assert.match(lines[3], /^ {2}throughput {3}\d+\.\d\d MB\/s each way$/);
    assert.match(lines[4], /^ {2}latency {6}p50 [\d.]+ ms {3}p90 [\d.]+ ms {3}p99 [\d.]+ ms {3}max [\d.]+ ms$/);
    assert.equal(lines.length, 5);
  });

  test('a server that cannot be reached: exit 1', { timeout: TEST_TIMEOUT }, async () => {
    const probe = createServer();
    await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    await new Promise((resolve) => probe.close(resolve));
    const result = await runCli(['bench', `ws://127.0.0.1:${port}`, '-c', '2', '-n', '5']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /ECONNREFUSED/);
    assert.match(result.stderr, /error: none of the 2 connections opened/);
  });

  test('replies of the wrong size are counted as errors', { timeout: TEST_TIMEOUT }, async () => {
    const wss = await new Promise((resolve) => {
      const s = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    wss.on('connection', (ws) => ws.on('message', () => ws.send('short')));
    try {
      const result = await runCli(['bench', `ws://127.0.0.1:${wss.address().port}`, '-n', '3', '-s', '10', '--json']);
      assert.equal(result.code, 0, result.stderr);
      const s = JSON.parse(result.stdout);
      assert.equal(s.messages, 3);
      assert.equal(s.errors, 3);
      assert.deepEqual(s.errorSamples, Array(3).fill('a reply of 5 bytes to a 10-byte message'));
    } finally {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  });

  test('bad numbers are usage errors', { timeout: TEST_TIMEOUT }, async () => {
    for (const args of [['-c', '0'], ['-d', '0'], ['-d', '1e3'], ['-s', '-1'], ['-P', 'x']]) {
      const result = await runCli(['bench', server.url, ...args]);
      assert.equal(result.code, 2, args.join(' '));
    }
  });
});

// `wsx serve` driven as a child process; the clients are the `ws` package
// and plain HTTP requests, so a failure points at the CLI's server.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { startServe, runCli, killAllCli } from '../helpers/cli-process.js';

const TEST_TIMEOUT = 20_000;
const CHAT_DIR = new URL('../../examples/chat/', import.meta.url);

/** Opens a ws client; resolves once open. Messages are queued on `ws.inbox`. */
function connect(url, options = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
    ws.inbox = [];
    ws.waiters = [];
    ws.on('message', (data, isBinary) => {
      ws.inbox.push({ data: Buffer.from(data), isBinary });
      for (const wake of ws.waiters.splice(0)) wake();
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** The next message of `ws` (bounded). */
async function nextMessage(ws, ms = 5000) {
  const deadline = Date.now() + ms;
  while (ws.inbox.length === 0) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('no message');
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, left);
      ws.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return ws.inbox.shift();
}

function closed(ws, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no close')), ms);
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

/** A plain HTTP request: { status, headers, body }. */
function httpGet(port, path, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The HTTP status a handshake to `url` gets refused with. */
function refusedStatus(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (req, res) => {
      resolve(res.statusCode);
      req.destroy();
    });
    ws.on('open', () => reject(new Error('the handshake succeeded')));
    ws.on('error', () => {});
  });
}

describe('wsx serve', { timeout: 60_000 }, () => {
  after(killAllCli);

  test('echoes text and binary messages by default; logs connections and closes', { timeout: TEST_TIMEOUT }, async () => {
    const server = await startServe(['--port', '0']);
    assert.match(server.stdout, /^WebSocket echo server on ws:\/\/127\.0\.0\.1:\d+\/\n$/);
    const ws = await connect(server.url);
    ws.send('héllo');
    ws.send(Buffer.from([0, 1, 2, 255]));
    assert.deepEqual(await nextMessage(ws), { data: Buffer.from('héllo'), isBinary: false });
    assert.deepEqual(await nextMessage(ws), { data: Buffer.from([0, 1, 2, 255]), isBinary: true });
    ws.close(4000, 'bye');
    await closed(ws);
    await server.waitFor('stderr', /#1 closed 4000 PRIVATE_USE "bye" \(0 open\)/);
    assert.match(server.stderr, /\+ #1 127\.0\.0\.1:\d+ connected \(path \/; 1 open\)/);
    server.child.kill('SIGTERM');
    assert.equal((await server.exit()).code, 0);
  });

  test('--broadcast sends every message to every other client, not back to its sender', { timeout: TEST_TIMEOUT }, async () => {
    const server = await startServe(['--broadcast', '--port', '0']);
    assert.match(server.stdout, /WebSocket broadcast server on ws:/);
    const [a, b, c] = await Promise.all([connect(server.url), connect(server.url), connect(server.url)]);
    a.send('from a');
    assert.equal(String((await nextMessage(b)).data), 'from a');
    assert.equal(String((await nextMessage(c)).data), 'from a');
    b.send(Buffer.from([7, 7]));
    // a's first message is b's: its own was not sent back.
    assert.deepEqual(await nextMessage(a), { data: Buffer.from([7, 7]), isBinary: true });
    assert.deepEqual(await nextMessage(c), { data: Buffer.from([7, 7]), isBinary: true });
    assert.equal(b.inbox.length, 0);
    server.child.kill('SIGTERM');
    await server.exit();
  });

  test('Ctrl-C / SIGTERM closes every client with 1001 and exits 0', { timeout: TEST_TIMEOUT }, async () => {
    const server = await startServe(['--port', '0']);
    const [a, b] = await Promise.all([connect(server.url), connect(server.url)]);
    const closes = Promise.all([closed(a), closed(b)]);
    server.child.kill('SIGINT');
    assert.deepEqual(await closes, [
      { code: 1001, reason: 'server shutting down' },
      { code: 1001, reason: 'server shutting down' },
    ]);
    const result = await server.exit();
    assert.equal(result.code, 0);
    assert.match(result.stderr, /shutting down: closing 2 connection\(s\) with 1001/);
  });

  test('--static serves the directory on the same port, and nothing outside it', { timeout: TEST_TIMEOUT }, async () => {
    const server = await startServe(['--static', 'examples/chat', '--port', '0']);
    assert.match(server.stdout, /^Serving examples\/chat on http:\/\/127\.0\.0\.1:\d+\/\nWebSocket echo server on ws:/);
    const port = server.port;

    const index = await httpGet(port, '/');
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.deepEqual(index.body, readFileSync(new URL('index.html', CHAT_DIR)));
    const script = await httpGet(port, '/chat.js?v=1');
    assert.equal(script.status, 200);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(script.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(script.body, readFileSync(new URL('chat.js', CHAT_DIR)));
    const head = await httpGet(port, '/chat.css', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers['content-length']), readFileSync(new URL('chat.css', CHAT_DIR)).length);
    assert.equal(head.body.length, 0);

    for (const path of ['/../../package.json', '/%2e%2e/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/%5c..%5cpackage.json', '/.hidden', '/missing.html', '/%zz', '/a%00b']) {
      assert.equal((await httpGet(port, path)).status, 404, path);
    }
    const post = await httpGet(port, '/', 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');

    const ws = await connect(server.url);
    ws.send('still a websocket');
    assert.equal(String((await nextMessage(ws)).data), 'still a websocket');
    ws.close();
    server.child.kill('SIGTERM');
    await server.exit();
  });

  test('without --static a plain HTTP request gets 426; --path limits the upgrades', { timeout: TEST_TIMEOUT }, async () => {
    const server = await startServe(['--path', '/ws', '--port', '0']);
    assert.equal(new URL(server.url).pathname, '/ws');
    const plain = await httpGet(server.port, '/');
    assert.equal(plain.status, 426);
    assert.equal(plain.headers.upgrade, 'websocket');
    assert.equal(String(plain.body), `This port speaks WebSocket: try  wsx connect ${server.url}\n`);
    assert.equal(await refusedStatus(`ws://127.0.0.1:${server.port}/other`), 400);
    const ws = await connect(server.url);
    ws.close();
    server.child.kill('SIGTERM');
    await server.exit();
  });

  test('--heartbeat drops a client that stops answering pings', { timeout: TEST_TIMEOUT }, async () => {
    const server = await startServe(['--heartbeat', '100', '--port', '0']);
    const lively = await connect(server.url);
    const silent = await connect(server.url, { autoPong: false });
    let pings = 0;
    lively.on('ping', () => pings++);
    assert.equal((await closed(silent, 5000)).code, 1006);
    await server.waitFor('stderr', /#2 did not answer pings: terminated/);
    assert.equal(lively.readyState, WebSocket.OPEN);
    assert.ok(pings >= 1);
    lively.close();
    server.child.kill('SIGTERM');
    await server.exit();
  });

  test('--max-payload closes with 1009 on a larger message', { timeout: TEST_TIMEOUT }, async () => {
    const server = await startServe(['--max-payload', '16', '--port', '0']);
    const ws = await connect(server.url);
    ws.send('x'.repeat(16));
    assert.equal(String((await nextMessage(ws)).data), 'x'.repeat(16));
    ws.send('x'.repeat(17));
    assert.equal((await closed(ws)).code, 1009);
    server.child.kill('SIGTERM');
    await server.exit();
  });

  test('a port in use exits 1 with a hint; bad options exit 2', { timeout: TEST_TIMEOUT }, async () => {
    const blocker = createServer();
    await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = String(blocker.address().port);
      const busy = await runCli(['serve', '--port', port]);
      assert.equal(busy.code, 1);
      assert.match(busy.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*--port 0 picks a free one`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    assert.equal((await runCli(['serve', '--echo', '--broadcast'])).code, 2);
    assert.equal((await runCli(['serve', '--port', '70000'])).code, 2);
    assert.equal((await runCli(['serve', '--port', 'abc'])).code, 2);
    assert.equal((await runCli(['serve', '--tls-cert', 'x.pem'])).code, 2);
    assert.equal((await runCli(['serve', '--path', 'ws'])).code, 2);
  });
});

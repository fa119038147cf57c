// `wsx serve --auth user:password` (HTTP Basic, RFC 7617) with `ws` and plain
// HTTP as clients, and `wsx connect --auth` / `wsx bench --auth` against it.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import http2 from 'node:http2';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { startServe, runCli, killAllCli } from '../helpers/cli-process.js';

const TEST_TIMEOUT = 20_000;
const basic = (userPassword) => `Basic ${Buffer.from(userPassword, 'utf8').toString('base64')}`;

/** How a handshake to `url` ends: { open: true } or { status, headers } of the refusal. */
function handshake(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.on('unexpected-response', (req, res) => {
      resolve({ status: res.statusCode, headers: res.headers });
      req.destroy();
    });
    ws.on('open', () => {
      ws.on('message', (data) => {
        ws.close();
        resolve({ open: true, echoed: data.toString() });
      });
      ws.send('hi');
    });
    ws.on('error', (error) => reject(error));
  });
}

function httpGet(port, urlPath, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('wsx serve --auth', { timeout: 90_000 }, () => {
  after(killAllCli);

  test('upgrades need the user and password: 401 with a Basic challenge otherwise', { timeout: TEST_TIMEOUT }, async () => {
    const server = await startServe(['--port', '0', '--auth', 'alice:s3cret pass']);
    const port = server.port;
    for (const headers of [
      {},
      { Authorization: basic('alice:wrong') },
      { Authorization: basic('alice:s3cret pas') }, // one byte short
      { Authorization: basic('alice:s3cret passs') }, // one byte more
      { Authorization: basic('bob:s3cret pass') },
      { Authorization: 'Bearer alice:s3cret pass' },
      { Authorization: 'Basic' },
      { Authorization: 'Basic !!!not-base64' },
    ]) {
      const result = await handshake(`ws://127.0.0.1:${port}/`, headers);
      assert.equal(result.status, 401, JSON.stringify(headers));
      assert.equal(result.headers['www-authenticate'], 'Basic realm="wsx", charset="UTF-8"');
    }
    assert.deepEqual(await handshake(`ws://127.0.0.1:${port}/`, { Authorization: basic('alice:s3cret pass') }), { open: true, echoed: 'hi' });
    // The scheme is case-insensitive (RFC 7617 2), and credentials in the URL work as in ws.
    assert.deepEqual(await handshake(`ws://127.0.0.1:${port}/`, { Authorization: basic('alice:s3cret pass').replace('Basic', 'bAsIc') }), {
      open: true,
      echoed: 'hi',
    });
    assert.deepEqual(await handshake(`ws://alice:s3cret%20pass@127.0.0.1:${port}/`), { open: true, echoed: 'hi' });
    server.child.kill('SIGTERM');
    assert.equal((await server.exit()).code, 0);
  });

  test('with --static the files need the credentials too', { timeout: TEST_TIMEOUT }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wsx-auth-'));
    writeFileSync(path.join(dir, 'index.html'), '<p>private</p>');
    const server = await startServe(['--port', '0', '--static', dir, '--auth', 'ü:пароль']);
    const refused = await httpGet(server.port, '/index.html');
    assert.equal(refused.status, 401);
    assert.equal(refused.headers['www-authenticate'], 'Basic realm="wsx", charset="UTF-8"');
    assert.doesNotMatch(refused.body, /private/);
    const served = await httpGet(server.port, '/index.html', { Authorization: basic('ü:пароль') });
    assert.equal(served.status, 200);
    assert.equal(served.body, '<p>private</p>');
    server.child.kill('SIGTERM');
    await server.exit();
  });

  test('over HTTP/2 (h2c) the extended CONNECT gets the same 401', { timeout: TEST_TIMEOUT }, async () => {
    const server = await startServe(['--port', '0', '--http2', '--auth', 'alice:pw']);
    const session = http2.connect(`http://127.0.0.1:${server.port}`);
    await new Promise((resolve) => session.once('remoteSettings', resolve));
    const stream = session.request(
      { ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'http', ':path': '/', 'sec-websocket-version': '13' },
      { endStream: false },
    );
    const headers = await new Promise((resolve) => stream.once('response', resolve));
    assert.equal(headers[':status'], 401);
    assert.equal(headers['www-authenticate'], 'Basic realm="wsx", charset="UTF-8"');
    stream.close();
    session.close();
    const ok = await runCli(['connect', '--http2', '--auth', 'alice:pw', '-x', 'over h2', `ws://127.0.0.1:${server.port}/`]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /< over h2/);
    server.child.kill('SIGTERM');
    await server.exit();
  });

  test('wsx connect --auth and wsx bench --auth present the credentials; a wrong password exits with the 401', { timeout: TEST_TIMEOUT }, async () => {
    const server = await startServe(['--port', '0', '--auth', 'alice:pw']);
    const ok = await runCli(['connect', '--auth', 'alice:pw', '-x', 'hello', server.url]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /< hello/);
    const wrong = await runCli(['connect', '--auth', 'alice:nope', '-x', 'hello', server.url]);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /401/);
    const bench = await runCli(['bench', '--auth', 'alice:pw', '-n', '20', '--json', server.url]);
    assert.equal(bench.code, 0, bench.stderr);
    assert.equal(JSON.parse(bench.stdout).messages, 20);
    server.child.kill('SIGTERM');
    await server.exit();
  });

  test('bad --auth values are usage errors', { timeout: TEST_TIMEOUT }, async () => {
    for (const [args, message] of [
      [['serve', '--port', '0', '--auth', 'nocolon'], /--auth needs 'user:password' with a non-empty user/],
      [['serve', '--port', '0', '--auth', ':pw'], /--auth needs 'user:password' with a non-empty user/],
      [['serve', '--port', '0', '--auth', 'a:b\u0001'], /cannot contain control characters/],
      [['connect', '--auth', 'a:b', '-H', 'authorization: Basic x', 'ws://127.0.0.1:1/'], /choose one of --auth and -H Authorization/],
    ]) {
      const result = await runCli(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });
});

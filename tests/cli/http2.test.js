// `wsx serve --http2` and `wsx connect --http2` (RFC 8441) as real processes
// on 127.0.0.1: HTTP/2 over TLS with HTTP/1.1 on the same port, cleartext
// h2c, the fallback to HTTP/1.1 against a server without HTTP/2, shutdown,
// bench over one session, the errors for unusable certificate files, and
// headless Chromium (Debian package chromium) loading a page and opening its
// WebSocket over HTTP/2 from `wsx serve --http2 --static`.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import https from 'node:https';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServe, startCli, runCli, killAllCli, jsonLines } from '../helpers/cli-process.js';
import { TEST_CERT, TEST_KEY } from '../helpers/http2-fixtures.js';
import { chromiumMissing, SYSTEM_CHROMIUM } from '../helpers/peers.js';

const TEST_TIMEOUT = 20_000;
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--ignore-certificate-errors',
];

/** The events of a --json run as [event, direction, data] triples. */
function eventTriples(stdout) {
  return jsonLines(stdout).map((e) => [e.event, e.direction, e.data]);
}

/** One request over HTTP/2 (h2 with the test CA, or h2c): { status, headers, body }. */
async function http2Get(origin, path) {
  const session = http2.connect(origin, { ca: TEST_CERT });
  session.on('error', () => {});
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no HTTP/2 answer from ${origin}${path}`)), 5000);
      const stream = session.request({ ':path': path });
      const chunks = [];
      let headers;
      stream.on('response', (h) => (headers = h));
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('end', () => {
        clearTimeout(timer);
        resolve({ status: headers[':status'], headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      stream.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } finally {
    session.close();
  }
}

/** One HTTPS request forced to HTTP/1.1 (ALPN http/1.1 only): { status, httpVersion, body }. */
function https1Get(port, path) {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port, path, ca: TEST_CERT, agent: false, ALPNProtocols: ['http/1.1'], timeout: 5000 },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, httpVersion: res.httpVersion, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no HTTP/1.1 answer')));
    req.on('error', reject);
  });
}

/** Stops a server process with SIGTERM and waits (bounded) for it. */
async function stop(server) {
  server.child.kill('SIGTERM');
  return server.exit(10_000);
}

describe('wsx serve/connect --http2', { timeout: 120_000 }, () => {
  let dir;
  let cert;
  let key;
  let site;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'wsx-cli-http2-'));
    cert = join(dir, 'cert.pem');
    key = join(dir, 'key.pem');
    writeFileSync(cert, TEST_CERT);
    writeFileSync(key, TEST_KEY);
    site = join(dir, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'index.html'), '<p>over h2</p>\n');
  });

  after(() => {
    killAllCli();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('HTTP/2 over TLS with HTTP/1.1 on the same port', () => {
    let server;

    before(async () => {
      server = await startServe(['--http2', '--cert', cert, '--key', key, '--static', site, '--port', '0']);
    });
    after(() => killAllCli());

    test('the startup lines name both versions', () => {
      assert.match(
        server.stdout,
        /^Serving \S+ on https:\/\/127\.0\.0\.1:(\d+)\/ over HTTP\/2 and HTTP\/1\.1\nWebSocket echo server on wss:\/\/127\.0\.0\.1:\1\/ over HTTP\/2 and HTTP\/1\.1\n$/,
      );
    });

    test('connect --http2 --insecure echoes over HTTP/2, and both sides say so', { timeout: TEST_TIMEOUT }, async () => {
      const result = await runCli(['connect', '--http2', '--insecure', server.url, '-x', 'over h2', '--wait', '300']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        result.stdout.split('\n').filter(Boolean).map((line) => line.replace(/^\d\d:\d\d:\d\d\.\d{3} /, '')),
        ['> over h2', '< over h2'],
      );
      assert.match(result.stderr, /^Connected to wss:\/\/127\.0\.0\.1:\d+\/ over HTTP\/2$/m);
      assert.doesNotMatch(result.stderr, /fell back/);
      const [, id] = await server.waitFor('stderr', /\+ #(\d+) 127\.0\.0\.1:\d+ connected \(HTTP\/2, path \/; 1 open\)/);
      await server.waitFor('stderr', new RegExp(`- #${id} closed 1000 NORMAL_CLOSURE`));
    });

    test('connect --http2 --ca trusts the certificate; --json reports httpVersion "2"', { timeout: TEST_TIMEOUT }, async () => {
      const result = await runCli(['connect', '--http2', '--ca', cert, server.url, '-x', 'trusted', '--json', '--wait', '300']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(eventTriples(result.stdout), [
        ['open', undefined, undefined],
        ['message', 'out', 'trusted'],
        ['message', 'in', 'trusted'],
        ['close', undefined, undefined],
      ]);
      assert.equal(jsonLines(result.stdout)[0].httpVersion, '2');
      assert.equal(result.stderr, '');
    });

    test('without --http2 the same port takes an HTTP/1.1 upgrade', { timeout: TEST_TIMEOUT }, async () => {
      const result = await runCli(['connect', '-k', server.url, '-x', 'over 1.1', '--json', '--wait', '300']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(jsonLines(result.stdout)[0].httpVersion, '1.1');
      assert.deepEqual(eventTriples(result.stdout)[2], ['message', 'in', 'over 1.1']);
      await server.waitFor('stderr', /connected \(HTTP\/1\.1, path \/; 1 open\)/);
    });

    test('without --insecure or --ca the self-signed certificate is refused: exit 1 with the hint', { timeout: TEST_TIMEOUT }, async () => {
      const result = await runCli(['connect', '--http2', server.url, '-x', 'never']);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^error: self[- ]signed certificate \(trust the certificate with --ca <file>, or skip verification with -k\)$/m);
    });

    test('--static files go out over HTTP/2 and over HTTP/1.1', { timeout: TEST_TIMEOUT }, async () => {
      const origin = `https://127.0.0.1:${server.port}`;
      const h2 = await http2Get(origin, '/');
      assert.equal(h2.status, 200);
      assert.equal(h2.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(h2.body, '<p>over h2</p>\n');
      assert.equal((await http2Get(origin, '/missing.html')).status, 404);
      const h1 = await https1Get(server.port, '/');
      assert.deepEqual(h1, { status: 200, httpVersion: '1.1', body: '<p>over h2</p>\n' });
    });

    test('Chromium loads the page over h2 and opens its WebSocket as an HTTP/2 stream', { timeout: 40_000, skip: chromiumMissing() ?? false }, async () => {
      const browser = await chromium.launch({ executablePath: SYSTEM_CHROMIUM, args: CHROMIUM_ARGS, timeout: 20_000 });
      try {
        const page = await browser.newPage();
        const before = server.stderr.length;
        await page.goto(`https://127.0.0.1:${server.port}/`, { timeout: 10_000 });
        const result = await page.evaluate(
          (url) =>
            new Promise((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error('no echo within 5 s')), 5000);
              const ws = new WebSocket(url);
              ws.onopen = () => ws.send('from chromium');
              ws.onmessage = (event) => ws.close(1000, String(event.data));
              ws.onerror = () => reject(new Error('WebSocket error'));
              ws.onclose = (event) => {
                clearTimeout(timer);
                resolve({
                  code: event.code,
                  reason: event.reason,
                  pageProtocol: performance.getEntriesByType('navigation')[0].nextHopProtocol,
                });
              };
            }),
          server.url,
        );
        assert.deepEqual(result, { code: 1000, reason: 'from chromium', pageProtocol: 'h2' });
        await server.waitFor('stderr', /closed 1000 NORMAL_CLOSURE "from chromium"/);
        assert.match(server.stderr.slice(before), /connected \(HTTP\/2, path \/; 1 open\)/);
      } finally {
        await browser.close();
      }
    });
  });

  describe('cleartext h2c', () => {
    let server;

    before(async () => {
      server = await startServe(['--http2', '--port', '0']);
    });
    after(() => killAllCli());

    test('the startup lines say h2c and who cannot connect', async () => {
      assert.match(server.stdout, /^WebSocket echo server on ws:\/\/127\.0\.0\.1:\d+\/ over HTTP\/2 cleartext \(h2c\)\n$/);
      await server.waitFor('stderr', /h2c: only HTTP\/2 clients with prior knowledge can connect .*browsers and HTTP\/1\.1 clients cannot/);
    });

    test('connect --http2 echoes over h2c; the server logs HTTP/2', { timeout: TEST_TIMEOUT }, async () => {
      const result = await runCli(['connect', '--http2', server.url, '-x', 'h2c', '-x', 'twice', '--json', '--wait', '300']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(eventTriples(result.stdout), [
        ['open', undefined, undefined],
        ['message', 'out', 'h2c'],
        ['message', 'out', 'twice'],
        ['message', 'in', 'h2c'],
        ['message', 'in', 'twice'],
        ['close', undefined, undefined],
      ]);
      assert.equal(jsonLines(result.stdout)[0].httpVersion, '2');
      await server.waitFor('stderr', /connected \(HTTP\/2, path \/; 1 open\)/);
    });

    test('connect without --http2 fails with a hint to add it', { timeout: TEST_TIMEOUT }, async () => {
      const result = await runCli(['connect', server.url, '-x', 'no']);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^error: .*\(the server did not answer in HTTP\/1\.1; if it speaks only HTTP\/2, as an h2c server does, add --http2\)$/m);
    });

    test('a plain HTTP/2 request gets 426 without HTTP/1.1 headers, and a hint naming --http2', { timeout: TEST_TIMEOUT }, async () => {
      const answer = await http2Get(`http://127.0.0.1:${server.port}`, '/');
      assert.equal(answer.status, 426);
      assert.equal(answer.headers['sec-websocket-version'], '13');
      assert.equal(answer.headers.upgrade, undefined);
      assert.equal(answer.body, `This port speaks WebSocket: try  wsx connect --http2 ${server.url}\n`);
    });

    test('bench --http2 runs every connection on one HTTP/2 session', { timeout: TEST_TIMEOUT }, async () => {
      const before = server.stderr.length;
      const result = await runCli(['bench', '--http2', server.url, '-c', '3', '-n', '300', '--json']);
      assert.equal(result.code, 0, result.stderr);
      const summary = JSON.parse(result.stdout);
      assert.equal(summary.messages, 300);
      assert.equal(summary.connectionsOpened, 3);
      assert.equal(summary.errors, 0);
      assert.equal(result.stderr, '');
      await server.waitFor('stderr', /connected \(HTTP\/2, path \/; 3 open\)/);
      const peers = new Set(
        [...server.stderr.slice(before).matchAll(/127\.0\.0\.1:(\d+) connected \(HTTP\/2/g)].map((m) => m[1]),
      );
      assert.equal(peers.size, 1, 'one client port: one session');
    });

    test('Ctrl-C closes an HTTP/2 WebSocket with 1001 and both processes exit 0', { timeout: TEST_TIMEOUT }, async () => {
      const own = await startServe(['--http2', '--port', '0']);
      const client = startCli(['connect', '--http2', own.url, '--wait', 'forever', '--json'], { keepStdin: true });
      await own.waitFor('stderr', /connected \(HTTP\/2, path \/; 1 open\)/);
      own.child.kill('SIGINT');
      const clientResult = await client.exit(10_000);
      assert.equal(clientResult.code, 0, clientResult.stderr);
      const close = jsonLines(clientResult.stdout).at(-1);
      assert.deepEqual([close.event, close.code, close.reason], ['close', 1001, 'server shutting down']);
      const serverResult = await own.exit(10_000);
      assert.equal(serverResult.code, 0);
      assert.match(serverResult.stderr, /shutting down: closing 1 connection\(s\) with 1001/);
    });
  });

  describe('fallback to HTTP/1.1', () => {
    test('connect --http2 to an HTTP/1.1-only ws:// server upgrades over HTTP/1.1 and says so', { timeout: TEST_TIMEOUT }, async () => {
      const server = await startServe(['--port', '0']);
      try {
        const result = await runCli(['connect', '--http2', server.url, '-x', 'plain', '--wait', '300']);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /< plain$/m);
        assert.match(result.stderr, /^Connected to ws:\/\/127\.0\.0\.1:\d+\/ over HTTP\/1\.1$/m);
        assert.match(result.stderr, /^the server does not take WebSockets over HTTP\/2: fell back to HTTP\/1\.1$/m);
        // Without --http2 the server does not log versions: they are all HTTP/1.1.
        await server.waitFor('stderr', /connected \(path \/; 1 open\)/);
      } finally {
        await stop(server);
      }
    });

    test('connect --http2 to an HTTPS server without h2 does the same, with a JSON notice', { timeout: TEST_TIMEOUT }, async () => {
      const server = await startServe(['--tls-cert', cert, '--tls-key', key, '--port', '0']);
      try {
        const result = await runCli(['connect', '--http2', '--ca', cert, server.url, '-x', 'tls', '--json', '--wait', '300']);
        assert.equal(result.code, 0, result.stderr);
        const events = jsonLines(result.stdout);
        assert.deepEqual(
          events.map((e) => [e.event, e.httpVersion ?? e.direction, e.data ?? e.message]),
          [
            ['open', '1.1', undefined],
            ['notice', undefined, 'the server does not take WebSockets over HTTP/2: fell back to HTTP/1.1'],
            ['message', 'out', 'tls'],
            ['message', 'in', 'tls'],
            ['close', undefined, undefined],
          ],
        );
      } finally {
        await stop(server);
      }
    });
  });

  describe('certificate errors', () => {
    test('a missing --cert file: a usage error naming the option and the file, exit 2', { timeout: TEST_TIMEOUT }, async () => {
      const missing = join(dir, 'missing.pem');
      const result = await runCli(['serve', '--http2', '--cert', missing, '--key', key, '--port', '0']);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr, `wsx serve: --cert: cannot read ${missing} (ENOENT)\nRun 'wsx serve --help' for the options.\n`);
    });

    test('a file that is not a certificate: exit 2 with the reason, not a crash', { timeout: TEST_TIMEOUT }, async () => {
      const garbage = join(dir, 'garbage.pem');
      writeFileSync(garbage, 'not a certificate\n');
      const result = await runCli(['serve', '--http2', '--tls-cert', garbage, '--tls-key', key, '--port', '0']);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^wsx serve: the TLS certificate and key are not usable \(.+\)\nRun 'wsx serve --help' for the options\.\n$/);
    });

    test('--cert without --key, and both spellings of one option, are usage errors', { timeout: TEST_TIMEOUT }, async () => {
      const lonely = await runCli(['serve', '--http2', '--cert', cert, '--port', '0']);
      assert.equal(lonely.code, 2);
      assert.match(lonely.stderr, /^wsx serve: --tls-cert and --tls-key \(or --cert and --key\) go together\n/);
      const twice = await runCli(['serve', '--http2', '--cert', cert, '--tls-cert', cert, '--key', key, '--port', '0']);
      assert.equal(twice.code, 2);
      assert.match(twice.stderr, /^wsx serve: --cert is another name for --tls-cert: give one of them\n/);
    });
  });

  test('a refusal over HTTP/2 exits 1 and shows the HTTP status and body', { timeout: TEST_TIMEOUT }, async () => {
    const server = http2.createServer({ settings: { enableConnectProtocol: true } });
    server.on('stream', (stream) => {
      stream.respond({ ':status': 403, 'content-type': 'text/plain' });
      stream.end('go away: no token\nsecond line');
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${server.address().port}/`;
    try {
      const human = await runCli(['connect', '--http2', url, '-x', 'never sent']);
      assert.equal(human.code, 1);
      assert.equal(human.stdout, '');
      assert.equal(human.stderr, 'error: the server refused the WebSocket handshake: HTTP 403 Forbidden\n  go away: no token\n  second line\n');
      const json = await runCli(['connect', '--http2', url, '--json']);
      assert.equal(json.code, 1);
      const [event, ...rest] = jsonLines(json.stdout);
      assert.deepEqual(rest, []);
      assert.equal(event.event, 'error');
      assert.equal(event.status, 403);
      assert.equal(event.body, 'go away: no token\nsecond line');
      assert.equal(event.headers['content-type'], 'text/plain');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('the help of connect, serve and bench tells about --http2', { timeout: TEST_TIMEOUT }, async () => {
    const connect = await runCli(['connect', '--help']);
    assert.match(connect.stdout, /--http2 +open the WebSocket as an HTTP\/2 stream \(RFC 8441\)/);
    assert.match(connect.stdout, /ws:\/\/ tries cleartext h2c/);
    const serve = await runCli(['serve', '--help']);
    assert.match(serve.stdout, /--http2 +serve WebSockets over HTTP\/2 streams/);
    assert.match(serve.stdout, /cleartext h2c only/);
    const bench = await runCli(['bench', '--help']);
    assert.match(bench.stdout, /--handshake-timeout, --http2\) work here too/);
  });
});

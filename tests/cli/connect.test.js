// `wsx connect` driven as a child process against peers written with the
// `ws` package (an independent implementation), so a failure points at the CLI.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { CLI, runCli, startCli, killAllCli, jsonLines } from '../helpers/cli-process.js';

const TEST_TIMEOUT = 20_000;

/** A ws server on 127.0.0.1:0 whose connections are handed to `onConnection`; records what it receives. */
function startPeer(onConnection = () => {}, options = {}) {
  return new Promise((resolve) => {
    const received = [];
    const closes = [];
    const requests = [];
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, ...options }, () => {
      resolve({ wss, url: `ws://127.0.0.1:${wss.address().port}`, received, closes, requests });
    });
    wss.on('connection', (ws, req) => {
      requests.push(req);
      ws.on('message', (data, isBinary) => received.push({ data: Buffer.from(data), isBinary }));
      ws.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }));
      onConnection(ws, req);
    });
  });
}

const echo = (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));

function closeServer(wss) {
  for (const client of wss.clients) client.terminate();
  return new Promise((resolve) => wss.close(() => resolve()));
}

/** Output lines without their HH:MM:SS.mmm time stamp. */
function untimed(stdout) {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^\d\d:\d\d:\d\d\.\d\d\d /, ''));
}

describe('wsx connect', { timeout: 60_000 }, () => {
  let peer;
  before(async () => {
    peer = await startPeer(echo);
  });
  after(async () => {
    killAllCli();
    await closeServer(peer.wss);
  });

  test('-x sends each message, prints the replies during --wait, closes with 1000, exits 0', { timeout: TEST_TIMEOUT }, async () => {
    const before = peer.received.length;
    const result = await runCli(['connect', peer.url, '-x', 'hello', '-x', 'wörld', '--wait', '300']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(untimed(result.stdout), ['> hello', '> wörld', '< hello', '< wörld']);
    assert.deepEqual(
      peer.received.slice(before).map((m) => [m.data.toString(), m.isBinary]),
      [
        ['hello', false],
        ['wörld', false],
      ],
    );
    assert.match(result.stderr, /Connected to ws:\/\/127\.0\.0\.1:\d+\//);
    assert.match(result.stderr, /Disconnected: 1000 NORMAL_CLOSURE/);
    assert.deepEqual(peer.closes.at(-1), { code: 1000, reason: '' });
  });

  test('--json prints one event object per line', { timeout: TEST_TIMEOUT }, async () => {
    const result = await runCli(['connect', peer.url, '-x', 'one', '--json', '--wait', '300']);
    assert.equal(result.code, 0, result.stderr);
    const events = jsonLines(result.stdout);
    assert.deepEqual(
      events.map((e) => [e.event, e.direction, e.type, e.data]),
      [
        ['open', undefined, undefined, undefined],
        ['message', 'out', 'text', 'one'],
        ['message', 'in', 'text', 'one'],
        ['close', undefined, undefined, undefined],
      ],
    );
    assert.match(events[0].url, /^ws:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(events[0].protocol, '');
    assert.equal(events[3].code, 1000);
    assert.equal(events[3].name, 'NORMAL_CLOSURE');
    for (const e of events) assert.ok(!Number.isNaN(Date.parse(e.time)), `time of ${e.event}`);
    assert.equal(result.stderr, '', 'nothing for people on stderr in --json mode');
  });

  test('reads messages from a stdin pipe, one per line', { timeout: TEST_TIMEOUT }, async () => {
    const before = peer.received.length;
    const result = await runCli(['connect', peer.url, '--wait', '300'], { input: 'hi\nthere\r\n\nlast' });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      peer.received.slice(before).map((m) => m.data.toString()),
      ['hi', 'there', '', 'last'],
    );
    assert.deepEqual(
      untimed(result.stdout).filter((l) => l.startsWith('<')),
      ['< hi', '< there', '< ', '< last'],
    );
  });

  test('an empty pipe connects, waits and closes normally', { timeout: TEST_TIMEOUT }, async () => {
    const result = await runCli(['connect', peer.url, '--wait', '0']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
  });

  test("'host:port' without a scheme means ws://", { timeout: TEST_TIMEOUT }, async () => {
    const result = await runCli(['connect', peer.url.slice('ws://'.length), '-x', 'x', '--wait', '200', '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(jsonLines(result.stdout)[0].url, `${peer.url}/`);
  });
});

describe('wsx connect: what it shows', { timeout: 60_000 }, () => {
  after(killAllCli);

  test('binary messages as size and a hex/ASCII preview; binary in --json as base64', { timeout: TEST_TIMEOUT }, async () => {
    const bytes = Buffer.concat([Buffer.from('ABC'), Buffer.from([0, 1, 2, 0xff]), Buffer.alloc(80, 0x61)]);
    const peer = await startPeer((ws) => ws.send(bytes, { binary: true }));
    try {
      const human = await runCli(['connect', peer.url, '--wait', '300']);
      assert.equal(human.code, 0, human.stderr);
      assert.deepEqual(untimed(human.stdout), [
        '< [binary, 87 bytes]',
        '    00000000  41 42 43 00 01 02 ff 61  61 61 61 61 61 61 61 61  |ABC....aaaaaaaaa|',
        '    00000010  61 61 61 61 61 61 61 61  61 61 61 61 61 61 61 61  |aaaaaaaaaaaaaaaa|',
        '    00000020  61 61 61 61 61 61 61 61  61 61 61 61 61 61 61 61  |aaaaaaaaaaaaaaaa|',
        '    00000030  61 61 61 61 61 61 61 61  61 61 61 61 61 61 61 61  |aaaaaaaaaaaaaaaa|',
        '    … 23 more bytes',
      ]);
      const json = await runCli(['connect', peer.url, '--wait', '300', '--json']);
      const message = jsonLines(json.stdout).find((e) => e.event === 'message');
      assert.equal(message.type, 'binary');
      assert.equal(message.size, 87);
      assert.deepEqual(Buffer.from(message.base64, 'base64'), bytes);
    } finally {
      await closeServer(peer.wss);
    }
  });

  test('terminal control sequences from the peer are neutralized', { timeout: TEST_TIMEOUT }, async () => {
    const peer = await startPeer((ws) => ws.send('\x1b[2J\x1b]0;pwned\x07red\rX'));
    try {
      const result = await runCli(['connect', peer.url, '--wait', '300']);
      assert.deepEqual(untimed(result.stdout), ['< \\x1b[2J\\x1b]0;pwned\\x07red\\x0dX']);
      assert.ok(!result.stdout.includes('\x1b'));
    } finally {
      await closeServer(peer.wss);
    }
  });

  test('-H, -p and -o reach the server; the chosen subprotocol is reported', { timeout: TEST_TIMEOUT }, async () => {
    const peer = await startPeer(() => {}, { handleProtocols: (protocols) => (protocols.has('chat.v2') ? 'chat.v2' : false) });
    try {
      const result = await runCli([
        'connect', peer.url,
        '-H', 'X-Token: abc 123', '--header=X-Empty:', '-p', 'chat.v1', '-p', 'chat.v2',
        '-o', 'http://example.test', '--json', '--wait', '0',
      ]);
      assert.equal(result.code, 0, result.stderr);
      const req = peer.requests[0];
      assert.equal(req.headers['x-token'], 'abc 123');
      assert.equal(req.headers['x-empty'], '');
      assert.equal(req.headers['sec-websocket-protocol'], 'chat.v1, chat.v2');
      assert.equal(req.headers.origin, 'http://example.test');
      assert.equal(jsonLines(result.stdout)[0].protocol, 'chat.v2');
    } finally {
      await closeServer(peer.wss);
    }
  });

  test('--ping-interval pings the server; --show-ping-pong reports the pongs', { timeout: TEST_TIMEOUT }, async () => {
    let pings = 0;
    const peer = await startPeer((ws) => ws.on('ping', () => pings++));
    try {
      const result = await runCli(['connect', peer.url, '--ping-interval', '50', '--show-ping-pong', '--json', '--wait', '400']);
      assert.equal(result.code, 0, result.stderr);
      const events = jsonLines(result.stdout);
      const sent = events.filter((e) => e.event === 'ping' && e.direction === 'out').length;
      const pongs = events.filter((e) => e.event === 'pong' && e.direction === 'in').length;
      assert.ok(sent >= 1, 'at least one ping in 400 ms at 50 ms intervals');
      assert.equal(pings, sent, 'the server saw every ping');
      assert.ok(pongs >= 1 && pongs <= sent);
    } finally {
      await closeServer(peer.wss);
    }
  });

  test('--compress against a server without permessage-deflate is reported as a notice', { timeout: TEST_TIMEOUT }, async () => {
    const peer = await startPeer(echo, { perMessageDeflate: false });
    try {
      const result = await runCli(['connect', peer.url, '--compress', '--json', '-x', 'z', '--wait', '200']);
      assert.equal(result.code, 0, result.stderr);
      const events = jsonLines(result.stdout);
      assert.equal(events[0].extensions, '');
      assert.deepEqual(
        events.filter((e) => e.event === 'notice').map((e) => e.message),
        ['the server declined permessage-deflate: messages go uncompressed'],
      );
    } finally {
      await closeServer(peer.wss);
    }
  });

  test(
    '--compress offers permessage-deflate and runs compressed when the server accepts',
    { timeout: TEST_TIMEOUT },
    async () => {
      const peer = await startPeer(echo, { perMessageDeflate: { threshold: 0 } });
      try {
        const result = await runCli(['connect', peer.url, '--compress', '--json', '-x', 'zzzzzzzz', '--wait', '300']);
        assert.equal(result.code, 0, result.stderr);
        assert.match(peer.requests[0].headers['sec-websocket-extensions'] ?? '', /^permessage-deflate/);
        const events = jsonLines(result.stdout);
        assert.match(events[0].extensions, /^permessage-deflate/);
        assert.deepEqual(events.filter((e) => e.event === 'notice'), []);
        assert.deepEqual(
          events.filter((e) => e.event === 'message').map((e) => [e.direction, e.data]),
          [['out', 'zzzzzzzz'], ['in', 'zzzzzzzz']],
        );
      } finally {
        await closeServer(peer.wss);
      }
    },
  );
});

describe('wsx connect: exit codes', { timeout: 60_000 }, () => {
  after(killAllCli);

  test('a refused handshake exits 1 and shows the HTTP status and body', { timeout: TEST_TIMEOUT }, async () => {
    const http = createServer((req, res) => res.end());
    http.on('upgrade', (req, socket) => {
      const body = 'go away: no token\nsecond line';
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${http.address().port}/`;
    try {
      const human = await runCli(['connect', url, '-x', 'never sent']);
      assert.equal(human.code, 1);
      assert.equal(human.stdout, '');
      assert.equal(
        human.stderr,
        'error: the server refused the WebSocket handshake: HTTP 403 Forbidden\n  go away: no token\n  second line\n',
      );

      const json = await runCli(['connect', url, '--json']);
      assert.equal(json.code, 1);
      const [event, ...rest] = jsonLines(json.stdout);
      assert.deepEqual(rest, []);
      assert.equal(event.event, 'error');
      assert.equal(event.status, 403);
      assert.equal(event.statusText, 'Forbidden');
      assert.equal(event.body, 'go away: no token\nsecond line');
      assert.equal(event.headers['content-type'], 'text/plain');
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  test('a refused TCP connection exits 1 with the reason', { timeout: TEST_TIMEOUT }, async () => {
    // A port that was just free: listen, note it, close.
    const probe = createServer();
    await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    await new Promise((resolve) => probe.close(resolve));
    const result = await runCli(['connect', `ws://127.0.0.1:${port}`, '-x', 'x']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: .*ECONNREFUSED/m);
  });

  test('a close by the server with 1000 exits 0; with an error code exits 3', { timeout: TEST_TIMEOUT }, async () => {
    const peer = await startPeer((ws) => {
      ws.on('message', (data) => {
        const [code, reason] = String(data).split(' ');
        ws.close(Number(code), reason);
      });
    });
    try {
      const normal = await runCli(['connect', peer.url, '-x', '1000 bye', '--wait', 'forever']);
      assert.equal(normal.code, 0, normal.stderr);
      assert.match(normal.stderr, /Disconnected: 1000 NORMAL_CLOSURE "bye"/);

      const policy = await runCli(['connect', peer.url, '-x', '4001 nope', '--wait', 'forever', '--json']);
      assert.equal(policy.code, 3);
      const close = jsonLines(policy.stdout).at(-1);
      assert.deepEqual([close.event, close.code, close.name, close.reason], ['close', 4001, 'PRIVATE_USE', 'nope']);
    } finally {
      await closeServer(peer.wss);
    }
  });

  test('a message over --max-payload closes with 1009 and exits 3', { timeout: TEST_TIMEOUT }, async () => {
    const peer = await startPeer((ws) => ws.send('x'.repeat(100)));
    try {
      const result = await runCli(['connect', peer.url, '--max-payload', '10', '--wait', 'forever']);
      assert.equal(result.code, 3);
      assert.match(result.stderr, /Disconnected: 1009 MESSAGE_TOO_BIG/);
      assert.equal(result.stdout, '');
    } finally {
      await closeServer(peer.wss);
    }
  });

  test('a wrong command line exits 2 with a hint', { timeout: TEST_TIMEOUT }, async () => {
    const noUrl = await runCli(['connect']);
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /^wsx connect: wsx connect needs exactly one URL/);
    assert.match(noUrl.stderr, /Run 'wsx connect --help' for the options\./);

    const badHeader = await runCli(['connect', 'ws://127.0.0.1:1', '-H', 'no colon']);
    assert.equal(badHeader.code, 2);
    assert.match(badHeader.stderr, /-H needs 'Name: value', got 'no colon'/);

    const typo = await runCli(['connect', 'ws://127.0.0.1:1', '--jsn']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown option --jsn \(did you mean --json\?\)/);

    const badWait = await runCli(['connect', 'ws://127.0.0.1:1', '--wait', '1s']);
    assert.equal(badWait.code, 2);

    const badUrl = await runCli(['connect', 'http://']);
    assert.equal(badUrl.code, 2);
  });
});

/** Resolves once `condition()` is true; rejects after `ms`. */
async function until(condition, ms, what) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const SCRIPT = '/usr/bin/script';

describe('wsx connect: interactive', { timeout: 30_000 }, () => {
  // Interactive mode needs a terminal on stdin: util-linux's `script` runs
  // the CLI on a pseudo-terminal and forwards what the test writes to it.
  after(killAllCli);

  test(
    'slash commands on a terminal: text, //, /ping, /binary, /file, unknown, /close',
    { timeout: TEST_TIMEOUT, skip: existsSync(SCRIPT) ? false : `${SCRIPT} not found: install Debian package bsdutils` },
    async () => {
      const pings = [];
      const peer = await startPeer((ws) => ws.on('ping', (data) => pings.push(data.toString())));
      const dir = mkdtempSync(join(tmpdir(), 'wsx-cli-'));
      const file = join(dir, 'payload.bin');
      writeFileSync(file, Buffer.from([0xca, 0xfe, 0x00, 0x7f]));
      const child = spawn(SCRIPT, ['-qfec', `${process.execPath} ${CLI} connect ${peer.url} --no-color`, '/dev/null'], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '' },
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
      const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        await until(() => output.includes('/help lists the commands'), 10_000, 'the prompt');
        child.stdin.write('hello\n//slash\n/ping abc\n/binary de ad 41\n');
        await until(() => peer.received.length === 3 && pings.length === 1, 5000, 'three messages and a ping');
        child.stdin.write(`/file ${file}\n/bogus\n`);
        await until(() => peer.received.length === 4, 5000, 'the file');
        child.stdin.write('/close 4000 done\n');
        assert.equal(await exited, 0, output);
        assert.deepEqual(
          peer.received.map((m) => [m.data.toString('hex'), m.isBinary]),
          [
            [Buffer.from('hello').toString('hex'), false],
            [Buffer.from('/slash').toString('hex'), false],
            ['dead41', true],
            ['cafe007f', true],
          ],
        );
        assert.deepEqual(pings, ['abc']);
        assert.deepEqual(peer.closes, [{ code: 4000, reason: 'done' }]);
        assert.match(output, /error: unknown command \/bogus/);
        assert.match(output, /sent .*payload\.bin \(4 bytes\)/);
      } finally {
        child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        await closeServer(peer.wss);
      }
    },
  );

  test('lines from a pipe that start with / are sent verbatim', { timeout: TEST_TIMEOUT }, async () => {
    const peer = await startPeer(echo);
    try {
      const result = await runCli(['connect', peer.url, '--wait', '200'], { input: '/close 4000\n/quit\n' });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        peer.received.map((m) => m.data.toString()),
        ['/close 4000', '/quit'],
      );
    } finally {
      await closeServer(peer.wss);
    }
  });

  test('SIGINT closes the connection with 1000 and exits 0', { timeout: TEST_TIMEOUT }, async () => {
    const peer = await startPeer(echo);
    try {
      const cli = startCli(['connect', peer.url, '--wait', 'forever']);
      await cli.waitFor('stderr', /Connected to/);
      cli.child.kill('SIGINT');
      const result = await cli.exit();
      assert.equal(result.code, 0, result.stderr);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(peer.closes, [{ code: 1000, reason: '' }]);
    } finally {
      await closeServer(peer.wss);
    }
  });
});

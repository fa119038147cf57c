// permessage-deflate (RFC 7692) end to end over real sockets on 127.0.0.1, in
// both roles: a wsx WebSocketServer against a hand-driven client, and a wsx
// WebSocket against a hand-driven server. The raw peer (tests/extensions/
// deflate-raw-peer.js) compresses and inflates with node:zlib itself, with the
// agreed window and context rules, so wsx is checked against an independent
// implementation: a wsx compressor using a larger window than agreed (seen
// when it refers back into an earlier message past the agreed window), or
// keeping a context it promised to drop, makes the peer's inflate fail.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WebSocket as WsClient, WebSocketServer as WsServer } from 'ws';
import { WebSocket, WebSocketServer } from '../../dist/index.js';
import { OP, closePayload, connectRawClient, deflateBomb, startRawServer } from '../extensions/deflate-raw-peer.js';
import { SYSTEM_PYTHON, pythonWebsocketsMissing } from '../helpers/peers.js';

const MiB = 1024 * 1024;
const WAIT = 5000;

// ---- fixtures -------------------------------------------------------------------------

const servers = [];
after(async () => {
  for (const s of servers) await s.close();
});

/** A wsx server that records its connections and what each received. */
async function wsxServer(perMessageDeflate, extra = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate, ...extra });
  const connections = [];
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.received = [];
    ws.on('message', (data, isBinary) => ws.received.push({ data: Buffer.from(data), isBinary }));
    connections.push(ws);
  });
  await once(wss, 'listening');
  const entry = {
    port: wss.address().port,
    wss,
    connections,
    taken: 0,
    /** The server end of the next connection not handed out yet. */
    async nextConnection() {
      const index = this.taken++;
      if (!(await waitUntil(() => connections.length > index, WAIT))) throw new Error('no connection');
      return connections[index];
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(() => resolve()));
    },
  };
  servers.push(entry);
  return entry;
}

let rawServer = null;
async function theRawServer() {
  if (rawServer === null) {
    rawServer = await startRawServer();
    servers.push(rawServer);
  }
  return rawServer;
}

/** A wsx client connected to the raw server, which answers with `respond(headers)`. */
async function wsxClientAgainstRaw(options, respond) {
  const raw = await theRawServer();
  const accepted = raw.accept(respond);
  const ws = new WebSocket(raw.url, options);
  ws.received = [];
  ws.errors = [];
  ws.on('error', (error) => ws.errors.push(error));
  ws.on('message', (data, isBinary) => ws.received.push({ data: Buffer.from(data), isBinary }));
  const { request, peer } = await accepted;
  return { ws, request, peer };
}

function waitUntil(pred, ms) {
  return new Promise((resolve) => {
    const started = Date.now();
    const poll = () => {
      if (pred()) resolve(true);
      else if (Date.now() - started > ms) resolve(false);
      else setTimeout(poll, 2);
    };
    poll();
  });
}

async function received(ws, n) {
  assert.ok(await waitUntil(() => ws.received.length >= n || ws.readyState > 1, WAIT), `waiting for ${n} messages`);
  assert.ok(ws.received.length >= n, `only ${ws.received.length} of ${n} messages before the connection closed`);
  return ws.received.slice(0, n);
}

function closeCodeOf(ws) {
  return new Promise((resolve) => {
    if (ws.readyState === 3) resolve(null);
    ws.once('close', (code) => resolve(code));
  });
}

/** Pseudo-random, compressible text. */
function sampleText(length, seed = 1) {
  const words = ['lorem ', 'ipsum ', 'dolor ', 'sit ', 'amet ', 'consectetur ', 'adipiscing ', 'elit '];
  let x = seed;
  let s = '';
  while (s.length < length) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += words[x >>> 29];
  }
  return Buffer.from(s.slice(0, length));
}

/** Bytes that only compress with a window reaching back `distance` bytes: R then R again. */
function farRepeat(distance, seed = 7) {
  const r = Buffer.alloc(distance);
  let x = seed;
  for (let i = 0; i < distance; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    r[i] = 0x61 + ((x >>> 24) % 26);
  }
  return Buffer.concat([r, r]);
}

/** A permessage-deflate element from parameters: bits 0 = absent, -1 = without a value. */
function deflateHeader({ sNct = false, cNct = false, sBits = 0, cBits = 0 }) {
  let h = 'permessage-deflate';
  if (sNct) h += '; server_no_context_takeover';
  if (cNct) h += '; client_no_context_takeover';
  if (sBits > 0) h += `; server_max_window_bits=${sBits}`;
  if (cBits > 0) h += `; client_max_window_bits=${cBits}`;
  else if (cBits === -1) h += '; client_max_window_bits';
  return h;
}

// ---- the traffic check run for every parameter combination ----------------------------

/**
 * wsx sends to the peer and the peer to wsx, and everything is checked
 * against the agreed parameters. `wsx` is wsx's end (threshold 0).
 */
async function checkTraffic(peer, wsx, wsxRole) {
  const a = peer.agreed;
  const wsxBits = wsxRole === 'server' ? a.serverMaxWindowBits : a.clientMaxWindowBits;
  const wsxNct = wsxRole === 'server' ? a.serverNoContextTakeover : a.clientNoContextTakeover;
  const peerBits = wsxRole === 'server' ? a.clientMaxWindowBits : a.serverMaxWindowBits;
  const label = JSON.stringify(a);

  // wsx → peer: the same message twice (shorter than 250 bytes, the farthest
  // a 9-bit zlib window reaches back), one longer than our window, then a
  // repeat of the first: with a window larger than agreed, wsx would refer
  // back past the long message, which our inflater (keeping only the agreed
  // window between messages) cannot follow.
  const text = sampleText(200, 3);
  const far = farRepeat(wsxBits >= 15 ? 2000 : (1 << wsxBits) + 10);
  wsx.send(text, { compress: true });
  wsx.send(text, { compress: true });
  wsx.send(far, { binary: true, compress: true });
  const tail = text.subarray(0, 150);
  wsx.send(tail, { compress: true });
  const got = await peer.nextMessages(4);
  for (const m of got) {
    if (wsxBits === 8) {
      // The 8-bit trap: zlib cannot deflate for an 8-bit window, so no RSV1.
      assert.equal(m.rsv1, false, `${label}: 8-bit window, sent uncompressed`);
    } else {
      assert.equal(m.rsv1, true, `${label}: RSV1 on a compressed message`);
    }
    for (const f of m.frames.slice(1)) assert.equal(f.rsv, 0);
  }
  assert.deepEqual(await peer.decode(got[0]), text, `${label}: first message`);
  assert.deepEqual(await peer.decode(got[1]), text, `${label}: second message`);
  assert.deepEqual(await peer.decode(got[2]), far, `${label}: far-repeat message`);
  assert.deepEqual(await peer.decode(got[3]), tail, `${label}: a repeat from before the long message, within the agreed window`);
  if (wsxBits > 8) {
    if (wsxNct) {
      assert.deepEqual(got[1].payload, got[0].payload, `${label}: without context takeover both compress alike`);
    } else {
      assert.ok(got[1].payload.length < got[0].payload.length / 4, `${label}: the second message uses the shared window`);
    }
  }

  // peer → wsx: compressed with the peer's agreed window and context rules.
  const peerFar = farRepeat(peerBits >= 15 ? 2000 : peerBits === 8 ? 200 : (1 << peerBits) - 300);
  await peer.sendCompressed(text);
  await peer.sendCompressed(text);
  await peer.sendCompressed(peerFar, { binary: true });
  await peer.sendCompressed(sampleText(5000, 4), { fragments: 3 });
  const messages = await received(wsx, 4);
  assert.deepEqual(messages[0], { data: text, isBinary: false }, `${label}: peer → wsx 1`);
  assert.deepEqual(messages[1], { data: text, isBinary: false }, `${label}: peer → wsx 2`);
  assert.deepEqual(messages[2], { data: peerFar, isBinary: true }, `${label}: peer → wsx far`);
  assert.deepEqual(messages[3], { data: sampleText(5000, 4), isBinary: false }, `${label}: peer → wsx in 3 fragments`);
}

const TAKEOVER = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
// Every window size for each side at least once, absent values, and the
// client's "client_max_window_bits" without a value.
const WINDOWS = [
  [0, 0],
  [0, -1],
  [8, 8],
  [9, 12],
  [10, 11],
  [11, 10],
  [12, 9],
  [13, 14],
  [14, 13],
  [15, 15],
];

// ---- server role ------------------------------------------------------------------

describe('server role: every parameter combination over a real socket', () => {
  for (const [sNct, cNct] of TAKEOVER) {
    test(`server_no_context_takeover=${sNct}, client_no_context_takeover=${cNct}, window bits 8-15`, async () => {
      const server = await wsxServer({ threshold: 0 });
      for (const [sBits, cBits] of WINDOWS) {
        const offer = deflateHeader({ sNct, cNct, sBits, cBits });
        const { status, headers, peer } = await connectRawClient(server.port, offer);
        assert.equal(status, 101);
        // The answer repeats what was asked; a valueless client_max_window_bits is dropped.
        assert.equal(headers['sec-websocket-extensions'], deflateHeader({ sNct, cNct, sBits, cBits: Math.max(cBits, 0) }), offer);
        const ws = await server.nextConnection();
        assert.equal(ws.extensions, headers['sec-websocket-extensions']);
        await checkTraffic(peer, ws, 'server');
        peer.close();
        assert.equal((await peer.closed()).code, 1000);
        peer.destroy();
      }
    });
  }
});

describe('server role: what the server answers', () => {
  // [offer, server option, expected answer (undefined: declined)]
  const cases = [
    ['permessage-deflate', true, 'permessage-deflate'],
    ['permessage-deflate; client_max_window_bits', true, 'permessage-deflate'],
    ['permessage-deflate', { serverNoContextTakeover: true }, 'permessage-deflate; server_no_context_takeover'],
    ['permessage-deflate', { clientNoContextTakeover: true }, 'permessage-deflate; client_no_context_takeover'],
    ['permessage-deflate', { serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=10'],
    ['permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=10'],
    ['permessage-deflate; server_max_window_bits=9', { serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=9'],
    ['permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=10'],
    ['permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=9'],
    ['permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: false }, 'permessage-deflate'],
    ['permessage-deflate; server_max_window_bits="10"', true, 'permessage-deflate; server_max_window_bits=10'],
    // Declined, never 400 (RFC 7692 section 5: decline an invalid offer).
    ['permessage-deflate', false, undefined],
    ['permessage-deflate', { clientMaxWindowBits: 10 }, undefined],
    ['permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: false }, undefined],
    ['permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: false }, undefined],
    // SECURITY-CASES row 8: bad values, duplicates, unknown parameters.
    ['permessage-deflate; server_max_window_bits=1000', true, undefined],
    ['permessage-deflate; server_max_window_bits=7', true, undefined],
    ['permessage-deflate; server_max_window_bits=16', true, undefined],
    ['permessage-deflate; server_max_window_bits=08', true, undefined],
    ['permessage-deflate; server_max_window_bits', true, undefined],
    ['permessage-deflate; client_max_window_bits=0', true, undefined],
    ['permessage-deflate; server_max_window_bits=10; server_max_window_bits=10', true, undefined],
    ['permessage-deflate; client_no_context_takeover; client_no_context_takeover', true, undefined],
    ['permessage-deflate; server_no_context_takeover=1', true, undefined],
    ['permessage-deflate; constructor', true, undefined],
    ['permessage-deflate; __proto__=1', true, undefined],
    ['x-webkit-deflate-frame', true, undefined],
    // The first acceptable offer wins; other extensions are skipped.
    ['permessage-deflate; server_max_window_bits=7, permessage-deflate; client_no_context_takeover', true, 'permessage-deflate; client_no_context_takeover'],
    ['x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=11', true, 'permessage-deflate; server_max_window_bits=11'],
    ['permessage-deflate; server_no_context_takeover, permessage-deflate', { serverNoContextTakeover: false }, 'permessage-deflate'],
  ];
  test(`${cases.length} offers: the exact answer, or 101 without the header (never 400)`, async () => {
    const byOption = new Map();
    for (const [offer, option, expected] of cases) {
      const key = JSON.stringify(option);
      if (!byOption.has(key)) byOption.set(key, await wsxServer(option));
      const server = byOption.get(key);
      const { status, headers, peer } = await connectRawClient(server.port, offer);
      assert.equal(status, 101, offer);
      assert.equal(headers['sec-websocket-extensions'], expected, `${offer} with ${key}`);
      // The connection works either way; RSV1 is refused without the extension.
      const ws = await server.nextConnection();
      ws.send('x'.repeat(2000), { compress: true });
      const [m] = await peer.nextMessages(1);
      assert.equal(m.rsv1, expected !== undefined);
      assert.deepEqual(await peer.decode(m), Buffer.from('x'.repeat(2000)));
      peer.destroy();
    }
  });

  test('a syntactically malformed Sec-WebSocket-Extensions header is 400, as in ws', async () => {
    const server = await wsxServer(true);
    // RFC 6455 9.1 grammar: a value is a token, or a quoted string that is a token once unquoted.
    const malformed = [
      'permessage-deflate; server_max_window_bits="10',
      'permessage-deflate; server_max_window_bits=""',
      'permessage-deflate; server_max_window_bits=',
      'permessage-deflate;;',
      ';',
    ];
    for (const offer of malformed) {
      const { status } = await connectRawClient(server.port, offer);
      assert.equal(status, 400, offer);
    }
  });

  test('invalid server options throw when the server is created', () => {
    assert.throws(() => new WebSocketServer({ noServer: true, perMessageDeflate: { serverMaxWindowBits: 16 } }), RangeError);
    assert.throws(() => new WebSocketServer({ noServer: true, perMessageDeflate: { threshold: -1 } }), RangeError);
    assert.throws(() => new WebSocketServer({ noServer: true, perMessageDeflate: { concurrencyLimit: 0 } }), RangeError);
    assert.throws(() => new WebSocketServer({ noServer: true, perMessageDeflate: { serverNoContextTakeover: 'yes' } }), TypeError);
  });
});

// ---- client role ------------------------------------------------------------------

describe('client role: every parameter combination over a real socket', () => {
  for (const [sNct, cNct] of TAKEOVER) {
    test(`server_no_context_takeover=${sNct}, client_no_context_takeover=${cNct}, window bits 8-15`, async () => {
      for (const [sBits, cBits] of WINDOWS) {
        const response = deflateHeader({ sNct, cNct, sBits, cBits: Math.max(cBits, 0) });
        const { ws, request, peer } = await wsxClientAgainstRaw({ perMessageDeflate: { threshold: 0 } }, () => response);
        assert.equal(request.headers['sec-websocket-extensions'], 'permessage-deflate; client_max_window_bits');
        await once(ws, 'open');
        assert.equal(ws.extensions, response);
        await checkTraffic(peer, ws, 'client');
        const closed = closeCodeOf(ws);
        ws.close(1000);
        assert.equal(await closed, 1000);
        assert.equal((await peer.closed()).code, 1000);
        peer.destroy();
      }
    });
  }

  test('offers: true, false, every parameter, and several in order of preference', async () => {
    const cases = [
      [true, 'permessage-deflate; client_max_window_bits'],
      [undefined, 'permessage-deflate; client_max_window_bits'],
      [false, undefined],
      [{ clientMaxWindowBits: false }, 'permessage-deflate'],
      [
        { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 9 },
        'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9',
      ],
      [
        [{ serverMaxWindowBits: 10 }, { clientMaxWindowBits: false }],
        'permessage-deflate; server_max_window_bits=10; client_max_window_bits, permessage-deflate',
      ],
    ];
    for (const [option, expected] of cases) {
      const options = option === undefined ? {} : { perMessageDeflate: option };
      const { ws, request, peer } = await wsxClientAgainstRaw(options, () => undefined);
      assert.equal(request.headers['sec-websocket-extensions'], expected, JSON.stringify(option));
      await once(ws, 'open');
      assert.equal(ws.extensions, '');
      ws.terminate();
      peer.destroy();
    }
  });

  test('the agreed parameters are used: a 10-bit server window asked for and granted, no takeover both ways', async () => {
    const option = { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 9 };
    const response = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9';
    const { ws, peer } = await wsxClientAgainstRaw({ perMessageDeflate: option }, () => response);
    await once(ws, 'open');
    await checkTraffic(peer, ws, 'client');
    ws.terminate();
    peer.destroy();
  });

  // SECURITY-CASES row 8 in a response: the handshake fails cleanly (error, then close 1006, never open).
  const badResponses = [
    [true, 'permessage-deflate; foo'],
    [true, 'permessage-deflate; constructor'],
    [true, 'permessage-deflate; server_no_context_takeover; server_no_context_takeover'],
    [true, 'permessage-deflate; server_max_window_bits=7'],
    [true, 'permessage-deflate; server_max_window_bits=16'],
    [true, 'permessage-deflate; server_max_window_bits=08'],
    [true, 'permessage-deflate; server_max_window_bits=1000'],
    [true, 'permessage-deflate; server_max_window_bits=""'],
    [true, 'permessage-deflate; server_max_window_bits'],
    [true, 'permessage-deflate; client_max_window_bits'],
    [true, 'permessage-deflate; client_max_window_bits=10; client_max_window_bits=10'],
    [true, 'permessage-deflate; client_no_context_takeover=x'],
    [true, 'permessage-deflate, permessage-deflate'],
    [true, 'permessage-deflate, x-foo'],
    [true, 'x-foo'],
    [{ clientMaxWindowBits: false }, 'permessage-deflate; client_max_window_bits=10'],
    [{ clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=11'],
    [{ serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=12'],
    [{ serverMaxWindowBits: 10 }, 'permessage-deflate'],
    [{ serverNoContextTakeover: true }, 'permessage-deflate'],
    [{ clientNoContextTakeover: false }, 'permessage-deflate; client_no_context_takeover'],
    [false, 'permessage-deflate'],
  ];
  test(`${badResponses.length} invalid or unexpected answers fail the handshake`, async () => {
    for (const [option, response] of badResponses) {
      const { ws, peer } = await wsxClientAgainstRaw({ perMessageDeflate: option }, () => response);
      let opened = false;
      ws.on('open', () => (opened = true));
      const code = await closeCodeOf(ws);
      assert.equal(opened, false, response);
      assert.equal(code, 1006, response);
      assert.equal(ws.errors.length, 1, response);
      assert.equal(ws.errors[0].code, 'WSX_ERR_HANDSHAKE', `${response}: ${ws.errors[0].message}`);
      peer.destroy();
    }
  });

  test('invalid client options throw from the constructor', () => {
    assert.throws(() => new WebSocket('ws://127.0.0.1:1', { perMessageDeflate: { clientMaxWindowBits: 7 } }), RangeError);
    assert.throws(() => new WebSocket('ws://127.0.0.1:1', { perMessageDeflate: { threshold: 'big' } }), RangeError);
    assert.throws(() => new WebSocket('ws://127.0.0.1:1', { perMessageDeflate: [] }), RangeError);
  });
});

// ---- what wsx sends ------------------------------------------------------------

/** Both roles: `open(option)` resolves with { peer, ws } (wsx end and raw peer), agreed with defaults. */
const ROLES = {
  server: async (option) => {
    const server = await wsxServer(option);
    const { peer } = await connectRawClient(server.port, 'permessage-deflate; client_max_window_bits');
    return { peer, ws: await server.nextConnection() };
  },
  client: async (option) => {
    const { ws, peer } = await wsxClientAgainstRaw({ perMessageDeflate: option }, () => 'permessage-deflate');
    await once(ws, 'open');
    return { peer, ws };
  },
};

for (const [role, open] of Object.entries(ROLES)) {
  describe(`${role} role: sending`, () => {
    test('threshold: under it uncompressed, at it compressed (default 1024 and a custom value)', async () => {
      for (const [option, threshold] of [
        [true, 1024],
        [{ threshold: 100 }, 100],
      ]) {
        const { peer, ws } = await open(option);
        ws.send(sampleText(threshold - 1));
        ws.send(sampleText(threshold));
        const [below, at] = await peer.nextMessages(2);
        assert.equal(below.rsv1, false);
        assert.deepEqual(below.payload, sampleText(threshold - 1));
        assert.equal(at.rsv1, true);
        assert.deepEqual(await peer.decode(at), sampleText(threshold));
        ws.terminate();
        peer.destroy();
      }
    });

    test('per-send compress: false goes uncompressed and leaves the shared window intact', async () => {
      const { peer, ws } = await open({ threshold: 0 });
      const a = sampleText(3000, 1);
      ws.send(a);
      ws.send(a, { compress: false });
      ws.send(a);
      const [m1, m2, m3] = await peer.nextMessages(3);
      assert.equal(m1.rsv1, true);
      assert.equal(m2.rsv1, false);
      assert.deepEqual(m2.payload, a);
      assert.equal(m3.rsv1, true);
      assert.deepEqual(await peer.decode(m1), a);
      assert.deepEqual(await peer.decode(m3), a);
      ws.terminate();
      peer.destroy();
    });

    test('fragmented compressed sends: RSV1 on the first frame only, every fragment through the compressor', async () => {
      const { peer, ws } = await open(true);
      const parts = [sampleText(2000, 1), Buffer.from('tiny'), Buffer.alloc(0), sampleText(3000, 2)];
      // A later fragment's size or compress flag does not change a compressed message.
      ws.send(parts[0], { fin: false, binary: false });
      ws.send(parts[1], { fin: false, binary: false });
      ws.send(parts[2], { fin: false, binary: false, compress: false });
      ws.send(parts[3], { fin: true, binary: false });
      // A first fragment under the threshold makes the whole message uncompressed.
      ws.send(Buffer.from('small'), { fin: false, binary: true });
      ws.send(sampleText(5000, 3), { fin: true, binary: true });
      // And a plain message after them, in order.
      ws.send(sampleText(1500, 4), { binary: false });
      const [compressed, plain, last] = await peer.nextMessages(3);
      assert.deepEqual(
        compressed.frames.map((f) => [f.opcode, f.rsv, f.fin]),
        [
          [OP.TEXT, 4, false],
          [OP.CONT, 0, false],
          [OP.CONT, 0, false],
          [OP.CONT, 0, true],
        ],
      );
      assert.deepEqual(await peer.decode(compressed), Buffer.concat(parts));
      assert.deepEqual(
        plain.frames.map((f) => [f.opcode, f.rsv, f.fin]),
        [
          [OP.BINARY, 0, false],
          [OP.CONT, 0, true],
        ],
      );
      assert.deepEqual(plain.payload, Buffer.concat([Buffer.from('small'), sampleText(5000, 3)]));
      assert.equal(last.rsv1, true);
      assert.deepEqual(await peer.decode(last), sampleText(1500, 4));
      ws.terminate();
      peer.destroy();
    });

    test('order is kept across compressed, uncompressed and fragmented sends; callbacks in order', async () => {
      const { peer, ws } = await open({ threshold: 100 });
      const expected = [];
      const callbacks = [];
      for (let i = 0; i < 60; i++) {
        const data = sampleText(i % 3 === 0 ? 50 : 500 + i * 37, i);
        expected.push(data);
        const compress = i % 5 !== 0;
        if (i % 7 === 0) {
          ws.send(data.subarray(0, 20), { fin: false, compress });
          ws.send(data.subarray(20), { fin: true, compress }, () => callbacks.push(i));
        } else {
          ws.send(data, { compress }, () => callbacks.push(i));
        }
      }
      const got = await peer.nextMessages(60);
      for (let i = 0; i < 60; i++) assert.deepEqual(await peer.decode(got[i]), expected[i], `message ${i}`);
      assert.ok(await waitUntil(() => callbacks.length === 60, WAIT));
      assert.deepEqual(callbacks, Array.from({ length: 60 }, (_, i) => i));
      ws.terminate();
      peer.destroy();
    });

    test('bufferedAmount counts bytes waiting for zlib, and drain follows', async () => {
      const { peer, ws } = await open(true);
      const big = sampleText(MiB, 9);
      const drained = once(ws, 'drain');
      assert.equal(ws.send(big), false, 'send() returns false past highWaterMark');
      assert.ok(ws.bufferedAmount >= MiB, `bufferedAmount ${ws.bufferedAmount} while compressing`);
      ws.send('x'.repeat(2000));
      assert.ok(ws.bufferedAmount >= MiB + 2000, 'a send queued behind the compression counts too');
      await drained;
      const [m1, m2] = await peer.nextMessages(2);
      assert.deepEqual(await peer.decode(m1), big);
      assert.deepEqual(await peer.decode(m2), Buffer.from('x'.repeat(2000)));
      assert.ok(await waitUntil(() => ws.bufferedAmount === 0, WAIT));
      ws.terminate();
      peer.destroy();
    });

    test('send() then close(): the compressed message goes out before the close frame', async () => {
      const { peer, ws } = await open(true);
      ws.send(sampleText(5000, 5));
      ws.close(1000);
      const closeFrame = await peer.closed();
      assert.equal(peer.messages.length, 1, 'the message was sent');
      assert.equal(closeFrame.code, 1000);
      peer.destroy();
    });

    test('control frames are never compressed', async () => {
      const { peer, ws } = await open({ threshold: 0 });
      ws.ping(Buffer.from('p'.repeat(100)));
      ws.send(sampleText(2000));
      await peer.nextMessages(1);
      const pingFrame = peer.frames.find((f) => f.opcode === OP.PING);
      assert.ok(pingFrame);
      assert.equal(pingFrame.rsv, 0);
      assert.deepEqual(pingFrame.payload, Buffer.from('p'.repeat(100)));
      ws.close(1000, 'x'.repeat(100));
      await peer.closed();
      const closeFrame = peer.frames.find((f) => f.opcode === OP.CLOSE);
      assert.equal(closeFrame.rsv, 0);
      peer.destroy();
    });
  });
}

// ---- what wsx receives: hostile input --------------------------------------------

/**
 * Both roles with maxPayload set: resolves with { peer, ws, closed } where
 * `closed` resolves with the code the wsx end reports.
 */
const HOSTILE = {
  server: async (params = 'permessage-deflate', maxPayload = MiB) => {
    const server = await wsxServer(true, { maxPayload });
    const { peer } = await connectRawClient(server.port, params);
    const ws = await server.nextConnection();
    return { peer, ws, closed: closeCodeOf(ws) };
  },
  client: async (params = 'permessage-deflate', maxPayload = MiB) => {
    const { ws, peer } = await wsxClientAgainstRaw({ perMessageDeflate: true, maxPayload }, () => params);
    await once(ws, 'open');
    return { peer, ws, closed: closeCodeOf(ws) };
  },
};

for (const [role, open] of Object.entries(HOSTILE)) {
  const from = role === 'server' ? 'client → server' : 'server → client';
  describe(`${role} role: hostile input (${from})`, () => {
    for (const [what, params, fragments] of [
      ['one frame, context takeover', 'permessage-deflate', 1],
      ['8 fragments, no context takeover', 'permessage-deflate; server_no_context_takeover; client_no_context_takeover', 8],
    ]) {
      test(`SECURITY-CASES row 9: a 256 MiB bomb (${what}) closes with 1009, RSS far below the inflated size`, async () => {
        const bomb = deflateBomb(256);
        assert.ok(bomb.length < 300 * 1024, `${bomb.length} bytes on the wire`);
        const { peer, ws, closed } = await open(params, MiB);
        global.gc?.();
        const before = process.memoryUsage().rss;
        let peak = before;
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage().rss);
        }, 2);
        const step = Math.ceil(bomb.length / fragments);
        const specs = [];
        for (let i = 0; i < fragments; i++) {
          const fin = i === fragments - 1;
          const payload = bomb.subarray(i * step, fin ? bomb.length : (i + 1) * step);
          specs.push({ opcode: i === 0 ? OP.BINARY : OP.CONT, fin, rsv: i === 0 ? 4 : 0, payload });
        }
        peer.write(...specs);
        const closeFrame = await peer.closed();
        const code = await closed;
        clearInterval(sampler);
        peak = Math.max(peak, process.memoryUsage().rss);
        assert.equal(closeFrame?.code, 1009, 'wsx sends close 1009');
        assert.equal(code, 1009);
        assert.equal(ws.received.length, 0, 'nothing delivered');
        const growth = (peak - before) / MiB;
        assert.ok(growth < 64, `RSS grew by ${growth.toFixed(1)} MiB for a 256 MiB bomb`);
        peer.destroy();
      });
    }

    test('corrupt deflate data closes with 1007', async () => {
      const { peer, ws, closed } = await open();
      peer.write({ opcode: OP.BINARY, rsv: 4, payload: Buffer.from([0xff, 0xff, 0xff, 0xff]) });
      assert.equal((await peer.closed())?.code, 1007);
      assert.equal(await closed, 1007);
      assert.equal(ws.received.length, 0);
      peer.destroy();
    });

    test('invalid UTF-8 inside a compressed text message closes with 1007', async () => {
      const { peer, closed } = await open();
      await peer.sendCompressed(Buffer.concat([sampleText(2000), Buffer.from([0xc3, 0x28])]));
      assert.equal((await peer.closed())?.code, 1007);
      assert.equal(await closed, 1007);
      peer.destroy();
    });

    test('a compressed message of exactly maxPayload bytes inflated is delivered; one byte more is 1009', async () => {
      const { peer, ws, closed } = await open('permessage-deflate', 4096);
      await peer.sendCompressed(sampleText(4096));
      assert.deepEqual((await received(ws, 1))[0].data, sampleText(4096));
      await peer.sendCompressed(sampleText(4097));
      assert.equal((await peer.closed())?.code, 1009);
      assert.equal(await closed, 1009);
      peer.destroy();
    });

    const rsvCases = [
      ['RSV1 on a continuation frame', async (peer) => {
        peer.write({ opcode: OP.TEXT, fin: false, payload: Buffer.from('abc') }, { opcode: OP.CONT, rsv: 4, payload: Buffer.from('def') });
      }],
      ['RSV1 on the continuation of a compressed message', async (peer) => {
        peer.write({ opcode: OP.TEXT, fin: false, rsv: 4, payload: Buffer.from([0x4a, 0x4c, 0x4a, 0x06, 0x00]) }, { opcode: OP.CONT, rsv: 4, payload: Buffer.alloc(0) });
      }],
      ['RSV1 on a ping', async (peer) => peer.write({ opcode: OP.PING, rsv: 4, payload: Buffer.from('p') })],
      ['RSV1 on a pong', async (peer) => peer.write({ opcode: OP.PONG, rsv: 4, payload: Buffer.from('p') })],
      ['RSV1 on a close frame', async (peer) => peer.write({ opcode: OP.CLOSE, rsv: 4, payload: closePayload(1000) })],
      ['RSV2 on a data frame', async (peer) => peer.write({ opcode: OP.TEXT, rsv: 2, payload: Buffer.from('abc') })],
      ['RSV3 on a compressed data frame', async (peer) => peer.write({ opcode: OP.TEXT, rsv: 5, payload: Buffer.from([0x4a, 0x4c, 0x4a, 0x06, 0x00]) })],
    ];
    for (const [what, send] of rsvCases) {
      test(`${what} closes with 1002`, async () => {
        const { peer, ws, closed } = await open();
        await send(peer);
        assert.equal((await peer.closed())?.code, 1002);
        assert.equal(await closed, 1002);
        assert.equal(ws.received.length, 0);
        peer.destroy();
      });
    }
  });
}

test('RSV1 without a negotiated extension closes with 1002 (both roles)', async () => {
  const server = await wsxServer(true);
  const { peer } = await connectRawClient(server.port, undefined);
  const ws = await server.nextConnection();
  const closed = closeCodeOf(ws);
  peer.write({ opcode: OP.TEXT, rsv: 4, payload: Buffer.from([0x4a, 0x4c, 0x4a, 0x06, 0x00]) });
  assert.equal((await peer.closed())?.code, 1002);
  assert.equal(await closed, 1002);
  peer.destroy();

  const client = await wsxClientAgainstRaw({ perMessageDeflate: true }, () => undefined);
  await once(client.ws, 'open');
  const clientClosed = closeCodeOf(client.ws);
  client.peer.write({ opcode: OP.TEXT, rsv: 4, payload: Buffer.from([0x4a, 0x4c, 0x4a, 0x06, 0x00]) });
  assert.equal((await client.peer.closed())?.code, 1002);
  assert.equal(await clientClosed, 1002);
  client.peer.destroy();
});

// ---- interop matrix with ws ------------------------------------------------------

describe('ws interop matrix: parameter combinations, both roles', () => {
  const combos = [];
  for (const [serverNoContextTakeover, clientNoContextTakeover] of TAKEOVER) {
    for (const bits of [8, 9, 12, 15]) {
      combos.push({ serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits: bits, clientMaxWindowBits: 23 - bits, threshold: 0 });
    }
  }
  for (const [title, Server, Client] of [
    ['wsx server ↔ ws client', WebSocketServer, WsClient],
    ['ws server ↔ wsx client', WsServer, WebSocket],
  ]) {
    test(`${title}: ${combos.length} combinations, messages both ways incl. fragments`, async () => {
      for (const options of combos) {
        const server = new Server({ host: '127.0.0.1', port: 0, perMessageDeflate: options });
        await once(server, 'listening');
        const connection = once(server, 'connection');
        const client = new Client(`ws://127.0.0.1:${server.address().port}`, { perMessageDeflate: options });
        try {
          const [[serverEnd]] = await Promise.all([connection, once(client, 'open')]);
          const label = JSON.stringify(options);
          assert.match(String(client.extensions), /permessage-deflate/, label);
          for (const [from, to] of [
            [client, serverEnd],
            [serverEnd, client],
          ]) {
            const got = [];
            to.on('message', (data, isBinary) => got.push([Buffer.from(data), isBinary]));
            const far = farRepeat(2000);
            from.send(sampleText(3000, 1), { binary: false });
            from.send(sampleText(3000, 1), { binary: false });
            from.send(far, { binary: true });
            from.send(sampleText(1000, 2), { fin: false, binary: false });
            from.send('x', { fin: false });
            from.send(sampleText(1000, 3), { fin: true, binary: false });
            assert.ok(await waitUntil(() => got.length === 4, WAIT), `${label}: ${got.length} of 4 messages`);
            assert.deepEqual(got[0], [sampleText(3000, 1), false], label);
            assert.deepEqual(got[1], [sampleText(3000, 1), false], label);
            assert.deepEqual(got[2], [far, true], label);
            assert.deepEqual(got[3], [Buffer.concat([sampleText(1000, 2), Buffer.from('x'), sampleText(1000, 3)]), false], label);
            to.removeAllListeners('message');
          }
          const closed = once(client, 'close');
          client.close(1000);
          assert.equal((await closed)[0], 1000, label);
        } finally {
          client.terminate();
          for (const ws of server.clients) ws.terminate();
          await new Promise((resolve) => server.close(() => resolve()));
        }
      }
    });
  }
});

// ---- interop matrix with Python's websockets ------------------------------------------

/** The echo peer in tests/extensions/deflate_echo_peer.py, one process for the matrix. */
function startPythonPeer() {
  const script = fileURLToPath(new URL('../extensions/deflate_echo_peer.py', import.meta.url));
  const child = spawn(SYSTEM_PYTHON, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pending = new Map();
  let nextId = 1;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const reply = JSON.parse(line);
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  return {
    request(command) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`python peer: no reply to ${command.op}`)), WAIT);
        pending.set(id, (reply) => {
          clearTimeout(timer);
          if (reply.error) reject(new Error(`python peer: ${reply.error}`));
          else resolve(reply);
        });
        child.stdin.write(`${JSON.stringify({ ...command, id })}\n`);
      });
    },
    async stop() {
      child.stdin.end();
      const exited = once(child, 'exit');
      const timer = setTimeout(() => child.kill(), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Sends four messages (one fragmented) and checks they come back unchanged. */
async function echoRoundTrip(ws, label) {
  const echoes = [];
  ws.on('message', (data, isBinary) => echoes.push({ data: Buffer.from(data), isBinary }));
  const far = farRepeat(2000);
  const sent = [
    { data: sampleText(3000, 1), isBinary: false },
    { data: sampleText(3000, 1), isBinary: false },
    { data: far, isBinary: true },
    { data: Buffer.concat([sampleText(1500, 2), sampleText(1500, 3)]), isBinary: false },
  ];
  ws.send(sent[0].data, { binary: false });
  ws.send(sent[1].data, { binary: false });
  ws.send(sent[2].data, { binary: true });
  ws.send(sampleText(1500, 2), { binary: false, fin: false });
  ws.send(sampleText(1500, 3), { binary: false, fin: true });
  assert.ok(await waitUntil(() => echoes.length >= 4 || ws.readyState > 1, WAIT), `${label}: echoes`);
  assert.deepEqual(echoes, sent, label);
}

describe("Python websockets interop matrix: parameter combinations, both roles", { skip: pythonWebsocketsMissing() ?? false }, () => {
  // Python's zlib refuses a raw 8-bit window outright ("Invalid initialization
  // option"), so 8 bits appear only on the side wsx compresses with (where wsx
  // sends uncompressed): client_max_window_bits against the Python server,
  // server_max_window_bits against the Python client.
  const combos = (windows) => {
    const list = [];
    for (const [sNct, cNct] of TAKEOVER) {
      for (const [sBits, cBits] of windows) {
        list.push({ server_no_context_takeover: sNct, client_no_context_takeover: cNct, server_max_window_bits: sBits, client_max_window_bits: cBits });
      }
    }
    return list;
  };
  const againstPythonServer = combos([
    [null, null],
    [10, 12],
    [15, 8],
    [9, 15],
  ]);
  const againstPythonClient = combos([
    [null, null],
    [10, 12],
    [8, 15],
    [15, 9],
  ]);
  let peer;
  after(() => peer?.stop());

  test(`wsx client ↔ Python server: ${againstPythonServer.length} server configurations`, async () => {
    peer ??= startPythonPeer();
    for (const params of againstPythonServer) {
      const label = JSON.stringify(params);
      const { port } = await peer.request({ op: 'serve', params });
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: { threshold: 0 } });
      const opened = await Promise.race([once(ws, 'open').then(() => null), once(ws, 'error').then(([error]) => error)]);
      assert.equal(opened, null, `${label}: ${opened?.message}`);
      const expected = deflateHeader({
        sNct: params.server_no_context_takeover,
        cNct: params.client_no_context_takeover,
        sBits: params.server_max_window_bits ?? 0,
        cBits: params.client_max_window_bits ?? 0,
      });
      assert.equal(ws.extensions, expected, label);
      await echoRoundTrip(ws, label);
      const closed = closeCodeOf(ws);
      ws.close(1000);
      assert.equal(await closed, 1000, label);
    }
  });

  test(`Python client ↔ wsx server: ${againstPythonClient.length} client offers`, async () => {
    peer ??= startPythonPeer();
    const server = await wsxServer({ threshold: 0 });
    for (const params of againstPythonClient) {
      const label = JSON.stringify(params);
      // The Python client offers client_max_window_bits without a value unless given one.
      const offer = { ...params, client_max_window_bits: params.client_max_window_bits ?? true };
      const connected = peer.request({ op: 'connect', url: `ws://127.0.0.1:${server.port}/`, params: offer });
      const ws = await server.nextConnection();
      const { extensions } = await connected;
      assert.equal(extensions, ws.extensions, label);
      assert.equal(
        extensions,
        deflateHeader({
          sNct: params.server_no_context_takeover,
          cNct: params.client_no_context_takeover,
          sBits: params.server_max_window_bits ?? 0,
          cBits: params.client_max_window_bits ?? 0,
        }),
        label,
      );
      await echoRoundTrip(ws, label);
      const closed = closeCodeOf(ws);
      ws.close(1000);
      assert.equal(await closed, 1000, label);
    }
  });
});

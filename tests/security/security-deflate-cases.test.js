// SECURITY-CASES.md rows 8 and 9 (permessage-deflate), end to end against a
// real wsx server and client on 127.0.0.1 with hand-built handshakes and
// hand-compressed frames.
//
// Unit-level coverage of the same rows (kept; these add the end-to-end view):
// row 8: tests/protocol/permessage-deflate-negotiation.test.js ("row 8" cases);
// row 9: tests/extensions/permessage-deflate.test.js ("row 9" bombs on the codec).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { WebSocket } from '../../dist/index.js';
import { OP, headerMap, openRaw, rawClient, startRawServer } from '../helpers/security-raw-peer.js';
import { clientOutcome, crashWatch, eventually, nextEvent, startServer, stopServers } from '../helpers/security-wsx.js';

const MiB = 1024 * 1024;
const watch = crashWatch();
before(() => watch.start());
after(async () => {
  await stopServers();
  watch.stop();
  watch.assertNone('security-deflate-cases.test.js');
});


// ---- compression by hand (RFC 7692 7.2.1) ------------------------------------------

/**
 * Compresses `size` bytes of `fill` with `deflate` (a raw deflate stream,
 * reused for context takeover), written in 1 MiB pieces so the test never
 * holds the inflated message; ends with a sync flush whose 00 00 ff ff tail
 * is removed (kept with `keepTail`, for a piece in the middle of a message).
 */
async function compress(deflate, size, fill = 0, { keepTail = false } = {}) {
  const out = [];
  const onData = (chunk) => out.push(chunk);
  deflate.on('data', onData);
  const piece = Buffer.alloc(Math.min(size, MiB), fill);
  for (let left = size; left > 0; left -= piece.length) {
    const ok = deflate.write(left >= piece.length ? piece : piece.subarray(0, left));
    if (!ok) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  await new Promise((resolve) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, resolve));
  deflate.off('data', onData);
  const all = Buffer.concat(out);
  assert.deepEqual([...all.subarray(-4)], [0x00, 0x00, 0xff, 0xff]);
  // Mid-message flush points keep their empty stored block; only the message's end loses it.
  return keepTail ? all : all.subarray(0, -4);
}

const rawDeflate = () => zlib.createDeflateRaw({ level: 9 });

/** Splits `data` into `n` frames of one compressed message (RSV1 on the first only). */
function fragments(data, n, opcode = OP.BINARY) {
  const size = Math.ceil(data.length / n);
  const frames = [];
  for (let i = 0; i < n; i++) {
    frames.push({
      opcode: i === 0 ? opcode : OP.CONTINUATION,
      rsv: i === 0 ? 0b100 : 0,
      fin: i === n - 1,
      payload: data.subarray(i * size, (i + 1) * size),
    });
  }
  return frames;
}

// ---------------------------------------------------------------------------------

describe('row 8: bad permessage-deflate window bits fail the handshake cleanly, in an offer or in a response', { timeout: 30_000 }, () => {
  // Also: tests/protocol/permessage-deflate-negotiation.test.js ("row 8").
  const badParams = [
    'server_max_window_bits=1000',
    'server_max_window_bits=7',
    'server_max_window_bits=16',
    'server_max_window_bits=08',
    'server_max_window_bits=',
    'server_max_window_bits="1000"',
    'server_max_window_bits=" 10"',
    'server_max_window_bits=-1',
    'server_max_window_bits=0x0f',
    'server_max_window_bits=1e1',
    'server_max_window_bits',
    'server_max_window_bits=10; server_max_window_bits=10',
    'client_max_window_bits=1000',
    'client_max_window_bits=7',
    'client_max_window_bits=16',
    'client_max_window_bits="08"',
    'client_max_window_bits; client_max_window_bits',
    'server_no_context_takeover=1',
    'server_no_context_takeover; server_no_context_takeover',
    'x_unknown=1',
  ];

  test('server: each bad offer is declined (101 without the extension) or refused (400); the connection works', async () => {
    const { port, wss } = await startServer({ perMessageDeflate: true });
    let serverErrors = 0;
    wss.on('error', () => serverErrors++);
    for (const params of badParams) {
      const offer = `permessage-deflate; ${params}`;
      const r = await rawClient(port, { extra: [['Sec-WebSocket-Extensions', offer]] });
      assert.ok(r.status === 101 || r.status === 400, `${offer} → ${r.status}`);
      if (r.status === 101) {
        const answer = headerMap(r.head).get('sec-websocket-extensions');
        assert.equal(answer, undefined, `${offer} was accepted: ${answer}`);
        r.peer.send({ opcode: OP.TEXT, payload: 'plain' });
        const [echo] = await r.peer.waitFrames(OP.TEXT, 1);
        assert.equal(echo.payload.toString(), 'plain');
        assert.equal(echo.rsv, 0);
        r.peer.destroy();
      } else {
        r.socket.destroy();
      }
    }
    assert.equal(serverErrors, 0);
    watch.assertNone('row 8 (server)');
  });

  test('server: a bad offer followed by a good one never answers with the bad parameters', async () => {
    const { port } = await startServer({ perMessageDeflate: { serverMaxWindowBits: 12 } });
    for (const params of badParams) {
      const r = await rawClient(port, { extra: [['Sec-WebSocket-Extensions', `permessage-deflate; ${params}, permessage-deflate`]] });
      assert.ok(r.status === 101 || r.status === 400, `${params} → ${r.status}`);
      if (r.status === 101) {
        const answer = headerMap(r.head).get('sec-websocket-extensions') ?? '';
        // If accepted, the answer is for the second offer: window bits, if any, are 8-15 written plainly.
        for (const m of answer.matchAll(/max_window_bits(?:=("?)([^;,"]*)\1)?/g)) {
          if (m[2] !== undefined) assert.match(m[2], /^(8|9|1[0-5])$/, `answered ${answer}`);
        }
        assert.doesNotMatch(answer, /x_unknown|=1000|=16\b|=7\b|=08/, `answered ${answer}`);
        r.peer.destroy();
      } else {
        r.socket.destroy();
      }
    }
  });

  test('server: a valid offer is negotiated (control)', async () => {
    const { port } = await startServer({ perMessageDeflate: true });
    const r = await rawClient(port, { extra: [['Sec-WebSocket-Extensions', 'permessage-deflate; server_max_window_bits=10']] });
    assert.equal(r.status, 101);
    assert.match(headerMap(r.head).get('sec-websocket-extensions') ?? '', /^permessage-deflate/);
    r.peer.destroy();
  });

  for (const params of badParams) {
    test(`client: a response "permessage-deflate; ${params}" fails the handshake (error, close 1006)`, async () => {
      const server = await startRawServer(({ accept }) => accept([`Sec-WebSocket-Extensions: permessage-deflate; ${params}`]));
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, { perMessageDeflate: { serverMaxWindowBits: 10 } });
      const outcome = await clientOutcome(ws);
      assert.ok(outcome instanceof Error, 'the handshake must fail');
      watch.assertNone('row 8 (client)');
      await server.close();
    });
  }

  test('client: a valid response is accepted (control)', async () => {
    const server = await startRawServer(({ accept }) => accept(['Sec-WebSocket-Extensions: permessage-deflate']));
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`);
    assert.equal(await clientOutcome(ws), 'open');
    ws.terminate();
    await server.close();
  });
});

// ---------------------------------------------------------------------------------

describe('row 9: a decompression bomb fails with 1009, memory stays near the limit', { timeout: 30_000 }, () => {
  // Also: tests/extensions/permessage-deflate.test.js ("row 9": bombs against the codec alone).
  // What holds before (and after) the wiring: RSV1 without a negotiated extension.
  test('server: an RSV1 (compressed) message on a connection without permessage-deflate → 1002', async () => {
    const { port, connections } = await startServer({ perMessageDeflate: true });
    const peer = await openRaw(port); // offers no extension
    const bomb = await compress(rawDeflate(), 16 * MiB);
    peer.send({ opcode: OP.BINARY, rsv: 0b100, payload: bomb });
    assert.equal((await peer.waitClose())?.code, 1002);
    const record = connections[connections.length - 1];
    await eventually(() => record.close ?? undefined, 'the server-side close event');
    assert.deepEqual(record.messages, []);
  });

  test('client: an RSV1 message from a server that negotiated nothing → masked close 1002', async () => {
    let peer;
    const server = await startRawServer(({ accept }) => (peer = accept()));
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`);
    ws.on('error', () => {});
    await nextEvent(ws, 'open');
    const closed = nextEvent(ws, 'close');
    const bomb = await compress(rawDeflate(), 16 * MiB);
    await eventually(() => peer, 'the raw server peer');
    peer.send({ opcode: OP.BINARY, rsv: 0b100, payload: bomb });
    const close = await peer.waitClose();
    assert.equal(close?.code, 1002);
    assert.equal((await closed)[0], 1002);
    await server.close();
  });

  /** Opens a raw connection that negotiated permessage-deflate with `offer`. */
  async function deflateSession(port, offer) {
    const r = await rawClient(port, { extra: [['Sec-WebSocket-Extensions', offer]] });
    assert.equal(r.status, 101);
    assert.match(headerMap(r.head).get('sec-websocket-extensions') ?? '', /permessage-deflate/);
    return r.peer;
  }

  /** Sends `frames`, expects close 1009 and returns the RSS growth seen meanwhile. */
  async function expect1009(peer, connections, frames) {
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    peer.send(...frames);
    const close = await peer.waitClose(10_000);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.equal(close?.code, 1009);
    const record = connections[connections.length - 1];
    await eventually(() => record.close ?? undefined, 'the server-side close event');
    assert.equal(record.close.code, 1009);
    assert.deepEqual(record.messages, []);
    return peak - rssBefore;
  }


  test('server: a 128 MiB bomb in one frame, maxPayload 1 MiB → 1009, RSS grows far less than 128 MiB', async () => {
    const { port, connections } = await startServer({ perMessageDeflate: true, maxPayload: MiB });
    const peer = await deflateSession(port, 'permessage-deflate');
    const bomb = await compress(rawDeflate(), 128 * MiB);
    const growth = await expect1009(peer, connections, [{ opcode: OP.BINARY, rsv: 0b100, payload: bomb }]);
    assert.ok(growth < 64 * MiB, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
  });

  test('server: the bomb split over 8 fragments, no context takeover → 1009', async () => {
    const { port, connections } = await startServer({ perMessageDeflate: true, maxPayload: MiB });
    const peer = await deflateSession(port, 'permessage-deflate; client_no_context_takeover; server_no_context_takeover');
    const bomb = await compress(rawDeflate(), 128 * MiB);
    const growth = await expect1009(peer, connections, fragments(bomb, 8));
    assert.ok(growth < 64 * MiB, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
  });

  test('server: fragments each under maxPayload but together over it → 1009', async () => {
    const { port, connections } = await startServer({ perMessageDeflate: true, maxPayload: MiB });
    const peer = await deflateSession(port, 'permessage-deflate');
    // One message in 4 frames, each its own flush segment inflating to exactly
    // 512 KiB; the sync-flush tail is removed at the end of the message only.
    const deflate = rawDeflate();
    const frames = [];
    for (let i = 0; i < 4; i++) {
      const payload = await compress(deflate, 512 * 1024, 0x61, { keepTail: i < 3 });
      frames.push({ opcode: i === 0 ? OP.TEXT : OP.CONTINUATION, rsv: i === 0 ? 0b100 : 0, fin: i === 3, payload });
    }
    await expect1009(peer, connections, frames);
  });

  test('server: with context takeover, a bomb after a normal message → 1009 (the normal one delivered)', async () => {
    const { port, connections } = await startServer({ perMessageDeflate: true, maxPayload: MiB });
    const peer = await deflateSession(port, 'permessage-deflate');
    const deflate = rawDeflate(); // one stream: the second message refers to the first's window
    const first = await compress(deflate, 2000, 0x62);
    peer.send({ opcode: OP.TEXT, rsv: 0b100, payload: first });
    const record = await eventually(() => {
      const r = connections[connections.length - 1];
      return r.messages.length === 1 ? r : undefined;
    }, 'the first message');
    assert.equal(record.messages[0].data.toString(), 'b'.repeat(2000));
    const bomb = await compress(deflate, 128 * MiB, 0x62);
    peer.send({ opcode: OP.TEXT, rsv: 0b100, payload: bomb });
    assert.equal((await peer.waitClose(10_000))?.code, 1009);
    await eventually(() => record.close ?? undefined, 'the server-side close event');
    assert.equal(record.messages.length, 1);
  });

  test('client: a server sending a 128 MiB bomb (maxPayload 1 MiB) gets a masked close 1009', async () => {
    let peer;
    const server = await startRawServer(({ accept }) => (peer = accept(['Sec-WebSocket-Extensions: permessage-deflate'])));
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, { maxPayload: MiB });
    ws.on('error', () => {});
    const messages = [];
    ws.on('message', (data) => messages.push(data));
    await nextEvent(ws, 'open');
    assert.match(ws.extensions, /permessage-deflate/);
    const closed = nextEvent(ws, 'close', 10_000);
    const bomb = await compress(rawDeflate(), 128 * MiB);
    const rssBefore = process.memoryUsage().rss;
    peer.send(...fragments(bomb, 4));
    const close = await peer.waitClose(10_000);
    assert.equal(close?.code, 1009);
    assert.equal(close.masked, true);
    assert.equal((await closed)[0], 1009);
    assert.deepEqual(messages, []);
    const growth = process.memoryUsage().rss - rssBefore;
    assert.ok(growth < 64 * MiB, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
    await server.close();
  });
});

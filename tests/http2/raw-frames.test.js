// The protocol core over an HTTP/2 stream, seen from a raw peer: a node:http2
// client opens an extended CONNECT stream to a wsx echo server and writes
// hand-assembled WebSocket frames (tests/helpers/frame-builder.js, written
// from RFC 6455 and independent of wsx), then checks every byte the server
// sends back and how the stream ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer } from '../../dist/index.js';
import { OP, clientFrame, closePayload, frame, readFrames } from '../helpers/frame-builder.js';
import { connectHeaders, openStream, rawSession, startHttp2Server, within } from '../helpers/http2-fixtures.js';

const TIMEOUT = 10_000;

/**
 * Runs one exchange on a fresh stream: writes `frames` (each DATA write may
 * be split into `chunk`-byte pieces), answers the server's END_STREAM with
 * ours, and resolves with the frames the server sent and the reset code.
 */
async function exchange(session, frames, { chunk = 0, sendEnd = false } = {}) {
  const res = await openStream(session, connectHeaders('/'));
  assert.equal(res.status, 200);
  const { stream } = res;
  stream.on('end', () => stream.end());
  const bytes = Buffer.concat(frames);
  if (chunk > 0) for (let i = 0; i < bytes.length; i += chunk) stream.write(bytes.subarray(i, i + chunk));
  else stream.write(bytes);
  if (sendEnd) stream.end();
  const all = await within(res.all(), TIMEOUT, 'stream closed');
  return { frames: readFrames(all), rstCode: stream.rstCode, readableEnded: stream.readableEnded };
}

/** The server's close frame: [code, reason]. */
function closeOf(f) {
  assert.equal(f.opcode, OP.CLOSE);
  assert.equal(f.masked, false, 'server frames are not masked');
  return [f.payload.readUInt16BE(0), f.payload.subarray(2).toString()];
}

for (const secure of [true, false]) {
  const kind = secure ? 'h2' : 'h2c';

  test(`raw frames over ${kind}`, async (t) => {
    const h = await startHttp2Server(WebSocketServer, { secure, wssOptions: { maxPayload: 1 << 20 } });
    h.wss.on('connection', (ws) => {
      ws.on('error', () => {});
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
    const session = await rawSession(h.origin);
    try {
      await t.test('a text message in three fragments with a ping between is echoed whole; the ping is answered', async () => {
        const { frames, rstCode, readableEnded } = await exchange(session, [
          clientFrame({ opcode: OP.TEXT, payload: 'Hel', fin: false }),
          clientFrame({ opcode: OP.PING, payload: 'are you there' }),
          clientFrame({ opcode: OP.CONT, payload: 'lo, ', fin: false }),
          clientFrame({ opcode: OP.CONT, payload: 'wörld' }),
          clientFrame({ opcode: OP.CLOSE, payload: closePayload(1000, 'bye') }),
        ]);
        assert.deepEqual(
          frames.map((f) => [f.fin, f.opcode, f.masked, f.payload.toString()]),
          [
            [true, OP.PONG, false, 'are you there'],
            [true, OP.TEXT, false, 'Hello, wörld'],
            [true, OP.CLOSE, false, closePayload(1000, 'bye').toString()],
          ],
        );
        // The closing handshake ended the stream with END_STREAM, not RST_STREAM.
        assert.equal(rstCode, 0);
        assert.equal(readableEnded, true);
      });

      await t.test('a binary message written one byte per DATA frame is echoed', async () => {
        const payload = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
        const { frames } = await exchange(
          session,
          [clientFrame({ opcode: OP.BINARY, payload }), clientFrame({ opcode: OP.CLOSE, payload: closePayload(1000) })],
          { chunk: 1 },
        );
        assert.equal(frames[0].opcode, OP.BINARY);
        assert.ok(frames[0].payload.equals(payload));
        assert.deepEqual(closeOf(frames[1]), [1000, '']);
      });

      const failures = [
        ['invalid UTF-8 in a text frame', [clientFrame({ opcode: OP.TEXT, payload: [0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80] })], 1007],
        [
          'invalid UTF-8 across fragments',
          [clientFrame({ opcode: OP.TEXT, payload: [0xf0, 0x9f], fin: false }), clientFrame({ opcode: OP.CONT, payload: [0x41] })],
          1007,
        ],
        ['an unmasked client frame', [frame({ opcode: OP.TEXT, payload: 'hi' })], 1002],
        ['a reserved opcode (0x3)', [clientFrame({ opcode: 0x3, payload: 'x' })], 1002],
        ['RSV1 without an extension', [clientFrame({ opcode: OP.TEXT, payload: 'x', rsv: 0b100 })], 1002],
        ['a continuation with no message started', [clientFrame({ opcode: OP.CONT, payload: 'x' })], 1002],
        ['a fragmented ping', [clientFrame({ opcode: OP.PING, payload: 'x', fin: false })], 1002],
        ['a ping of 126 bytes', [clientFrame({ opcode: OP.PING, payload: Buffer.alloc(126) })], 1002],
        ['a close code 1005 on the wire', [clientFrame({ opcode: OP.CLOSE, payload: closePayload(1005) })], 1002],
        ['a close reason that is not UTF-8', [clientFrame({ opcode: OP.CLOSE, payload: Buffer.concat([closePayload(1000), Buffer.from([0xff])]) })], 1007],
        ['a one-byte close payload', [clientFrame({ opcode: OP.CLOSE, payload: [0x03] })], 1002],
        ['a message over maxPayload', [clientFrame({ opcode: OP.BINARY, length: (1 << 20) + 1, payload: Buffer.alloc(0) })], 1009],
      ];
      for (const [name, frames, code] of failures) {
        await t.test(`${name}: close ${code}, then the stream ends without a reset`, async () => {
          const got = await exchange(session, frames);
          assert.equal(got.frames.length, 1, 'exactly the close frame');
          assert.equal(closeOf(got.frames[0])[0], code);
          assert.equal(got.rstCode, 0);
          assert.equal(got.readableEnded, true);
        });
      }

      await t.test('END_STREAM without a close frame is a 1006 on the server, which ends its side', async () => {
        const closed = new Promise((resolve) => h.wss.once('connection', (ws) => ws.once('close', (code) => resolve(code))));
        const got = await exchange(session, [], { sendEnd: true });
        assert.equal(got.frames.length, 0);
        assert.equal(got.readableEnded, true);
        assert.equal(await within(closed, TIMEOUT, 'server close'), 1006);
      });
    } finally {
      session.destroy();
      await h.close();
    }
  });
}

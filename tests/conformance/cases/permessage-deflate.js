// Categories 12 and 13 — permessage-deflate (RFC 7692), both roles.
//
// 12: compressed payloads echoed under the default parameters (sizes, text
//     and binary, compressible or not, fragmented, the section 7.2.3
//     examples byte for byte, a shared window), then hostile input: RSV1 on
//     a continuation or control frame (1002), corrupt data or invalid UTF-8
//     once inflated (1007), a decompression bomb past maxPayload (1009).
// 13: every combination of parameters offered (server role) or answered
//     (client role): no context takeover on each side, window bits 8-15,
//     `client_max_window_bits` without a value; offers the target must
//     decline and answers it must refuse.
//
// The raw peer compresses and inflates with node:zlib itself, never with wsx
// code. It inflates what the target sends with exactly the agreed window and
// context rules, so a target that compresses with a larger window (and refers
// back into an earlier message past the agreed one), or keeps a context it
// agreed to drop, fails the case ("does not inflate").

import { performance } from 'node:perf_hooks';
import { PeerSession } from '../peer-session.js';
import { OP, RSV1, RSV2, RSV3, closePayload } from '../raw-frames.js';
import { exchange, requestHead, standardHeaders, upgradeProblems } from '../raw-client.js';
import { switchingProtocols } from '../raw-server.js';
import { headerValues, newKey } from '../http-head.js';
import { binary, judge, observedClose, pong, rank, text } from '../verdict.js';
import { waitUntil } from '../wait-until.js';
import { KiB, MiB, binaryPayload, size, splitEvery, textPayload } from './payloads.js';
import { ZlibDirection, deflateBomb } from '../../extensions/deflate-raw-peer.js';

const ECHO_WAIT_MS = 5000;
const FAIL_WAIT_MS = 2000;
const OPEN_WAIT_MS = 3000;
const TCP_CLOSE_WAIT_MS = 1000;
const SCRIPT_LIMIT_MS = 20000;

const utf8 = new TextDecoder('utf-8', { fatal: true });
function isValidUtf8(buf) {
  try {
    utf8.decode(buf);
    return true;
  } catch {
    return false;
  }
}

// ---- parameters ---------------------------------------------------------------------

/** A permessage-deflate element: bits 0 = absent, -1 = without a value (offers only). */
function deflateHeader({ sNct = false, cNct = false, sBits = 0, cBits = 0 } = {}) {
  let h = 'permessage-deflate';
  if (sNct) h += '; server_no_context_takeover';
  if (cNct) h += '; client_no_context_takeover';
  if (sBits > 0) h += `; server_max_window_bits=${sBits}`;
  if (cBits > 0) h += `; client_max_window_bits=${cBits}`;
  else if (cBits === -1) h += '; client_max_window_bits';
  return h;
}

/**
 * What a well-formed answer agrees to, read with a plain split (the raw peer
 * only reads answers it made itself or that must equal one it expects).
 */
function agreedBy(answer) {
  if (!answer) return null;
  const [name, ...params] = answer.split(',')[0].split(';').map((s) => s.trim());
  if (name !== 'permessage-deflate') return null;
  const a = { sNct: false, cNct: false, sBits: 15, cBits: 15 };
  for (const p of params) {
    const [k, v] = p.split('=').map((s) => s.trim());
    if (k === 'server_no_context_takeover') a.sNct = true;
    else if (k === 'client_no_context_takeover') a.cNct = true;
    else if (k === 'server_max_window_bits') a.sBits = Number(v);
    else if (k === 'client_max_window_bits' && v !== undefined) a.cBits = Number(v);
  }
  return a;
}

// ---- the raw peer with permessage-deflate ----------------------------------------------

/**
 * A PeerSession that knows the agreed parameters: RSV1 is allowed on the first
 * frame of a data message (and nowhere else), compressed messages are
 * inflated with node:zlib before they are judged, and the raw peer can send
 * compressed messages of its own.
 */
class DeflateSession extends PeerSession {
  constructor(socket, opts, agreed) {
    super(socket, { ...opts, leftover: undefined });
    this.agreed = agreed;
    this.nextCompressed = false;
    if (agreed) {
      // `role` is the raw peer's: its window is the one named for its role.
      const peerIsServer = this.role === 'server';
      this.deflater = new ZlibDirection('deflate', peerIsServer ? agreed.sBits : agreed.cBits, peerIsServer ? agreed.sNct : agreed.cNct);
      this.targetBits = peerIsServer ? agreed.cBits : agreed.sBits;
      this.inflater = new ZlibDirection('inflate', this.targetBits, peerIsServer ? agreed.cNct : agreed.sNct);
    }
    this.notes = [];
    if (opts.leftover?.length) this.onData(opts.leftover);
  }

  onFrame(f) {
    if (this.agreed && (f.rsv & RSV1) !== 0) {
      if (f.opcode === OP.TEXT || f.opcode === OP.BINARY) {
        this.nextCompressed = true;
      } else {
        this.anomaly(`target set RSV1 on a ${f.opcode === OP.CONTINUATION ? 'continuation' : 'control'} frame (opcode ${f.opcode})`);
      }
      f = { ...f, rsv: f.rsv & ~RSV1 };
    }
    super.onFrame(f);
  }

  onDataFrame(f, at) {
    if (f.opcode === OP.CONTINUATION) {
      if (!this.partial) {
        this.anomaly('target sent a continuation frame with no message in progress');
        return;
      }
      this.partial.parts.push(f.payload);
    } else {
      if (this.partial) this.anomaly('target started a new message inside a fragmented one');
      this.partial = { opcode: f.opcode, parts: [f.payload], compressed: this.nextCompressed };
      this.nextCompressed = false;
    }
    if (!f.fin) return;
    const data = this.partial.parts.length === 1 ? this.partial.parts[0] : Buffer.concat(this.partial.parts);
    const item = { type: this.partial.opcode === OP.TEXT ? 'text' : 'binary', data, at, compressed: this.partial.compressed };
    this.partial = null;
    if (!item.compressed && item.type === 'text' && !isValidUtf8(data)) this.anomaly('target sent a text message that is not valid UTF-8');
    this.items.push(item);
  }

  /** Inflates the compressed messages in order, as the agreed parameters say. */
  async inflateItems() {
    for (const item of this.items) {
      if (!item.compressed || item.inflated) continue;
      item.inflated = true;
      if (this.targetBits === 8 && !this.notes.includes('8-bit')) {
        this.notes.push('8-bit');
      }
      try {
        item.data = await this.inflater.message(item.data);
      } catch (error) {
        this.anomaly(`target sent compressed data that does not inflate with the agreed parameters (${error.message})`);
        return;
      }
      if (item.type === 'text' && !isValidUtf8(item.data)) this.anomaly('target sent a compressed text message that is not valid UTF-8');
    }
  }

  /** Sends a message compressed by the raw peer, in `fragments` frames (RSV1 on the first). */
  async sendCompressed(data, { binary: isBinary = false, fragments = 1, chop } = {}) {
    const bytes = Buffer.from(data);
    const parts = fragments === 1 ? [bytes] : splitEvery(bytes, Math.ceil(bytes.length / fragments) || 1);
    const specs = [];
    for (let i = 0; i < parts.length; i++) {
      const fin = i === parts.length - 1;
      const payload = parts.length === 1 ? await this.deflater.message(parts[i]) : await this.deflater.fragment(parts[i], fin);
      specs.push({ opcode: i === 0 ? (isBinary ? OP.BINARY : OP.TEXT) : OP.CONTINUATION, fin, rsv: i === 0 ? RSV1 : 0, payload });
    }
    return this.sendFrames(specs, chop === undefined ? undefined : { chop });
  }

  release() {
    this.deflater?.reset();
    this.inflater?.reset();
  }
}

// ---- running a case -----------------------------------------------------------------

function withLimit(promise, ms) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`script exceeded ${ms} ms`)), ms);
    }),
  ]);
}

/** As the runner's settle: let the target answer, then close, bounded in time. */
async function settle(expect, s, waitMs) {
  const primary = Array.isArray(expect) ? expect[0] : expect;
  if (primary.echo) await s.waitFor(() => s.items.length >= primary.echo.length || s.targetGone, waitMs);
  else await s.waitTargetGone(waitMs);
  await s.waitFor(() => s.targetGone, 10);
  if (!s.targetGone && !s.closed) {
    s.closedBySettle = true;
    await s.sendClose(1000);
    await s.waitTargetGone(waitMs);
  }
  if (s.role === 'client') s.targetClosedTcp = await s.waitFor(() => s.endedAt !== null, TCP_CLOSE_WAIT_MS);
  await s.shutdown(300);
}

/** Server role: the raw client offers `c.offer`; the answer must be `c.answer` (undefined: declined). */
async function openAgainstServer(ctx, c) {
  const srv = await ctx.echoServer(c.server ?? { perMessageDeflate: { threshold: 0 } });
  const key = newKey();
  const headers = [...standardHeaders(srv.port, key)];
  if (c.offer !== undefined) headers.push(['Sec-WebSocket-Extensions', c.offer]);
  const r = await exchange(srv.port, requestHead({ path: `/${c.id}`, headers }));
  if (r.status !== 101) {
    r.socket.destroy();
    return { failed: `handshake: status ${r.status ?? (r.timedOut ? 'none' : 'drop')}, expected 101` };
  }
  const problems = upgradeProblems(r.head, key);
  const answers = headerValues(r.head.headers, 'sec-websocket-extensions');
  const answer = answers.length ? answers.join(', ') : undefined;
  if (answer !== c.answer) {
    problems.push(`answered ${answer === undefined ? 'no extension' : JSON.stringify(answer)}, expected ${c.answer === undefined ? 'none' : JSON.stringify(c.answer)}`);
  }
  if (problems.length) {
    r.socket.destroy();
    return { failed: `handshake: ${problems.join('; ')}` };
  }
  const session = new DeflateSession(r.socket, { role: 'client', leftover: r.leftover, t0: r.t0 }, agreedBy(answer));
  return { session, done: () => {} };
}

/** Client role: the raw server answers `c.response` (undefined: no header); the target's offer must be `c.offered`. */
async function openAgainstClient(ctx, c) {
  const raw = await ctx.rawServer();
  const extra = c.response === undefined ? [] : [`Sec-WebSocket-Extensions: ${c.response}`];
  const accepting = raw.accept((head) => ({ bytes: switchingProtocols(head, extra), upgrade: false }));
  const client = ctx.startClient(`ws://127.0.0.1:${raw.port}/${c.id}`, undefined, c.client ?? { perMessageDeflate: { threshold: 0 } });
  const conn = await accepting;
  if (!conn.socket) {
    client.terminate();
    return { failed: `handshake: ${conn.error ?? 'no connection'}` };
  }
  const offers = headerValues(conn.request.headers, 'sec-websocket-extensions');
  const offered = offers.length ? offers.join(', ') : undefined;
  const expectedOffer = 'offered' in c ? c.offered : 'permessage-deflate; client_max_window_bits';
  const t0 = performance.now();
  const session = new DeflateSession(conn.socket, { role: 'server', t0 }, agreedBy(c.response));
  const done = () => client.terminate();
  if (offered !== expectedOffer) {
    session.socket.destroy();
    done();
    return { failed: `offered ${offered === undefined ? 'nothing' : JSON.stringify(offered)}, expected ${JSON.stringify(expectedOffer)}` };
  }
  const opened = await waitUntil(() => client.obs.opened || client.obs.closeCode !== null, OPEN_WAIT_MS);
  if (!opened || !client.obs.opened) {
    session.socket.destroy();
    done();
    return { failed: `the client did not open (errors: ${client.obs.errors.join(', ') || 'none'})` };
  }
  return { session, done };
}

/**
 * A case on an established connection with permessage-deflate.
 * @param {object} c
 * @param {string} c.id
 * @param {string} c.desc
 * @param {(s: DeflateSession) => Promise<void>} c.run the raw peer's script
 * @param {object|object[]|(() => object)} c.expect as in verdict.js
 * @param {string} [c.offer] server role: the raw client's offer (default: the default offer)
 * @param {string} [c.answer] server role: the answer required
 * @param {string} [c.response] client role: the raw server's answer
 * @param {object} [c.server] / [c.client] options of the target
 */
function deflateCase(c) {
  const offer = 'offer' in c ? c.offer : 'permessage-deflate; client_max_window_bits';
  const answer = 'answer' in c ? c.answer : 'permessage-deflate';
  const response = 'response' in c ? c.response : 'permessage-deflate';
  return {
    id: c.id,
    desc: c.desc,
    roles: c.roles,
    custom: async (ctx) => {
      const open = ctx.role === 'server' ? openAgainstServer(ctx, { ...c, offer, answer }) : openAgainstClient(ctx, { ...c, response });
      const conn = await open;
      if (conn.failed) return { verdict: 'FAILED', close: 'none', note: conn.failed };
      const s = conn.session;
      s.t0 = performance.now();
      let scriptError = '';
      try {
        await withLimit(Promise.resolve(c.run(s)), SCRIPT_LIMIT_MS);
      } catch (error) {
        scriptError = error.message;
      }
      const expect = typeof c.expect === 'function' ? c.expect() : c.expect;
      const primary = Array.isArray(expect) ? expect[0] : expect;
      await settle(expect, s, c.waitMs ?? (primary.echo ? ECHO_WAIT_MS : FAIL_WAIT_MS));
      await s.inflateItems();
      s.release();
      conn.done();
      let { verdict, note } = judge(expect, s);
      const notes = [note];
      if (s.role === 'client' && s.targetClosedTcp === false && verdict === 'OK') {
        verdict = 'NON-STRICT';
        notes.push('the server did not close TCP within 1 s of the closing handshake');
      }
      if (s.notes.includes('8-bit') && rank(verdict) > rank('NON-STRICT')) {
        verdict = 'NON-STRICT';
        notes.push('compressed although its window is 8 bits, which zlib cannot produce (RFC 7692 allows sending uncompressed)');
      }
      if (scriptError) notes.push(`script: ${scriptError}`);
      return { verdict, close: observedClose(s), note: notes.filter(Boolean).join('; ') };
    },
  };
}

/** Sends each message compressed, one after the other. */
const compressedMessages = (messages, opts) => async (s) => {
  for (const [data, isBinary] of messages) await s.sendCompressed(data, { binary: isBinary, ...opts });
};
const echoOf = (messages) => ({ echo: messages.map(([data, isBinary]) => (isBinary ? binary(data) : text(data))) });

const cases = [];

// ---- 12.1-12.3: payload sizes under the default parameters ---------------------------

const SIZES = [16, 64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB];
const REPEAT = 10;
const kinds = [
  ['12.1', 'compressible text', (n) => [textPayload(n), false]],
  ['12.2', 'compressible binary', (n) => [textPayload(n), true]],
  ['12.3', 'incompressible binary', (n) => [binaryPayload(n, 121), true]],
];
for (const [prefix, what, make] of kinds) {
  SIZES.forEach((n, i) => {
    const count = n >= 256 * KiB ? 3 : REPEAT;
    const messages = () => Array.from({ length: count }, () => make(n));
    cases.push(
      deflateCase({
        id: `${prefix}.${i + 1}`,
        desc: `${count} × ${what} of ${size(n)}, compressed, echoed compressed (shared window)`,
        run: (s) => compressedMessages(messages())(s),
        expect: () => echoOf(messages()),
        waitMs: 10000,
      }),
    );
  });
}

// ---- 12.4: fragmented compressed messages --------------------------------------------

[
  [2, 4 * KiB, undefined],
  [10, 16 * KiB, undefined],
  [100, 64 * KiB, undefined],
  [3, 2 * KiB, 1],
  [4, 64 * KiB, { random: 12, max: 700 }],
].forEach(([fragments, n, chop], i) => {
  const data = textPayload(n);
  cases.push(
    deflateCase({
      id: `12.4.${i + 1}`,
      desc: `compressed text of ${size(n)} in ${fragments} fragments${chop === 1 ? ', written 1 byte at a time' : chop ? ', random TCP splits' : ''}`,
      run: (s) => s.sendCompressed(data, { fragments, chop }),
      expect: { echo: [text(data)] },
    }),
  );
});
cases.push(
  deflateCase({
    id: '12.4.6',
    desc: 'compressed message in 3 fragments with a ping between: pong first, then the message',
    run: async (s) => {
      const [a, b, c] = splitEvery(textPayload(3000), 1000);
      const first = await s.deflater.fragment(a, false);
      const second = await s.deflater.fragment(b, false);
      const third = await s.deflater.fragment(c, true);
      await s.sendFrames([
        { opcode: OP.TEXT, fin: false, rsv: RSV1, payload: first },
        { opcode: OP.PING, payload: 'between' },
        { opcode: OP.CONTINUATION, fin: false, payload: second },
        { opcode: OP.CONTINUATION, payload: third },
      ]);
    },
    expect: { echo: [pong('between'), text(textPayload(3000))] },
  }),
);
cases.push(
  deflateCase({
    id: '12.4.7',
    desc: 'compressed, uncompressed and compressed messages interleaved',
    run: async (s) => {
      await s.sendCompressed(textPayload(2000));
      await s.sendFrames({ opcode: OP.BINARY, payload: binaryPayload(500, 3) });
      await s.sendCompressed(textPayload(2000));
    },
    expect: { echo: [text(textPayload(2000)), binary(binaryPayload(500, 3)), text(textPayload(2000))] },
  }),
);

// ---- 12.5: RFC 7692 section 7.2.3, byte for byte --------------------------------------

const hex = (s) => Buffer.from(s.replace(/ /g, ''), 'hex');
const rfcFrames = (...frames) => (s) => s.sendFrames(frames);
[
  ['7.2.3.1 "Hello" in one compressed block', rfcFrames({ opcode: OP.TEXT, rsv: RSV1, payload: hex('f2 48 cd c9 c9 07 00') }), ['Hello']],
  [
    '7.2.3.1 "Hello" compressed across two fragments',
    rfcFrames({ opcode: OP.TEXT, fin: false, rsv: RSV1, payload: hex('f2 48 cd') }, { opcode: OP.CONTINUATION, payload: hex('c9 c9 07 00') }),
    ['Hello'],
  ],
  [
    '7.2.3.2 two "Hello" sharing the sliding window (f2 00 11 00 00)',
    rfcFrames({ opcode: OP.TEXT, rsv: RSV1, payload: hex('f2 48 cd c9 c9 07 00') }, { opcode: OP.TEXT, rsv: RSV1, payload: hex('f2 00 11 00 00') }),
    ['Hello', 'Hello'],
  ],
  ['7.2.3.3 a DEFLATE block with no compression', rfcFrames({ opcode: OP.TEXT, rsv: RSV1, payload: hex('00 05 00 fa ff 48 65 6c 6c 6f 00') }), ['Hello']],
  [
    '7.2.3.4 a DEFLATE block with BFINAL set, then another message',
    rfcFrames({ opcode: OP.TEXT, rsv: RSV1, payload: hex('f3 48 cd c9 c9 07 00 00') }, { opcode: OP.TEXT, rsv: RSV1, payload: hex('f2 48 cd c9 c9 07 00') }),
    ['Hello', 'Hello'],
  ],
  ['7.2.3.5 two DEFLATE blocks in one message', rfcFrames({ opcode: OP.TEXT, rsv: RSV1, payload: hex('f2 48 05 00 00 00 ff ff ca c9 c9 07 00') }), ['Hello']],
  ['7.2.3.6 an empty compressed message (a single 00 byte)', rfcFrames({ opcode: OP.TEXT, rsv: RSV1, payload: hex('00') }), ['']],
  ['an empty binary message compressed with its sync-flush block (00 00 00 ff ff)', rfcFrames({ opcode: OP.BINARY, rsv: RSV1, payload: hex('00 00 00 ff ff') }), [Buffer.alloc(0)]],
].forEach(([desc, run, expected], i) => {
  cases.push(
    deflateCase({
      id: `12.5.${i + 1}`,
      desc,
      run,
      expect: { echo: expected.map((e) => (typeof e === 'string' ? text(e) : binary(e))) },
    }),
  );
});

// ---- 12.6: the raw peer's messages refer back to earlier ones --------------------------

cases.push(
  deflateCase({
    id: '12.6.1',
    desc: 'five identical 1 KiB messages from one compressor: each after the first is a back-reference',
    run: compressedMessages(Array.from({ length: 5 }, () => [textPayload(KiB), false])),
    expect: echoOf(Array.from({ length: 5 }, () => [textPayload(KiB), false])),
  }),
);

// ---- 12.9: hostile input ----------------------------------------------------------------

const LIMITED = { perMessageDeflate: { threshold: 0 }, maxPayload: MiB };
const hostile = (c) => cases.push(deflateCase({ server: LIMITED, client: LIMITED, ...c }));
const HELLO = hex('f2 48 cd c9 c9 07 00');

hostile({
  id: '12.9.1',
  desc: 'a compressed message inflating to 256 MiB (about 260 KiB on the wire), maxPayload 1 MiB',
  run: (s) => s.sendFrames({ opcode: OP.BINARY, rsv: RSV1, payload: deflateBomb(256) }),
  expect: { fail: [1009] },
});
hostile({
  id: '12.9.2',
  desc: 'the same bomb in 16 fragments',
  run: (s) => {
    const bomb = deflateBomb(256);
    const parts = splitEvery(bomb, Math.ceil(bomb.length / 16));
    return s.sendFrames(parts.map((payload, i) => ({ opcode: i ? OP.CONTINUATION : OP.BINARY, rsv: i ? 0 : RSV1, fin: i === parts.length - 1, payload })));
  },
  expect: { fail: [1009] },
});
hostile({
  id: '12.9.3',
  desc: 'a valid compressed message, then one inflating past maxPayload: echo the first, then 1009',
  run: async (s) => {
    await s.sendCompressed(textPayload(4 * KiB));
    await s.sendCompressed(textPayload(MiB + 1));
  },
  expect: { fail: [1009], before: [text(textPayload(4 * KiB))] },
});
hostile({ id: '12.9.4', desc: 'corrupt deflate data (ff ff ff ff)', run: rfcFrames({ opcode: OP.BINARY, rsv: RSV1, payload: hex('ff ff ff ff') }), expect: { fail: [1007] } });
hostile({ id: '12.9.5', desc: 'a reserved DEFLATE block type (BTYPE 11)', run: rfcFrames({ opcode: OP.BINARY, rsv: RSV1, payload: hex('07 00') }), expect: { fail: [1007] } });
hostile({
  id: '12.9.6',
  desc: 'a back-reference before the start of the stream',
  run: rfcFrames({ opcode: OP.TEXT, rsv: RSV1, payload: hex('f2 00 11 00 00') }),
  expect: { fail: [1007] },
});
hostile({
  id: '12.9.7',
  desc: 'a compressed text message that is not valid UTF-8 once inflated',
  run: (s) => s.sendCompressed(Buffer.concat([textPayload(2000), Buffer.from([0xc3, 0x28])])),
  expect: { fail: [1007] },
});
hostile({
  id: '12.9.8',
  desc: 'a valid compressed message, then corrupt data: echo the first, then 1007',
  run: rfcFrames({ opcode: OP.TEXT, rsv: RSV1, payload: HELLO }, { opcode: OP.TEXT, rsv: RSV1, payload: hex('ff ff ff ff') }),
  expect: { fail: [1007], before: [text('Hello')] },
});
[
  ['RSV1 on the continuation frame of an uncompressed message', [{ opcode: OP.TEXT, fin: false, payload: 'Hel' }, { opcode: OP.CONTINUATION, rsv: RSV1, payload: 'lo' }]],
  ['RSV1 on the continuation frame of a compressed message', [{ opcode: OP.TEXT, fin: false, rsv: RSV1, payload: hex('f2 48 cd') }, { opcode: OP.CONTINUATION, rsv: RSV1, payload: hex('c9 c9 07 00') }]],
  ['RSV1 on a ping', [{ opcode: OP.PING, rsv: RSV1, payload: 'ping' }]],
  ['RSV1 on a pong', [{ opcode: OP.PONG, rsv: RSV1, payload: 'pong' }]],
  ['RSV1 on a close frame', [{ opcode: OP.CLOSE, rsv: RSV1, payload: closePayload(1000) }]],
  ['RSV1 on a ping between the fragments of a compressed message', [{ opcode: OP.TEXT, fin: false, rsv: RSV1, payload: hex('f2 48 cd') }, { opcode: OP.PING, rsv: RSV1, payload: 'p' }, { opcode: OP.CONTINUATION, payload: hex('c9 c9 07 00') }]],
  ['RSV2 on a data frame', [{ opcode: OP.TEXT, rsv: RSV2, payload: 'Hello' }]],
  ['RSV3 on a compressed data frame', [{ opcode: OP.TEXT, rsv: RSV1 | RSV3, payload: HELLO }]],
].forEach(([desc, frames], i) => {
  hostile({ id: `12.9.${9 + i}`, desc, run: (s) => s.sendFrames(frames), expect: { fail: [1002] } });
});

// ---- 13.1-13.4: every parameter combination --------------------------------------------

const TAKEOVER = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
// Every window size on each side, absent values, and a valueless client_max_window_bits.
const WINDOWS = [
  [0, 0],
  [0, -1],
  [8, 8],
  [9, 9],
  [10, 12],
  [11, 13],
  [12, 10],
  [13, 11],
  [14, 15],
  [15, 14],
  [8, 15],
  [15, 8],
];
/** Traffic that fails to inflate when a window or context rule is broken. */
function parameterTraffic() {
  const far = Buffer.concat([binaryPayload(1200, 131), binaryPayload(1200, 131)]);
  return [...Array.from({ length: 4 }, () => [textPayload(600), false]), [far, true], [textPayload(20), false]];
}
TAKEOVER.forEach(([sNct, cNct], t) => {
  WINDOWS.forEach(([sBits, cBits], w) => {
    const offer = deflateHeader({ sNct, cNct, sBits, cBits });
    const answer = deflateHeader({ sNct, cNct, sBits, cBits: Math.max(cBits, 0) });
    cases.push(
      deflateCase({
        id: `13.${t + 1}.${w + 1}`,
        desc: `server role: offer "${offer}"; client role: answer "${answer}"`,
        offer,
        answer,
        response: answer,
        run: (s) => compressedMessages(parameterTraffic())(s),
        expect: () => echoOf(parameterTraffic()),
      }),
    );
  });
});

// ---- 13.5: the server's own options, and several offers ---------------------------------

const plainTraffic = [[textPayload(3000), false], [textPayload(3000), false]];
[
  [{ serverNoContextTakeover: true }, 'permessage-deflate', 'permessage-deflate; server_no_context_takeover'],
  [{ clientNoContextTakeover: true }, 'permessage-deflate', 'permessage-deflate; client_no_context_takeover'],
  [{ serverMaxWindowBits: 9 }, 'permessage-deflate', 'permessage-deflate; server_max_window_bits=9'],
  [{ serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=12', 'permessage-deflate; server_max_window_bits=10'],
  [{ clientMaxWindowBits: 9 }, 'permessage-deflate; client_max_window_bits', 'permessage-deflate; client_max_window_bits=9'],
  [{ clientMaxWindowBits: 11 }, 'permessage-deflate; client_max_window_bits=10', 'permessage-deflate; client_max_window_bits=10'],
  [{ serverMaxWindowBits: 8 }, 'permessage-deflate', 'permessage-deflate; server_max_window_bits=8'],
  [{}, 'permessage-deflate; server_max_window_bits=7, permessage-deflate; client_no_context_takeover', 'permessage-deflate; client_no_context_takeover'],
  [{}, 'x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=11', 'permessage-deflate; server_max_window_bits=11'],
  [{ serverNoContextTakeover: false }, 'permessage-deflate; server_no_context_takeover, permessage-deflate', 'permessage-deflate'],
].forEach(([option, offer, answer], i) => {
  cases.push(
    deflateCase({
      id: `13.5.${i + 1}`,
      desc: `server option ${JSON.stringify(option)}, offer "${offer}": answer "${answer}"`,
      roles: ['server'],
      server: { perMessageDeflate: { threshold: 0, ...option } },
      offer,
      answer,
      run: compressedMessages(plainTraffic),
      expect: echoOf(plainTraffic),
    }),
  );
});

// ---- 13.6: offers the server declines (101 without the extension, never 400) -----------

[
  ['permessage-deflate; server_max_window_bits=1000', {}],
  ['permessage-deflate; server_max_window_bits=7', {}],
  ['permessage-deflate; server_max_window_bits=16', {}],
  ['permessage-deflate; server_max_window_bits=08', {}],
  ['permessage-deflate; server_max_window_bits', {}],
  ['permessage-deflate; client_max_window_bits=10; client_max_window_bits=10', {}],
  ['permessage-deflate; server_no_context_takeover=yes', {}],
  ['permessage-deflate; constructor', {}],
  ['permessage-deflate; unknown_parameter', {}],
  ['permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: false }],
  ['permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: false }],
  ['permessage-deflate', { clientMaxWindowBits: 10 }],
].forEach(([offer, option], i) => {
  cases.push(
    deflateCase({
      id: `13.6.${i + 1}`,
      desc: `offer "${offer}"${Object.keys(option).length ? ` with ${JSON.stringify(option)}` : ''}: declined, then RSV1 is a protocol error`,
      roles: ['server'],
      server: { perMessageDeflate: { threshold: 0, ...option } },
      offer,
      answer: undefined,
      run: (s) => s.sendFrames([{ opcode: OP.TEXT, payload: 'plain' }, { opcode: OP.TEXT, rsv: RSV1, payload: HELLO }]),
      expect: { fail: [1002], before: [text('plain')] },
    }),
  );
});
cases.push(
  deflateCase({
    id: '13.6.13',
    desc: 'the server runs without permessage-deflate (its default): the offer is declined',
    roles: ['server'],
    server: {},
    answer: undefined,
    run: (s) => s.sendFrames({ opcode: OP.TEXT, payload: 'plain' }),
    expect: { echo: [text('plain')] },
  }),
);

// ---- 13.7: what the client offers -------------------------------------------------------

[
  [{ perMessageDeflate: true }, 'permessage-deflate; client_max_window_bits', 'permessage-deflate'],
  [{ perMessageDeflate: false }, undefined, undefined],
  [
    { perMessageDeflate: { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 9 } },
    'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9',
    'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9',
  ],
  [
    { perMessageDeflate: { threshold: 0, clientNoContextTakeover: true } },
    'permessage-deflate; client_no_context_takeover; client_max_window_bits',
    // The client keeps its own promise even when the answer does not repeat it.
    'permessage-deflate',
  ],
  [
    { perMessageDeflate: [{ threshold: 0, serverMaxWindowBits: 9 }, { clientMaxWindowBits: false }] },
    'permessage-deflate; server_max_window_bits=9; client_max_window_bits, permessage-deflate',
    'permessage-deflate',
  ],
].forEach(([client, offered, response], i) => {
  cases.push(
    deflateCase({
      id: `13.7.${i + 1}`,
      desc: `client option ${JSON.stringify(client.perMessageDeflate)}: offers ${offered === undefined ? 'nothing' : `"${offered}"`}; answered ${response === undefined ? 'without the extension' : `"${response}"`}`,
      roles: ['client'],
      client,
      offered,
      response,
      // Without the extension, RSV1 must fail the connection.
      run: response === undefined ? rfcFrames({ opcode: OP.TEXT, rsv: RSV1, payload: HELLO }) : compressedMessages(plainTraffic),
      expect: response === undefined ? { fail: [1002] } : echoOf(plainTraffic),
    }),
  );
});

// ---- 13.8: answers the client must refuse (the handshake fails, nothing opens) -----------

function refusedAnswer(id, option, response) {
  return {
    id,
    desc: `client option ${JSON.stringify(option)}, answer "${response}": the client fails the handshake`,
    roles: ['client'],
    custom: async (ctx) => {
      const raw = await ctx.rawServer();
      const accepting = raw.accept((head) => ({ bytes: switchingProtocols(head, [`Sec-WebSocket-Extensions: ${response}`]), upgrade: false }));
      const client = ctx.startClient(`ws://127.0.0.1:${raw.port}/${id}`, undefined, { perMessageDeflate: option });
      const conn = await accepting;
      const settled = await waitUntil(() => client.obs.opened || client.obs.closeCode !== null, OPEN_WAIT_MS);
      conn.socket?.destroy();
      client.terminate();
      if (client.obs.opened) return { verdict: 'FAILED', close: 'open', note: 'opened the connection' };
      if (!settled) return { verdict: 'FAILED', close: 'none', note: `neither opened nor failed within ${OPEN_WAIT_MS / 1000} s` };
      const verdict = client.obs.errors.length ? 'OK' : 'NON-STRICT';
      return { verdict, close: `no open${client.obs.errors.length ? ` (${client.obs.errors[0]})` : ''}`, note: verdict === 'OK' ? '' : 'closed without an error event' };
    },
  };
}
[
  [true, 'permessage-deflate; foo'],
  [true, 'permessage-deflate; server_no_context_takeover; server_no_context_takeover'],
  [true, 'permessage-deflate; server_max_window_bits=7'],
  [true, 'permessage-deflate; server_max_window_bits=16'],
  [true, 'permessage-deflate; server_max_window_bits=08'],
  [true, 'permessage-deflate; server_max_window_bits=1000'],
  [true, 'permessage-deflate; client_max_window_bits'],
  [true, 'permessage-deflate, permessage-deflate'],
  [{ clientMaxWindowBits: false }, 'permessage-deflate; client_max_window_bits=10'],
  [{ serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=11'],
  [{ serverNoContextTakeover: true }, 'permessage-deflate'],
].forEach(([option, response], i) => cases.push(refusedAnswer(`13.8.${i + 1}`, option, response)));

export default {
  category: '12',
  title: 'permessage-deflate (categories 12/13)',
  cases,
};

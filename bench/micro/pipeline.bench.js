// The whole server-side echo path without a kernel: a server WebSocket (wsx's and ws's,
// through each one's own attach step) over an in-memory Duplex whose writes complete at
// once; each chunk of masked frames is emitted as the socket's 'data' and every message is
// echoed with ws.send(data, { binary }). This is the JavaScript cost per echoed message
// (parse, unmask, UTF-8 check, events, framing, write batching, Node's stream layer) that
// the socket scenarios add on top of the kernel's read/write cost, measured without the
// noise of the network and of the other processes on this machine.
// Each call copies the pristine chunks into fresh buffers first (both unmask in place, and
// a message may be a view of its chunk); that copy is the same for both and included.

import { Duplex } from 'node:stream';
import { binaryPayload, encodeMaskedFrame, repeatFrame, textPayload } from '../load/client-frames.js';
import { WSX_MISSING } from './wsx-pieces.js';

const KiB = 1024;
// Frames per chunk as the socket scenarios see them (about 16 small frames per read at
// 16 in flight); a 64 KiB message straddles two 64 KiB reads, as it does from the kernel.
const STREAMS = [
  { name: '16 B binary, 16 per read', opcode: 2, size: 16, frames: 16, chunk: 0, rounds: 16 },
  { name: '1 KiB text, 16 per read', opcode: 1, size: KiB, frames: 16, chunk: 0, rounds: 16 },
  { name: '64 KiB binary, 64 KiB reads', opcode: 2, size: 64 * KiB, frames: 4, chunk: 64 * KiB, rounds: 1 },
];

class MemorySocket extends Duplex {
  constructor() {
    super();
    this.bytesOut = 0;
  }
  _read() {}
  _write(chunk, _encoding, callback) {
    this.bytesOut += chunk.length;
    callback();
  }
  _writev(chunks, callback) {
    for (const { chunk } of chunks) this.bytesOut += chunk.length;
    callback();
  }
  setNoDelay() {
    return this;
  }
  setTimeout() {
    return this;
  }
}

function echo(ws, counter) {
  ws.on('message', (data, isBinary) => {
    counter.n++;
    ws.send(data, { binary: isBinary });
  });
  ws.on('error', (err) => {
    throw err;
  });
}

function wsxServer(wsx, counter) {
  const socket = new MemorySocket();
  const ws = new wsx.WebSocket(null, undefined, {});
  ws.attach(socket, Buffer.alloc(0), {
    role: 'server',
    protocol: '',
    extensions: '',
    perMessageDeflate: null,
    maxPayload: 100 * 1024 * 1024,
    skipUTF8Validation: false,
    autoPong: true,
    allowSynchronousEvents: true,
  });
  echo(ws, counter);
  return socket;
}

function wsServer(ws, counter) {
  const socket = new MemorySocket();
  const server = new ws.WebSocket(null, undefined, {});
  server.setSocket(socket, Buffer.alloc(0), { allowSynchronousEvents: true, maxPayload: 100 * 1024 * 1024, skipUTF8Validation: false });
  echo(server, counter);
  return socket;
}

export function pipelineCases({ ws, wsx }) {
  const cases = [];
  const group = 'server echo path in memory (no kernel), per message';
  for (const s of STREAMS) {
    const payload = s.opcode === 1 ? textPayload(s.size) : binaryPayload(s.size);
    const stream = repeatFrame(encodeMaskedFrame(s.opcode, payload), s.frames);
    const step = s.chunk || stream.length;
    const pristine = [];
    for (let at = 0; at < stream.length; at += step) pristine.push(stream.subarray(at, at + step));
    const make = (impl, factory) => {
      const counter = { n: 0 };
      let socket;
      const feed = () => {
        for (let i = 0; i < pristine.length; i++) {
          // A fresh buffer per call: a message view the server still holds must not be overwritten.
          const chunk = Buffer.allocUnsafe(pristine[i].length);
          chunk.set(pristine[i]);
          socket.emit('data', chunk);
        }
      };
      // One sample feeds the stream `rounds` times, then lets the event loop turn once, as a
      // server does between reads (Node's stream layer finishes writes on process.nextTick;
      // without a turn those pile up and the numbers measure the pile-up, not the path).
      const run = async () => {
        for (let r = 0; r < s.rounds; r++) feed();
        await new Promise(setImmediate);
      };
      try {
        socket = factory(counter);
        feed();
      } catch (err) {
        return { group, case: s.name, impl, skipped: true, note: `threw: ${err.message}` };
      }
      if (counter.n !== s.frames) return { group, case: s.name, impl, skipped: true, note: `echoed ${counter.n} of ${s.frames}` };
      return { group, case: s.name, impl, reps: s.frames * s.rounds, bytes: s.size, note: 'per message', fn: run };
    };
    if (wsx.WebSocket) cases.push(make('wsx', (counter) => wsxServer(wsx, counter)));
    else cases.push({ group, case: s.name, impl: 'wsx', skipped: true, note: WSX_MISSING });
    if (ws.WebSocket) cases.push(make('ws', (counter) => wsServer(ws, counter)));
  }
  return cases;
}

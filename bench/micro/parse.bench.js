// Parsing a stream of masked client frames into messages: ws's Receiver (a Writable, fed
// with write() as ws does from the socket) against wsx's sans-I/O Connection (receive()),
// and wsx's bare FrameParser (frames only, no message assembly) for reference.
// Both unmask in place, so each call first copies the pristine stream into a work buffer
// (the same memcpy for every implementation, included in the times).

import { binaryPayload, encodeMaskedFrame, repeatFrame, textPayload } from '../load/client-frames.js';
import { WSX_MISSING } from './wsx-pieces.js';

const STREAMS = [
  { name: '16 B binary ×1024', opcode: 2, size: 16, count: 1024 },
  { name: '1 KiB text ×256', opcode: 1, size: 1024, count: 256 },
  { name: '64 KiB binary ×8', opcode: 2, size: 64 * 1024, count: 8 },
];

function wsParser(ws, onMessage) {
  const receiver = new ws.Receiver({
    isServer: true,
    maxPayload: 0,
    skipUTF8Validation: false,
    binaryType: 'nodebuffer',
    extensions: {},
    allowSynchronousEvents: true,
  });
  receiver.on('message', onMessage);
  receiver.on('error', (err) => {
    throw err;
  });
  return (chunk) => receiver.write(chunk);
}

function wsxConnection(wsx, onMessage) {
  const noop = () => {};
  const conn = new wsx.Connection(
    { role: 'server', maxPayload: 0 },
    {
      onMessage,
      onFragment: noop,
      onPing: noop,
      onPong: noop,
      onCloseFrame: noop,
      onProtocolError(err) {
        throw err;
      },
      onOutput: noop,
    },
  );
  return (chunk) => conn.receive(chunk);
}

function wsxFrames(wsx, onFrameEnd) {
  const sink = {
    frameStart: () => true,
    framePayload(_data, end) {
      if (end) onFrameEnd();
      return true;
    },
    frameError(err) {
      throw err;
    },
  };
  const parser = new wsx.FrameParser(sink, true, false);
  return (chunk) => parser.parse(chunk, 0);
}

export function parseCases({ ws, wsx }) {
  const cases = [];
  for (const s of STREAMS) {
    const payload = s.opcode === 1 ? textPayload(s.size) : binaryPayload(s.size);
    const pristine = repeatFrame(encodeMaskedFrame(s.opcode, payload), s.count);
    const work = Buffer.allocUnsafe(pristine.length);
    const group = 'parse a frame stream (server role)';
    const make = (impl, factory) => {
      let messages = 0;
      let feed;
      try {
        feed = factory(() => messages++);
        work.set(pristine);
        feed(work);
      } catch (err) {
        return { group, case: s.name, impl, skipped: true, note: `threw: ${err.message}` };
      }
      if (messages !== s.count) return { group, case: s.name, impl, skipped: true, note: `counted ${messages} of ${s.count}` };
      return {
        group,
        case: s.name,
        impl,
        reps: s.count,
        bytes: s.size,
        note: 'per message',
        fn: () => {
          work.set(pristine);
          feed(work);
        },
      };
    };
    if (wsx.Connection) cases.push(make('wsx Connection', (cb) => wsxConnection(wsx, cb)));
    else cases.push({ group, case: s.name, impl: 'wsx Connection', skipped: true, note: WSX_MISSING });
    cases.push(make('ws Receiver', (cb) => wsParser(ws, cb)));
    if (wsx.FrameParser) cases.push(make('wsx FrameParser (frames only)', (cb) => wsxFrames(wsx, cb)));
  }
  return cases;
}

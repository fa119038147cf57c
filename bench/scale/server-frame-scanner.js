// Reads a server's frames (unmasked, RFC 6455 5.1) just enough to answer pings:
// data payloads are skipped, control payloads (at most 125 bytes) are collected.
// State is a few fields, so a frame split across reads resumes where it stopped.
// Independent of wsx: a peer that shares the server's parser proves nothing.

import { encodeMaskedFrame } from '../load/client-frames.js';

const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
const EMPTY = Buffer.alloc(0);

/** The masked pong a client sends for an empty ping: built once, written as is. */
export const EMPTY_PONG = encodeMaskedFrame(OPCODE_PONG, EMPTY);

/** The masked pong answering a ping with this payload (RFC 6455 5.5.3: same application data). */
export function pongFor(payload) {
  return payload.length === 0 ? EMPTY_PONG : encodeMaskedFrame(OPCODE_PONG, payload);
}

/** Bytes in a frame header whose first two bytes are b0, b1. */
function headerLength(b1) {
  const len = b1 & 0x7f;
  return (len < 126 ? 2 : len === 126 ? 4 : 10) + (b1 & 0x80 ? 4 : 0);
}

export class ServerFrameScanner {
  constructor() {
    this.header = null; // a header split across reads (allocated only then)
    this.headerFill = 0;
    this.remaining = 0; // payload bytes left in the current frame
    this.opcode = 0;
    this.control = null; // payload of the current control frame
    this.controlFill = 0;
    this.pings = 0;
    this.closeFrames = 0;
  }

  /** Feeds buf[start, end); calls sink.onPing(payload) per ping and sink.onCloseFrame() per close. */
  feed(buf, start, end, sink) {
    let pos = start;
    while (pos < end) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, end - pos);
        if (this.control !== null) {
          buf.copy(this.control, this.controlFill, pos, pos + take);
          this.controlFill += take;
        }
        this.remaining -= take;
        pos += take;
        if (this.remaining === 0) this.finish(sink);
        continue;
      }
      if (this.headerFill === 0 && end - pos >= 2 && end - pos >= headerLength(buf[pos + 1])) {
        pos += this.begin(buf, pos, sink);
        continue;
      }
      // A header split across reads: gather it byte by byte (rare, at most 14 bytes).
      if (this.header === null) this.header = Buffer.allocUnsafe(14);
      this.header[this.headerFill++] = buf[pos++];
      if (this.headerFill >= 2 && this.headerFill === headerLength(this.header[1])) {
        this.headerFill = 0;
        this.begin(this.header, 0, sink);
      }
    }
  }

  /** Starts the frame whose complete header is at hdr[at]; returns the header's length. */
  begin(hdr, at, sink) {
    const b1 = hdr[at + 1];
    const len7 = b1 & 0x7f;
    let length = len7;
    if (len7 === 126) length = hdr.readUInt16BE(at + 2);
    else if (len7 === 127) length = hdr.readUInt32BE(at + 2) * 0x100000000 + hdr.readUInt32BE(at + 6);
    this.opcode = hdr[at] & 0x0f;
    this.remaining = length;
    this.control = this.opcode >= 8 && length > 0 ? Buffer.allocUnsafe(length) : null;
    this.controlFill = 0;
    if (length === 0) this.finish(sink);
    return headerLength(b1);
  }

  finish(sink) {
    const payload = this.control ?? EMPTY;
    this.control = null;
    if (this.opcode === OPCODE_PING) {
      this.pings++;
      sink.onPing(payload);
    } else if (this.opcode === OPCODE_CLOSE) {
      this.closeFrames++;
      sink.onCloseFrame();
    }
  }
}

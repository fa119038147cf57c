/**
 * Frame encoding (RFC 6455 section 5.2) with the minimal length form.
 *
 * Small frames are built as one buffer (header and payload copied together):
 * a 16-byte message costs less as one 18-byte buffer than as two buffers in a
 * writev. Large payloads are never copied just to sit beside their header:
 * the header goes in its own buffer and the payload is referenced as given
 * (or masked into a fresh buffer, for the client, since the caller's bytes
 * must not be modified).
 */
import { maskInto } from './mask.js';

/** Payloads up to this size are copied into the frame's single buffer. */
export const COPY_THRESHOLD = 1024;

/** Masking key value meaning "send unmasked" (keys are uint32, so -1 is free). */
export const NO_MASK = -1;

export function frameHeaderLength(payloadLength: number, masked: boolean): number {
  const base = payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10;
  return masked ? base + 4 : base;
}

/** Writes a header at `offset`; returns the offset after it. */
export function writeFrameHeader(
  dst: Buffer,
  offset: number,
  fin: boolean,
  rsv1: boolean,
  opcode: number,
  payloadLength: number,
  maskKey: number,
): number {
  dst[offset++] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  const maskBit = maskKey === NO_MASK ? 0 : 0x80;
  if (payloadLength < 126) {
    dst[offset++] = maskBit | payloadLength;
  } else if (payloadLength < 65536) {
    dst[offset++] = maskBit | 126;
    dst[offset++] = payloadLength >>> 8;
    dst[offset++] = payloadLength & 0xff;
  } else {
    dst[offset++] = maskBit | 127;
    // Payloads are Buffers, so lengths fit in 53 bits; the high word is written first.
    const high = Math.floor(payloadLength / 0x100000000);
    dst.writeUInt32BE(high, offset);
    dst.writeUInt32BE(payloadLength >>> 0, offset + 4);
    offset += 8;
  }
  if (maskKey !== NO_MASK) {
    dst.writeUInt32BE(maskKey >>> 0, offset);
    offset += 4;
  }
  return offset;
}

/**
 * Encodes one frame and appends its buffers to `out`. Returns the number of
 * bytes appended.
 */
export function encodeFrame(
  out: Buffer[],
  opcode: number,
  payload: Buffer,
  fin: boolean,
  rsv1: boolean,
  maskKey: number,
): number {
  const length = payload.length;
  const masked = maskKey !== NO_MASK;
  const headerLength = frameHeaderLength(length, masked);
  if (length <= COPY_THRESHOLD) {
    const frame = Buffer.allocUnsafe(headerLength + length);
    const at = writeFrameHeader(frame, 0, fin, rsv1, opcode, length, maskKey);
    if (masked) maskInto(payload, 0, length, frame, at, maskKey, 0);
    else payload.copy(frame, at);
    out.push(frame);
  } else {
    const header = Buffer.allocUnsafe(headerLength);
    writeFrameHeader(header, 0, fin, rsv1, opcode, length, maskKey);
    out.push(header);
    if (masked) {
      const body = Buffer.allocUnsafe(length);
      maskInto(payload, 0, length, body, 0, maskKey, 0);
      out.push(body);
    } else {
      out.push(payload);
    }
  }
  return headerLength + length;
}

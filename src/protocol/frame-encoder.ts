/**
 * Frame encoding (RFC 6455 section 5.2) with the minimal length form.
 *
 * Small frames are built as one buffer (header and payload copied together):
 * a 16-byte message costs less as one 18-byte buffer than as two buffers in a
 * writev. Large payloads are never copied just to sit beside their header:
 * the header goes in its own buffer and the payload is referenced as given
 * (or masked into a fresh buffer, for the client, since the caller's bytes
 * must not be modified).
 *
 * Frame bytes are carved from shared slabs (`reserveFrameBytes`) rather than
 * allocated one by one: Node's own Buffer pool is 8 KiB, so a stream of 1 KiB
 * frames paid for a new ArrayBuffer every seven frames. A slab region is
 * handed out once and never written again, so a frame still queued in a
 * socket keeps its bytes; a slab is freed when its last frame is.
 */
import { Buffer } from 'node:buffer';
import { maskInto } from './mask.js';

/** Payloads up to this size are copied into the frame's single buffer (encodeFrame). */
export const COPY_THRESHOLD = 1024;

/** Masking key value meaning "send unmasked" (keys are uint32, so -1 is free). */
export const NO_MASK = -1;

/** Size of a shared slab (a larger reservation gets a slab of its own size). */
const SLAB_SIZE = 64 * 1024;
/** Below this many bytes a byte loop copies faster than a call into TypedArray.prototype.set. */
const SMALL_COPY = 32;

let slab: Buffer = Buffer.allocUnsafeSlow(SLAB_SIZE);
let slabUsed = 0;

/**
 * Reserves `length` bytes of frame memory and returns their offset in
 * `frameSlab()` (which changes when the current slab is full). Callers
 * that append consecutive frames can tell they are contiguous by comparing
 * the slab and the offset with where their previous frame ended.
 */
export function reserveFrameBytes(length: number): number {
  if (slabUsed + length > slab.length) {
    slab = Buffer.allocUnsafeSlow(length > SLAB_SIZE ? length : SLAB_SIZE);
    slabUsed = 0;
  }
  const at = slabUsed;
  slabUsed += length;
  return at;
}

/** Bytes left in the current slab (a larger reservation starts a new one). */
export function frameSlabRoom(): number {
  return slab.length - slabUsed;
}

/** The slab that the last `reserveFrameBytes` carved from. */
export function frameSlab(): Buffer {
  return slab;
}

/** Copies `src` into `dst` at `offset` (unmasked). */
export function copyPayload(src: Buffer, dst: Buffer, offset: number): void {
  const length = src.length;
  if (length <= SMALL_COPY) {
    // Four bytes per turn: V8 reloads both arrays' data pointers after each
    // turn's interrupt check, so fewer turns mean fewer reloads.
    let i = 0;
    for (const stop = length & ~3; i < stop; i += 4) {
      dst[offset + i] = src[i]!;
      dst[offset + i + 1] = src[i + 1]!;
      dst[offset + i + 2] = src[i + 2]!;
      dst[offset + i + 3] = src[i + 3]!;
    }
    for (; i < length; i++) dst[offset + i] = src[i]!;
  } else {
    dst.set(src, offset);
  }
}

/**
 * Writes one frame (header and payload) into `dst` at `offset`; returns the
 * offset after it. `dst` must have room for the header and the payload.
 */
export function writeFrame(
  dst: Buffer,
  offset: number,
  opcode: number,
  payload: Buffer,
  fin: boolean,
  rsv1: boolean,
  maskKey: number,
): number {
  const at = writeFrameHeader(dst, offset, fin, rsv1, opcode, payload.length, maskKey);
  if (maskKey !== NO_MASK) maskInto(payload, 0, payload.length, dst, at, maskKey, 0);
  else copyPayload(payload, dst, at);
  return at + payload.length;
}

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
    dst[offset] = maskKey >>> 24;
    dst[offset + 1] = maskKey >>> 16;
    dst[offset + 2] = maskKey >>> 8;
    dst[offset + 3] = maskKey;
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
    const at = reserveFrameBytes(headerLength + length);
    writeFrame(slab, at, opcode, payload, fin, rsv1, maskKey);
    out.push(slab.subarray(at, at + headerLength + length));
  } else {
    const at = reserveFrameBytes(headerLength);
    writeFrameHeader(slab, at, fin, rsv1, opcode, length, maskKey);
    out.push(slab.subarray(at, at + headerLength));
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

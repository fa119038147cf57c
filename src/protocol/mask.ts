/**
 * XOR masking (RFC 6455 section 5.3). `key` is the 4-byte masking key as a
 * big-endian uint32 so the hot loops work on numbers, not on a key buffer.
 * `keyOffset` is how many payload bytes were already unmasked with this key
 * (a frame split across reads resumes in the middle of the key).
 *
 * Measured on Node 20 (bench/micro, see bench/notes.md): a byte loop wins
 * below ~64 bytes, where setting up the word loop costs more than it saves;
 * above it, 64-bit words. Payloads after a 6- or 14-byte header are rarely
 * 8-byte aligned, so the word loop starts at the first aligned address and
 * rotates the key to match, instead of requiring the payload itself to be
 * aligned. From 8 KiB a WebAssembly SIMD loop takes over (simd-mask.ts), and
 * from 256 bytes bufferutil's native code when the Node binding installed it.
 */

import { createSimdUnmask, type SimdUnmask } from './simd-mask.js';

/** Below this many bytes the byte loop is faster than the word loop. */
const WORD_LOOP_MIN = 64;

/** Words are read in the CPU's byte order (as typed arrays do); the key word must match. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * From this length on the WebAssembly SIMD loop wins over the 64-bit word
 * loop despite its two copies and two views. On one hot buffer SIMD leads
 * from 8 KiB (1.4×; 1.9× at 16 KiB); over many buffers in turn, as a server
 * sees them, the two are even at 8 KiB and SIMD leads from 16 KiB
 * (bench/notes.md).
 */
export const SIMD_MIN = 8192;

const simdLoop = createSimdUnmask();
let simdUnmask: SimdUnmask | null = simdLoop;

/**
 * Turns the WebAssembly SIMD loop off or back on (tests and benchmarks
 * compare it with the word loop). Returns whether it is in use.
 */
export function useSimdUnmask(enabled: boolean): boolean {
  simdUnmask = enabled ? simdLoop : null;
  return simdUnmask !== null;
}

/**
 * An in-place XOR with a 4-byte key, native code (bufferutil's `unmask`).
 * The core never looks for one: a Node binding may hand it over
 * (src/transport/native-unmask.ts), and every caller stays correct without.
 */
export type NativeUnmask = (buffer: Uint8Array, mask: Uint8Array) => void;

/**
 * From this length on the native XOR wins (bench/micro: 46 against 69 ns at
 * 128 B, 65 against 171 ns at 1 KiB, once the view and the call are paid).
 */
const NATIVE_MIN = 256;

let nativeUnmask: NativeUnmask | null = null;
/** The rotated key as bytes, for the native call (reused: the call is synchronous). */
const nativeKey = new Uint8Array(4);

/** Installs (or with null removes) a native XOR for payloads of NATIVE_MIN bytes and more. */
export function useNativeUnmask(fn: NativeUnmask | null): void {
  nativeUnmask = fn;
}

/** Unmasks (or masks: XOR is its own inverse) `buf[start, end)` in place. */
export function unmaskInPlace(buf: Uint8Array, start: number, end: number, key: number, keyOffset: number): void {
  let k = keyFrom(key, keyOffset);
  let i = start;
  if (end - i < WORD_LOOP_MIN) {
    // Small payloads first (the common case): an in-place loop, no second call.
    xorSmallInPlace(buf, i, end, k);
    return;
  }
  if (nativeUnmask !== null && end - i >= NATIVE_MIN) {
    nativeKey[0] = k >>> 24;
    nativeKey[1] = k >>> 16;
    nativeKey[2] = k >>> 8;
    nativeKey[3] = k;
    nativeUnmask(buf.subarray(i, end), nativeKey);
    return;
  }
  if (simdUnmask !== null && end - i >= SIMD_MIN) {
    // WebAssembly is little-endian whatever the CPU: buf[start] takes the word's low byte.
    simdUnmask(buf, i, end, byteSwap32(k), buf, i);
    return;
  }
  let words = wordsOver(buf);
  // Head: byte by byte up to an 8-byte aligned address, rotating the key one byte per step.
  for (let head = (wordsLead - i) & 7; head > 0; head--) {
    buf[i++]! ^= k >>> 24;
    k = (k << 8) | (k >>> 24);
  }
  const count = (end - i) >>> 3;
  let w = (i - wordsLead) >> 3;
  const stop = w + count;
  if (stop > words.length) {
    // The buffer's ArrayBuffer was resized since its view was built.
    wordsOwner = null;
    words = wordsOver(buf);
  }
  // The key twice, as one 64-bit word in the CPU's byte order.
  keyHalves[0] = keyHalves[1] = LITTLE_ENDIAN ? byteSwap32(k) : k;
  const keyWord = keyDouble[0]!;
  // Unrolled by 4: fewer loop checks, 1.25× the plain loop in V8 (250 against 310 ns per KiB).
  for (const unrolled = w + (count & ~3); w < unrolled; w += 4) {
    words[w]! ^= keyWord;
    words[w + 1]! ^= keyWord;
    words[w + 2]! ^= keyWord;
    words[w + 3]! ^= keyWord;
  }
  for (; w < stop; w++) words[w]! ^= keyWord;
  i += count << 3;
  // Tail: fewer than 8 bytes; the key is in phase again after whole words.
  for (; i < end; i++) {
    buf[i]! ^= k >>> 24;
    k = (k << 8) | (k >>> 24);
  }
}

/*
 * The word view of the last buffer unmasked. One read holds many frames, and
 * Node 20 answers `buf.buffer` from C++ (about 50 ns, as much as unmasking
 * 200 bytes), so the view is built once per buffer rather than once per frame.
 * It keeps that one buffer alive until another is unmasked.
 *
 * The words are 64-bit: V8 compiles XOR on BigUint64Array elements to plain
 * 64-bit instructions (no BigInt is allocated once the loop is optimized),
 * 1.3-1.6× the speed of the 32-bit loop from 256 bytes (bench/notes.md).
 */
let wordsOwner: Uint8Array | null = null;
let wordsView: BigUint64Array = new BigUint64Array(0);
/** Index in the owner of the first 8-byte aligned byte, where wordsView[0] starts. */
let wordsLead = 0;
/** Scratch for building the 64-bit key word from the 32-bit key. */
const keyHalves = new Int32Array(2);
const keyDouble = new BigUint64Array(keyHalves.buffer);

/** A BigUint64Array over every aligned word of `buf` (cached for the last buffer). */
function wordsOver(buf: Uint8Array): BigUint64Array {
  if (buf !== wordsOwner) {
    const offset = buf.byteOffset;
    wordsLead = (8 - (offset & 7)) & 7;
    wordsView = new BigUint64Array(buf.buffer, offset + wordsLead, Math.max(0, (buf.length - wordsLead) >> 3));
    wordsOwner = buf;
  }
  return wordsView;
}

/**
 * Masks `src[start, end)` into `dst` at `dstOffset`. Works in place too
 * (src === dst, same offsets). From SIMD_MIN the SIMD loop reads the source
 * and writes the destination itself. Other large ranges are copied first (a
 * native memcpy) and then masked in place, with the aligned word loop or the
 * native XOR, which beats reading two buffers of different alignment word by
 * word.
 */
export function maskInto(
  src: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  dstOffset: number,
  key: number,
  keyOffset: number,
): void {
  if (end - start >= WORD_LOOP_MIN) {
    if (simdUnmask !== null && nativeUnmask === null && end - start >= SIMD_MIN) {
      simdUnmask(src, start, end, byteSwap32(keyFrom(key, keyOffset)), dst, dstOffset);
      return;
    }
    if (src !== dst || start !== dstOffset) dst.set(src.subarray(start, end), dstOffset);
    unmaskInPlace(dst, dstOffset, dstOffset + (end - start), key, keyOffset);
    return;
  }
  maskBytes(src, start, end, dst, dstOffset, keyFrom(key, keyOffset));
}

/** The key rotated so that its top byte applies to the first byte of a range `keyOffset` bytes into the payload. */
function keyFrom(key: number, keyOffset: number): number {
  const shift = (keyOffset & 3) << 3;
  return shift === 0 ? key | 0 : (key << shift) | (key >>> (32 - shift));
}

/** The key's bytes in the opposite order, for loops that read words little-endian. */
function byteSwap32(k: number): number {
  return (k >>> 24) | ((k >>> 8) & 0xff00) | ((k << 8) & 0xff0000) | (k << 24);
}

/**
 * In-place byte loop for short ranges, 4 bytes per step; `k` as in maskBytes.
 * It repeats maskBytes's loop on purpose: maskBytes also serves maskInto with
 * two different buffers, and the in-place copy measured 20-30 ns less per
 * 16-byte frame, most of a small frame's unmasking cost.
 */
function xorSmallInPlace(buf: Uint8Array, i: number, end: number, k: number): void {
  const k0 = k >>> 24;
  const k1 = (k >>> 16) & 0xff;
  const k2 = (k >>> 8) & 0xff;
  const k3 = k & 0xff;
  for (const stop = i + ((end - i) & ~3); i < stop; i += 4) {
    buf[i]! ^= k0;
    buf[i + 1]! ^= k1;
    buf[i + 2]! ^= k2;
    buf[i + 3]! ^= k3;
  }
  // Fewer than 4 left: the key is in phase again after whole steps.
  for (let s = 24; i < end; i++, s -= 8) buf[i]! ^= (k >>> s) & 0xff;
}

/** Byte loop, 4 bytes per step; `k` is the key rotated so its top byte applies to src[i]. */
function maskBytes(src: Uint8Array, i: number, end: number, dst: Uint8Array, j: number, k: number): void {
  const stop = i + ((end - i) & ~3);
  if (i < stop) {
    const k0 = k >>> 24;
    const k1 = (k >>> 16) & 0xff;
    const k2 = (k >>> 8) & 0xff;
    const k3 = k & 0xff;
    for (; i < stop; i += 4, j += 4) {
      dst[j] = src[i]! ^ k0;
      dst[j + 1] = src[i + 1]! ^ k1;
      dst[j + 2] = src[i + 2]! ^ k2;
      dst[j + 3] = src[i + 3]! ^ k3;
    }
  }
  for (; i < end; i++, j++) {
    dst[j] = src[i]! ^ (k >>> 24);
    k = (k << 8) | (k >>> 24);
  }
}

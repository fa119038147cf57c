const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * XOR masking (RFC 6455 section 5.3). `key` is the 4-byte masking key as a
 * big-endian uint32 so the hot loop works on numbers, not on a key buffer.
 * `keyOffset` is how many payload bytes were already unmasked with this key
 * (a frame split across reads resumes in the middle of the key).
 */
export function unmaskInPlace(buf: Uint8Array, start: number, end: number, key: number, keyOffset: number): void {
  maskInto(buf, start, end, buf, start, key, keyOffset);
}

/**
 * Masks `src[start, end)` into `dst` at `dstOffset`. Works in place too
 * (src === dst, same offsets). Processes 4 bytes per step once the source is
 * 4-byte aligned, which is where the time goes for large payloads.
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
  const k0 = key >>> 24;
  const k1 = (key >>> 16) & 0xff;
  const k2 = (key >>> 8) & 0xff;
  const k3 = key & 0xff;
  let i = start;
  let j = dstOffset;
  let phase = keyOffset & 3;
  // Head: byte by byte until the key phase is 0.
  while (i < end && phase !== 0) {
    dst[j++] = src[i++]! ^ (phase === 1 ? k1 : phase === 2 ? k2 : k3);
    phase = (phase + 1) & 3;
  }
  const words = (end - i) >>> 2;
  if (words >= 8 && ((src.byteOffset + i) & 3) === 0 && ((dst.byteOffset + j) & 3) === 0) {
    // Aligned word loop; the key word follows the CPU's byte order, as Uint32Array does.
    const keyWord = LITTLE_ENDIAN ? (k0 | (k1 << 8) | (k2 << 16) | (k3 << 24)) >>> 0 : key >>> 0;
    const s32 = new Uint32Array(src.buffer, src.byteOffset + i, words);
    const d32 = new Uint32Array(dst.buffer, dst.byteOffset + j, words);
    for (let w = 0; w < words; w++) d32[w] = s32[w]! ^ keyWord;
    i += words << 2;
    j += words << 2;
  } else {
    const stop = i + (words << 2);
    while (i < stop) {
      dst[j] = src[i]! ^ k0;
      dst[j + 1] = src[i + 1]! ^ k1;
      dst[j + 2] = src[i + 2]! ^ k2;
      dst[j + 3] = src[i + 3]! ^ k3;
      i += 4;
      j += 4;
    }
  }
  // Tail.
  let p = 0;
  while (i < end) {
    dst[j++] = src[i++]! ^ (p === 0 ? k0 : p === 1 ? k1 : k2);
    p++;
  }
}

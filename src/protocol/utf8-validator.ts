import { isUtf8 } from 'node:buffer';

/** Below this many bytes the byte loop beats the call into the native validator. */
const NATIVE_THRESHOLD = 32;

/**
 * Incremental UTF-8 validation (Unicode table 3-7, RFC 3629) across
 * fragments and partial reads. It rejects as soon as the bytes seen so far
 * cannot begin any valid text: an overlong form, a surrogate or a code point
 * above U+10FFFF is refused at its second byte, not at the end of the message.
 */
export class Utf8Validator {
  /** Continuation bytes still expected by the current sequence. */
  private need = 0;
  /** Allowed range of the next continuation byte. */
  private lower = 0x80;
  private upper = 0xbf;

  reset(): void {
    this.need = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
  }

  /** Feeds `buf[start, end)`; false once the text is certainly invalid. */
  write(buf: Uint8Array, start: number, end: number): boolean {
    let i = start;
    // Finish a sequence left open by the previous piece.
    while (this.need !== 0 && i < end) {
      if (!this.continuation(buf[i++]!)) return false;
    }
    if (i === end) return true;
    if (end - i >= NATIVE_THRESHOLD) {
      // Validate the complete sequences natively; only an open tail goes through the byte loop.
      const cut = lastSequenceStart(buf, i, end);
      if (cut > i && !isUtf8(buf.subarray(i, cut))) return false;
      i = cut;
    }
    for (; i < end; i++) {
      const b = buf[i]!;
      if (this.need !== 0) {
        if (!this.continuation(b)) return false;
      } else if (b >= 0x80 && !this.lead(b)) {
        return false;
      }
    }
    return true;
  }

  /** True when the text so far ends on a code point boundary. Resets the state. */
  finish(): boolean {
    const complete = this.need === 0;
    this.reset();
    return complete;
  }

  private lead(b: number): boolean {
    if (b >= 0xc2 && b <= 0xdf) return this.expect(1, 0x80, 0xbf);
    if (b === 0xe0) return this.expect(2, 0xa0, 0xbf); // no overlong 3-byte forms
    if (b === 0xed) return this.expect(2, 0x80, 0x9f); // no surrogates
    if (b >= 0xe1 && b <= 0xef) return this.expect(2, 0x80, 0xbf);
    if (b === 0xf0) return this.expect(3, 0x90, 0xbf); // no overlong 4-byte forms
    if (b === 0xf4) return this.expect(3, 0x80, 0x8f); // nothing above U+10FFFF
    if (b >= 0xf1 && b <= 0xf3) return this.expect(3, 0x80, 0xbf);
    return false; // 0x80-0xc1 and 0xf5-0xff never start a sequence
  }

  private expect(need: number, lower: number, upper: number): boolean {
    this.need = need;
    this.lower = lower;
    this.upper = upper;
    return true;
  }

  private continuation(b: number): boolean {
    if (b < this.lower || b > this.upper) return false;
    this.lower = 0x80;
    this.upper = 0xbf;
    this.need--;
    return true;
  }
}

/**
 * Index where the last, possibly incomplete, multi-byte sequence of
 * `buf[start, end)` begins, or `end` when the range ends on a boundary.
 * Only the last 4 bytes are inspected.
 */
function lastSequenceStart(buf: Uint8Array, start: number, end: number): number {
  const floor = Math.max(start, end - 4);
  for (let i = end - 1; i >= floor; i--) {
    const b = buf[i]!;
    if (b < 0x80) return i + 1;
    if (b >= 0xc0) {
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return i + length <= end ? end : i;
    }
  }
  return end;
}

const shortValidator = new Utf8Validator();

/** Whole-buffer validation, for a message that arrived in one piece. */
export function isValidUtf8(buf: Uint8Array): boolean {
  if (buf.length >= NATIVE_THRESHOLD) return isUtf8(buf);
  const valid = shortValidator.write(buf, 0, buf.length);
  return shortValidator.finish() && valid;
}

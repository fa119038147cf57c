/**
 * The hex/ASCII preview of a binary message: the first bytes as classic
 * hexdump rows (offset, 16 hex bytes, printable ASCII), then how many bytes
 * were left out. Also the strict hex parser behind `/binary <hex>`.
 */

import { Buffer } from 'node:buffer';

const BYTES_PER_ROW = 16;
/** Bytes shown before the preview is cut short. */
export const PREVIEW_BYTES = 64;

export function hexPreviewRows(data: Uint8Array, limit: number = PREVIEW_BYTES): string[] {
  const shown = Math.min(data.length, limit);
  const rows: string[] = [];
  for (let offset = 0; offset < shown; offset += BYTES_PER_ROW) {
    const end = Math.min(offset + BYTES_PER_ROW, shown);
    let hex = '';
    let ascii = '';
    for (let i = offset; i < offset + BYTES_PER_ROW; i++) {
      if (i < end) {
        const byte = data[i]!;
        hex += byte.toString(16).padStart(2, '0') + ' ';
        ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
      } else {
        hex += '   ';
      }
      if (i === offset + 7) hex += ' ';
    }
    rows.push(`${offset.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  if (data.length > shown) rows.push(`… ${String(data.length - shown)} more bytes`);
  return rows;
}

/** A one-line preview for logs: '01 02 41 |..A| …' (at most `limit` bytes). */
export function hexInline(data: Uint8Array, limit = 16): string {
  const shown = data.subarray(0, Math.min(data.length, limit));
  let hex = '';
  let ascii = '';
  for (const byte of shown) {
    hex += (hex === '' ? '' : ' ') + byte.toString(16).padStart(2, '0');
    ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
  }
  return `${hex} |${ascii}|${data.length > shown.length ? ' …' : ''}`;
}

/**
 * Bytes from hex digits; spaces and colons between bytes are allowed
 * ('de ad be ef', 'de:ad:be:ef'). Returns null for anything else.
 */
export function parseHex(text: string): Buffer | null {
  let digits = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ' ' || c === ':' || c === '\t') continue;
    const code = c.charCodeAt(0);
    const isHex = (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46);
    if (!isHex) return null;
    digits += c;
  }
  if (digits.length % 2 !== 0) return null;
  return Buffer.from(digits, 'hex');
}

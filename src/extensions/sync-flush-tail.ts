/**
 * The bytes a Z_SYNC_FLUSH ends with (an empty stored block). RFC 7692 7.2.1
 * has the sender drop them from the end of a message and the receiver put
 * them back before inflating.
 */

import { Buffer } from 'node:buffer';

export const SYNC_FLUSH_TAIL: Buffer = Buffer.from([0x00, 0x00, 0xff, 0xff]);

export function endsWithSyncFlushTail(data: Buffer): boolean {
  const n = data.length;
  return n >= 4 && data[n - 4] === 0x00 && data[n - 3] === 0x00 && data[n - 2] === 0xff && data[n - 1] === 0xff;
}

import { constants, deflateRawSync, type ZlibOptions } from 'node:zlib';
import type { SharedDeflateSettings } from '../transport/message-codec.js';
import { endsWithSyncFlushTail } from './sync-flush-tail.js';

/** Settings keyed by everything that changes deflate's output. */
export function sharedDeflateSettings(zlibOptions: ZlibOptions): SharedDeflateSettings {
  const { windowBits, level, memLevel, strategy } = zlibOptions;
  return { key: `${windowBits}/${level ?? '-'}/${memLevel ?? '-'}/${strategy ?? '-'}`, zlibOptions: { ...zlibOptions } };
}

/**
 * Compresses one whole message as RFC 7692 7.2.1 asks (sync flush, tail
 * removed). Synchronous on purpose: a publish compresses once for thousands
 * of recipients and must queue the result on each of them in publish order,
 * as uWebSockets' shared compressor does.
 */
export function deflateMessage(payload: Buffer, settings: SharedDeflateSettings): Buffer {
  const output = deflateRawSync(payload, { ...settings.zlibOptions, finishFlush: constants.Z_SYNC_FLUSH });
  return endsWithSyncFlushTail(output) ? output.subarray(0, output.length - 4) : output;
}

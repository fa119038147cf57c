import type { WebSocketError } from '../protocol/errors.js';
import type { ZlibOptions } from 'node:zlib';

/**
 * A per-message compression codec (permessage-deflate). Callbacks must come
 * back in call order; the transport relies on it to keep messages ordered.
 */
export interface MessageCodec {
  /** Messages smaller than this are sent uncompressed. */
  readonly threshold: number;
  /** False when this side cannot compress with the negotiated parameters (e.g. an 8-bit window). */
  readonly canCompress: boolean;
  /** Non-null when each message is compressed from an empty window (see shared-deflate.ts). */
  readonly sharedDeflate: SharedDeflateSettings | null;
  compress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
  decompress(data: Buffer, fin: boolean, callback: (error: WebSocketError | null, result?: Buffer) => void): void;
  close(): void;
}

/**
 * The compressor settings of a codec that compresses every message from an
 * empty window (no context takeover on its sending side). Its output then
 * depends on the message and these settings only, so a publish can compress
 * once for every recipient whose `key` matches.
 */
export interface SharedDeflateSettings {
  /** Equal keys produce byte-identical output for the same message. */
  readonly key: string;
  readonly zlibOptions: Readonly<ZlibOptions>;
}

import type { WebSocketError } from '../protocol/errors.js';

/**
 * A per-message compression codec (permessage-deflate). Callbacks must come
 * back in call order; the transport relies on it to keep messages ordered.
 */
export interface MessageCodec {
  /** Messages smaller than this are sent uncompressed. */
  readonly threshold: number;
  /** False when this side cannot compress with the negotiated parameters (e.g. an 8-bit window). */
  readonly canCompress: boolean;
  compress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
  decompress(data: Buffer, fin: boolean, callback: (error: WebSocketError | null, result?: Buffer) => void): void;
  close(): void;
}

import { CloseCode } from '../protocol/close-codes.js';
import { WebSocketError } from '../protocol/errors.js';
import {
  DEFAULT_ZLIB_CONCURRENCY,
  MAX_WINDOW_BITS,
  type DeflateTuning,
  type InflateTuning,
  type NegotiatedDeflate,
} from '../protocol/permessage-deflate-negotiation.js';
import { DeflateLane } from './deflate-lane.js';
import type { SharedDeflateSettings } from '../transport/message-codec.js';
import { sharedDeflateSettings } from './shared-deflate.js';
import { InflateLane } from './inflate-lane.js';
import { sharedZlibLimiter, type ZlibLimiter } from './zlib-limiter.js';

export interface PerMessageDeflateCodecOptions {
  /** Messages shorter than this many bytes are sent uncompressed. */
  threshold: number;
  /** Limit on the inflated size of one message; 0 disables it (as in ws). */
  maxPayload: number;
  zlibDeflateOptions?: DeflateTuning;
  zlibInflateOptions?: InflateTuning;
  /** Selects the shared limiter for this value (default 10); ignored when `limiter` is given. */
  concurrencyLimit?: number;
  /** A limiter of one's own (tests, isolation); by default the process-wide one. */
  limiter?: ZlibLimiter;
}

/** Smallest window zlib can deflate with in raw mode (it refuses 8). */
const MIN_DEFLATE_WINDOW_BITS = 9;

/**
 * The permessage-deflate codec (RFC 7692 section 7.2) for one connection.
 *
 * `compress` and `decompress` take one frame's payload at a time and call back
 * asynchronously, always in call order within each direction. Both directions
 * run their zlib work inside the process-wide limiter. After an error in
 * `decompress` every later `decompress` fails with the same error (nothing more
 * is inflated for a connection that is being failed); call `close()` then.
 */
export class PerMessageDeflate {
  readonly params: NegotiatedDeflate;
  readonly role: 'server' | 'client';
  readonly threshold: number;
  /**
   * False when the window we must compress with is 8 bits: zlib cannot produce
   * raw deflate for it (Node silently uses 9, which a strict peer rejects), so
   * every message goes out uncompressed, without RSV1, as RFC 7692 allows.
   */
  readonly canCompress: boolean;
  /** The window our compressor uses (0 when `canCompress` is false). */
  readonly deflateWindowBits: number;
  /** The window our decompressor uses: the peer's agreed maximum. */
  readonly inflateWindowBits: number;
  /** Set when our compressor starts every message afresh, so publishes may compress once for many. */
  readonly sharedDeflate: SharedDeflateSettings | null;
  private readonly deflateLane: DeflateLane | null;
  private readonly inflateLane: InflateLane;
  private closed = false;

  constructor(params: NegotiatedDeflate, role: 'server' | 'client', options: PerMessageDeflateCodecOptions) {
    this.params = params;
    this.role = role;
    this.threshold = options.threshold;
    const limiter = options.limiter ?? sharedZlibLimiter(options.concurrencyLimit ?? DEFAULT_ZLIB_CONCURRENCY);
    const isServer = role === 'server';
    const ourBits = isServer ? params.serverMaxWindowBits : params.clientMaxWindowBits;
    const peerBits = isServer ? params.clientMaxWindowBits : params.serverMaxWindowBits;
    const ourNoContextTakeover = isServer ? params.serverNoContextTakeover : params.clientNoContextTakeover;
    const peerNoContextTakeover = isServer ? params.clientNoContextTakeover : params.serverNoContextTakeover;

    this.canCompress = ourBits >= MIN_DEFLATE_WINDOW_BITS;
    if (this.canCompress) {
      // A smaller window than agreed is always allowed and saves memory.
      const wanted = options.zlibDeflateOptions?.windowBits ?? MAX_WINDOW_BITS;
      this.deflateWindowBits = Math.max(MIN_DEFLATE_WINDOW_BITS, Math.min(ourBits, wanted));
      this.deflateLane = new DeflateLane(limiter, this.deflateWindowBits, ourNoContextTakeover, options.zlibDeflateOptions);
      this.sharedDeflate = ourNoContextTakeover ? sharedDeflateSettings(this.deflateLane.zlibOptions) : null;
    } else {
      this.deflateWindowBits = 0;
      this.deflateLane = null;
      this.sharedDeflate = null;
    }
    this.inflateWindowBits = peerBits;
    this.inflateLane = new InflateLane(limiter, peerBits, peerNoContextTakeover, options.maxPayload, options.zlibInflateOptions);
  }

  /**
   * Whether a message whose first frame is `byteLength` bytes long should be
   * compressed (ws compares the first fragment with the threshold too).
   */
  shouldCompress(byteLength: number): boolean {
    return this.canCompress && byteLength >= this.threshold;
  }

  /**
   * Compresses one frame's payload of a compressed message. On the final frame
   * the 00 00 FF FF tail is removed and, without context takeover on our side,
   * the compressor is freed. Throws when `canCompress` is false.
   */
  compress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void {
    if (this.deflateLane === null) {
      throw new Error('permessage-deflate cannot compress with an 8-bit window; send uncompressed (see canCompress)');
    }
    if (!this.deflateLane.enqueue(data, fin, callback)) process.nextTick(callback, closedError());
  }

  /**
   * Decompresses one frame's payload of a compressed message (00 00 FF FF is
   * appended on the final frame) and calls back with that frame's output.
   * Fails with WSX_ERR_MESSAGE_TOO_BIG (1009) as soon as the message's
   * inflated size passes `maxPayload`, and WSX_ERR_INVALID_COMPRESSED_DATA
   * (1007) on corrupt data.
   */
  decompress(data: Buffer, fin: boolean, callback: (error: WebSocketError | null, result?: Buffer) => void): void {
    if (!this.inflateLane.enqueue(data, fin, callback)) process.nextTick(callback, closedError());
  }

  /** Pending compress jobs (including a running one): a send queue's backlog. */
  get pendingCompressions(): number {
    return this.deflateLane === null ? 0 : this.deflateLane.pendingJobs;
  }

  get pendingDecompressions(): number {
    return this.inflateLane.pendingJobs;
  }

  /** Frees zlib resources; jobs not yet completed are failed, in order. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const error = closedError();
    this.deflateLane?.close(error);
    this.inflateLane.close(error);
  }
}

function closedError(): WebSocketError {
  return new WebSocketError(
    'WSX_ERR_NOT_OPEN',
    'permessage-deflate was closed before the data was processed',
    CloseCode.ABNORMAL_CLOSURE,
  );
}

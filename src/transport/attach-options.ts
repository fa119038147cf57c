import type { Duplex } from 'node:stream';
import type { DeflateTuning, InflateTuning } from '../protocol/permessage-deflate-negotiation.js';

/**
 * What the handshake layers (server/ and client/) hand to a WebSocket once
 * the opening handshake has succeeded on a transport.
 */
export interface AttachOptions {
  role: 'server' | 'client';
  /** The negotiated subprotocol, or '' when none. */
  protocol: string;
  /** The negotiated `Sec-WebSocket-Extensions` value, or '' when none. */
  extensions: string;
  /** The negotiated permessage-deflate parameters (null when not in use). */
  perMessageDeflate: NegotiatedDeflate | null;
  /**
   * The codec settings from the `perMessageDeflate` option that produced the
   * agreement; the handshakes set it whenever `perMessageDeflate` is not null.
   * Absent, the codec uses ws's defaults (threshold 1024, 10 zlib jobs).
   */
  deflateOptions?: DeflateCodecSettings;
  maxPayload: number;
  skipUTF8Validation: boolean;
  autoPong: boolean;
  allowSynchronousEvents: boolean;
  /** The HTTP version the handshake ran on: '2' for an RFC 8441 stream (default '1.1'). */
  httpVersion?: '1.1' | '2';
}

/**
 * Parameters agreed for permessage-deflate (RFC 7692), from the point of view
 * of the protocol: the window bits are resolved numbers (8-15).
 */
export interface NegotiatedDeflate {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/**
 * How this side runs permessage-deflate once it is agreed: what the
 * `perMessageDeflate` option says beyond the negotiated parameters.
 * (`maxPayload` comes from AttachOptions.)
 */
export interface DeflateCodecSettings {
  /** Messages whose first frame is shorter than this many bytes go uncompressed. */
  threshold: number;
  /** The process-wide zlib job limit to join (one limiter per distinct value). */
  concurrencyLimit: number;
  zlibDeflateOptions?: DeflateTuning;
  zlibInflateOptions?: InflateTuning;
}

/**
 * The surface a client WebSocket offers to the client handshake code, so that
 * client/ never imports the API class above it.
 */
export interface ClientHandshakeTarget {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  listenerCount(event: string | symbol): number;
  /** Called when the URL changes (redirects). */
  setUrl(url: string): void;
  /** The handshake succeeded: start the protocol on this transport. */
  attach(socket: Duplex, head: Buffer, options: AttachOptions): void;
  /** The handshake failed: emit `error` then `close` (1006) and end CONNECTING. */
  failHandshake(error: Error): void;
}

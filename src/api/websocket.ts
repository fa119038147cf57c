/**
 * The WebSocket class: the ws v8 API (an EventEmitter) and the WHATWG
 * surface (EventTarget methods, on* attributes, standard events) on one
 * object, for both roles. It owns no protocol logic: it converts arguments,
 * keeps readyState, and turns transport reports into events.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { createMessageCodec } from '../extensions/codec-factory.js';
import { startClientHandshake, type ClientHandshake } from '../client/client-handshake.js';
import type { ClientOptions } from '../client/client-options.js';
import { CloseCode, isValidWireCloseCode } from '../protocol/close-codes.js';
import { ReadyState } from '../protocol/connection.js';
import { WebSocketError } from '../protocol/errors.js';
import { frameHeaderLength } from '../protocol/frame-encoder.js';
import type { MaskKeyGenerator } from '../protocol/mask-key.js';
import type { AttachOptions, ClientHandshakeTarget } from '../transport/attach-options.js';
import type { SharedDeflateSettings } from '../transport/message-codec.js';
import { HeartbeatScheduler, type HeartbeatMember, type HeartbeatOptions } from '../transport/heartbeat-scheduler.js';
import { SocketTransport, type WriteCallback } from '../transport/socket-transport.js';
import type { TransportEvents } from '../transport/transport-events.js';
import { addEventTargetSurface, CLOSED_CLEANLY, type WebSocketEventMap } from './event-target-surface.js';
import { PubSub, type PublishOptions } from '../server/pubsub.js';
import { iterateMessages, type IteratedMessage } from './message-iterator.js';
import { isBlob, toPayload, type SendData } from './payload.js';

export type BinaryType = 'nodebuffer' | 'arraybuffer' | 'fragments' | 'blob';
export type { ClientOptions } from '../client/client-options.js';

export interface SendOptions {
  /** Send as binary (default: true unless data is a string). */
  binary?: boolean;
  /** Compress with permessage-deflate when negotiated (default true). */
  compress?: boolean;
  /** false sends a fragment; the message continues with the next send. */
  fin?: boolean;
  /** Accepted for ws compatibility; masking is decided by the role (RFC 6455 5.1). */
  mask?: boolean;
}


/** @internal Whoever keeps books on a connection's life (its WebSocketServer). */
export interface CloseObserver {
  connectionClosed(ws: WebSocket): void;
}
/** What to do when a send would take bufferedAmount past `maxBufferedAmount`. */
export type BufferOverflowPolicy = 'close' | 'drop' | ((ws: WebSocket, bytes: number) => void);

/** Options shared by both roles (the server passes them to every connection). */
export interface ConnectionLimitsOptions {
  /** send() returns false once bufferedAmount reaches this; 'drain' fires when it falls back under (default 16 KiB). */
  highWaterMark?: number;
  /** A cap on bufferedAmount (default: none). What happens past it is `onBufferOverflow`. */
  maxBufferedAmount?: number;
  /**
   * 'close' (the default: terminate, `close` reports 1008), 'drop' (the message is discarded) or a
   * function called with (ws, bytes of the frame that did not fit). In every case the message is not
   * queued and its send callback gets a WSX_ERR_BUFFER_OVERFLOW error.
   */
  onBufferOverflow?: BufferOverflowPolicy;
  /** Pings and pongs accepted per second before failing with 1008 (default 1000; 0 = no limit). */
  maxControlFramesPerSecond?: number;
  /** Frames accepted in one message before failing with 1008 (default 65536). */
  maxFragments?: number;
  /** Milliseconds to wait for the closing handshake before destroying the socket (default 30000, as ws). */
  closeTimeout?: number;
  /** Ping when the peer has been silent for `interval` ms; terminate (1006) if it stays silent `timeout` ms more. */
  heartbeat?: HeartbeatOptions | HeartbeatScheduler;
}

/** Options for server-side construction (`new WebSocket(null, undefined, options)`). */
export interface ServerSideOptions extends ConnectionLimitsOptions {
  autoPong?: boolean;
  allowSynchronousEvents?: boolean;
}


const CLOSE_TIMEOUT = 30_000;
const HIGH_WATER_MARK = 16 * 1024;
const MAX_CONTROL_FRAMES_PER_SECOND = 1000;
const EMPTY = Buffer.alloc(0);
/** send() without options: one shared object rather than a new {} per call. */
const NO_SEND_OPTIONS: SendOptions = Object.freeze({});

export class WebSocket extends EventEmitter implements ClientHandshakeTarget, TransportEvents, HeartbeatMember {
  static readonly CONNECTING = ReadyState.CONNECTING;
  static readonly OPEN = ReadyState.OPEN;
  static readonly CLOSING = ReadyState.CLOSING;
  static readonly CLOSED = ReadyState.CLOSED;
  declare readonly CONNECTING: 0;
  declare readonly OPEN: 1;
  declare readonly CLOSING: 2;
  declare readonly CLOSED: 3;

  /** The underlying socket or stream (ws exposes it as `_socket` too). */
  _socket: Duplex | null = null;
  private _readyState: number = ReadyState.CONNECTING;
  private _binaryType: BinaryType = 'nodebuffer';
  private _protocol = '';
  private _extensions = '';
  private _httpVersion: '1.1' | '2' = '1.1';
  private _url = '';
  private _isServer: boolean;
  private _transport: SocketTransport | null = null;
  private _handshake: ClientHandshake | null = null;
  private _autoPong = true;
  private _allowSynchronousEvents = true;
  private _closeTimeout = CLOSE_TIMEOUT;
  private _maxFragments: number | undefined;
  private _maskKey: MaskKeyGenerator | undefined;
  private _streamFragments = false;
  private _bufferedAfterClose = 0;
  private _errorEmitted = false;
  private _abortingHandshake = false;
  private _closeFrameReceived = false;
  private _blobChain: Promise<void> | null = null;
  private _pendingEvents: Array<() => void> | null = null;
  private _limits: ConnectionLimitsOptions = {};
  private _pubsub: PubSub<WebSocket> | null = null;
  private _closeObserver: CloseObserver | null = null;
  /** @internal Used by the topic tree to visit each subscriber once per publish. */
  topicVisit = 0;
  private _heartbeat: HeartbeatScheduler | null = null;

  constructor(address: null, protocols?: undefined, options?: ServerSideOptions);
  constructor(address: string | URL, protocols?: string | string[], options?: ClientOptions<WebSocket>);
  constructor(address: string | URL, options?: ClientOptions<WebSocket>);
  constructor(
    address: string | URL | null,
    protocols?: string | string[] | ClientOptions<WebSocket> | ServerSideOptions,
    options?: ClientOptions<WebSocket> | ServerSideOptions,
  ) {
    super();
    if (protocols !== undefined && !Array.isArray(protocols) && typeof protocols === 'object' && protocols !== null) {
      options = protocols;
      protocols = undefined;
    }
    const common = (options ?? {}) as ServerSideOptions & ClientOptions<WebSocket>;
    if (common.autoPong !== undefined) this._autoPong = common.autoPong;
    if (common.allowSynchronousEvents !== undefined) this._allowSynchronousEvents = common.allowSynchronousEvents;
    if (common.closeTimeout !== undefined) this._closeTimeout = common.closeTimeout;
    if (common.maxFragments !== undefined) this._maxFragments = common.maxFragments;
    if (typeof common.generateMask === 'function') this._maskKey = maskKeyFrom(common.generateMask);
    this._limits = common;
    if (address === null) {
      this._isServer = true;
      return;
    }
    this._isServer = false;
    this._handshake = startClientHandshake(this, address, protocols as string | string[] | undefined, common);
  }

  get readyState(): number {
    return this._readyState;
  }

  get binaryType(): BinaryType {
    return this._binaryType;
  }

  set binaryType(type: BinaryType) {
    if (type === 'nodebuffer' || type === 'arraybuffer' || type === 'fragments' || type === 'blob') {
      this._binaryType = type;
    }
  }

  get protocol(): string {
    return this._protocol;
  }

  get extensions(): string {
    return this._extensions;
  }

  get url(): string {
    return this._url;
  }

  /** The HTTP version the WebSocket runs on: '2' over an HTTP/2 stream (RFC 8441), else '1.1'. */
  get httpVersion(): '1.1' | '2' {
    return this._httpVersion;
  }

  /** Bytes accepted by send() and not yet handed to the operating system. */
  get bufferedAmount(): number {
    return (this._transport?.bufferedAmount ?? 0) + this._bufferedAfterClose;
  }

  /** @internal The CloseEvent's `wasClean`: the closing handshake took place. */
  get [CLOSED_CLEANLY](): boolean {
    return this._closeFrameReceived;
  }

  get isPaused(): boolean {
    return this._transport?.isPaused ?? false;
  }

  // ---- pub/sub (server-side connections) -----------------------------------------

  /** @internal The server's topic registry. */
  setPubSub(pubsub: PubSub<WebSocket>): void {
    this._pubsub = pubsub;
  }

  /**
   * @internal The accepting server's bookkeeping, told before 'close' is
   * emitted: one method shared by all connections instead of two once()
   * listeners (and their closures) per connection.
   */
  setCloseObserver(observer: CloseObserver): void {
    this._closeObserver = observer;
  }

  private pubsub(): PubSub<WebSocket> {
    if (this._pubsub === null) throw new Error('Topics are only available on connections accepted by a WebSocketServer');
    return this._pubsub;
  }

  /** Subscribes to a topic or an MQTT-style filter ('room/+/chat', 'room/#'). Returns false if already subscribed. */
  subscribe(topic: string): boolean {
    if (this._readyState !== ReadyState.OPEN) return false;
    return this.pubsub().subscribe(this, topic);
  }

  unsubscribe(topic: string): boolean {
    return this.pubsub().unsubscribe(this, topic);
  }

  isSubscribed(topic: string): boolean {
    return this._pubsub?.isSubscribed(this, topic) ?? false;
  }

  /** The topics (and filters) this connection is subscribed to. */
  get topics(): string[] {
    return this._pubsub?.topics(this) ?? [];
  }

  /** Sends to every subscriber of `topic` except this connection; returns the number of recipients. */
  publish(topic: string, data: SendData, options: PublishOptions = {}): number {
    if (isBlob(data)) throw new TypeError('publish() takes text or bytes, not a Blob');
    const isBinary = options.binary ?? (typeof data !== 'string' && typeof data !== 'number');
    return this.pubsub().publish(topic, toPayload(data, 'data'), isBinary, this, options.compress ?? true);
  }

  /** Async iteration over messages, with backpressure (see message-iterator.ts). */
  [Symbol.asyncIterator](): AsyncIterableIterator<IteratedMessage> {
    return iterateMessages(this);
  }

  // ---- sending -------------------------------------------------------------------

  /**
   * Sends a message. Returns false when bufferedAmount has reached the
   * high-water mark: the message is queued, but the caller should wait for
   * 'drain' before sending more (as with a Writable).
   */
  send(data: SendData, callback?: WriteCallback): boolean;
  send(data: SendData, options: SendOptions, callback?: WriteCallback): boolean;
  send(data: SendData, options?: SendOptions | WriteCallback, callback?: WriteCallback): boolean {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    if (this._readyState === ReadyState.CONNECTING) throw notOpen(this._readyState);
    const opts = options ?? NO_SEND_OPTIONS;
    // A number is sent as its decimal text, so as text (as in ws).
    const isBinary = opts.binary ?? (typeof data !== 'string' && typeof data !== 'number');
    const fin = opts.fin ?? true;
    const compress = opts.compress ?? true;
    let payload: Buffer;
    if (Buffer.isBuffer(data)) {
      payload = data; // the common case first: no Blob check, no conversion
    } else if (isBlob(data)) {
      this.sendBlob(data, isBinary, fin, compress, callback);
      return false;
    } else {
      payload = toPayload(data, 'data');
    }
    if (this._blobChain !== null) {
      // Keep order behind a Blob still being read.
      this._blobChain = this._blobChain.then(() => {
        this.sendNow(payload, isBinary, fin, compress, callback);
      });
      return false;
    }
    return this.sendNow(payload, isBinary, fin, compress, callback);
  }

  private sendNow(payload: Buffer, isBinary: boolean, fin: boolean, compress: boolean, callback?: WriteCallback): boolean {
    const transport = this.admit(payload.length, callback);
    return transport !== null && transport.send(payload, isBinary, fin, compress, callback);
  }

  /**
   * The transport when a message of `length` bytes may be queued; null when
   * the connection is not open or the slow-consumer policy refused it (the
   * callback has then been told).
   */
  private admit(length: number, callback?: WriteCallback): SocketTransport | null {
    const transport = this._transport;
    if (this._readyState !== ReadyState.OPEN || transport === null) {
      this.afterClose(length, callback);
      return null;
    }
    const max = this._limits.maxBufferedAmount;
    if (max !== undefined) {
      // The frame header counts too, so bufferedAmount never passes the cap.
      const bytes = length + frameHeaderLength(length, !this._isServer);
      if (transport.bufferedAmount + bytes > max) {
        this.overflow(bytes, callback);
        return null;
      }
    }
    return transport;
  }

  /**
   * Applies the slow-consumer policy to a message that does not fit. The
   * message is never queued (that is what keeps memory bounded): 'close'
   * terminates, 'drop' discards it, a function is told and decides the rest.
   */
  private overflow(bytes: number, callback?: WriteCallback): void {
    const policy = this._limits.onBufferOverflow ?? 'close';
    const error = new WebSocketError('WSX_ERR_BUFFER_OVERFLOW', 'bufferedAmount would exceed maxBufferedAmount', CloseCode.POLICY_VIOLATION);
    if (callback) process.nextTick(callback, error);
    if (policy === 'drop') return;
    if (policy === 'close') {
      // The peer is not reading: a close frame would only queue behind the backlog.
      this._readyState = ReadyState.CLOSING;
      this._transport?.terminateWith(error);
      return;
    }
    policy(this, bytes);
  }

  /**
   * Sends frames encoded once for many recipients (pub/sub). Returns false
   * when the connection cannot take them (not open, or over its limits).
   * @internal
   */
  sendEncoded(frames: readonly Buffer[], bytes: number): boolean {
    const transport = this._transport;
    if (this._readyState !== ReadyState.OPEN || transport === null) return false;
    const max = this._limits.maxBufferedAmount;
    if (max !== undefined && transport.bufferedAmount + bytes > max) {
      this.overflow(bytes);
      return false;
    }
    if (!transport.sendEncoded(frames, bytes)) return false;
    transport.checkHighWaterMark();
    return true;
  }

  /** @internal See SocketTransport.publishCompression. */
  publishCompression(length: number): SharedDeflateSettings | 'own' | null {
    return this._transport?.publishCompression(length) ?? null;
  }

  /** Sends a published message through this connection's own compressor; false when not accepted. @internal */
  sendPublished(payload: Buffer, isBinary: boolean): boolean {
    if (this._readyState !== ReadyState.OPEN) return false;
    const transport = this.admit(payload.length);
    if (transport === null) return false;
    transport.send(payload, isBinary, true, true);
    return true;
  }

  private sendBlob(blob: Blob, isBinary: boolean, fin: boolean, compress: boolean, callback?: WriteCallback): void {
    const previous = this._blobChain ?? Promise.resolve();
    const chain = previous
      .then(() => blob.arrayBuffer())
      .then(
        (bytes) => {
          this.sendNow(Buffer.from(bytes), isBinary, fin, compress, callback);
        },
        (error: Error) => callback?.(error),
      );
    this._blobChain = chain;
    void chain.then(() => {
      if (this._blobChain === chain) this._blobChain = null;
    });
  }

  ping(data?: SendData, mask?: boolean | WriteCallback, callback?: WriteCallback): void {
    this.control('ping', data, mask, callback);
  }

  pong(data?: SendData, mask?: boolean | WriteCallback, callback?: WriteCallback): void {
    this.control('pong', data, mask, callback);
  }

  private control(kind: 'ping' | 'pong', data: unknown, mask: unknown, callback?: WriteCallback): void {
    if (typeof data === 'function') {
      callback = data as WriteCallback;
      data = undefined;
    } else if (typeof mask === 'function') {
      callback = mask as WriteCallback;
    }
    if (this._readyState === ReadyState.CONNECTING) throw notOpen(this._readyState);
    const payload = toPayload(data, kind === 'ping' ? 'ping data' : 'pong data');
    if (payload.length > 125) throw new RangeError('The data size must not be greater than 125 bytes');
    if (this._readyState !== ReadyState.OPEN || this._transport === null) {
      this.afterClose(payload.length, callback);
      return;
    }
    if (kind === 'ping') this._transport.ping(payload, callback);
    else this._transport.pong(payload, callback);
  }

  private afterClose(length: number, callback?: WriteCallback): void {
    // As the WHATWG standard asks, data sent after close still counts in bufferedAmount.
    this._bufferedAfterClose += length;
    if (callback) {
      const error = new WebSocketError(
        'WSX_ERR_NOT_OPEN',
        `WebSocket is not open: readyState ${this._readyState} (${stateName(this._readyState)})`,
        CloseCode.ABNORMAL_CLOSURE,
      );
      process.nextTick(callback, error);
    }
  }

  // ---- closing -------------------------------------------------------------------

  /**
   * Starts the closing handshake. `code` must be a code valid on the wire
   * (1000-1003, 1007-1014, 3000-4999); `reason` at most 123 bytes of UTF-8.
   */
  close(code?: number, reason?: string | Buffer | ArrayBufferView): void {
    if (code !== undefined && (typeof code !== 'number' || !Number.isInteger(code) || !isValidWireCloseCode(code))) {
      throw new DOMException(`The close code must be 1000-1003, 1007-1014 or 3000-4999, got ${String(code)}`, 'InvalidAccessError');
    }
    const reasonBytes = reason === undefined ? EMPTY : toPayload(reason, 'reason');
    if (reasonBytes.length > 123) {
      throw new DOMException('The close reason must not be greater than 123 bytes', 'SyntaxError');
    }
    if (this._readyState === ReadyState.CLOSED) return;
    if (this._readyState === ReadyState.CONNECTING) {
      this.abortHandshake('WebSocket was closed before the connection was established');
      return;
    }
    // No transport: a failed handshake is already reporting its close.
    if (this._transport === null) return;
    this._readyState = ReadyState.CLOSING;
    this._transport.close(code ?? (reasonBytes.length > 0 ? CloseCode.NORMAL_CLOSURE : -1), reasonBytes);
  }

  /** Destroys the connection at once, without a closing handshake. */
  terminate(): void {
    if (this._readyState === ReadyState.CLOSED) return;
    if (this._readyState === ReadyState.CONNECTING) {
      this.abortHandshake('WebSocket was closed before the connection was established');
      return;
    }
    if (this._transport === null) return;
    this._readyState = ReadyState.CLOSING;
    this._transport.terminate();
  }

  /** Stops reading from the peer (TCP backpressure) until resume(). */
  pause(): void {
    if (this._readyState === ReadyState.CONNECTING || this._readyState === ReadyState.CLOSED) return;
    this._transport?.pause();
  }

  resume(): void {
    if (this._readyState === ReadyState.CONNECTING || this._readyState === ReadyState.CLOSED) return;
    this._transport?.resume();
  }

  private abortHandshake(message: string): void {
    const handshake = this._handshake;
    if (handshake === null) return;
    this._handshake = null;
    this._readyState = ReadyState.CLOSING;
    // The request stops now; failHandshake() defers the events (see there).
    this._abortingHandshake = true;
    try {
      handshake.abort(new WebSocketError('WSX_ERR_HANDSHAKE', message, CloseCode.ABNORMAL_CLOSURE));
    } finally {
      this._abortingHandshake = false;
    }
  }

  // ---- handshake target (called by client/ and server/) -----------------------------

  /** @internal */
  setUrl(url: string): void {
    this._url = url;
  }

  /** @internal Starts the protocol on a transport once the opening handshake succeeded. */
  attach(socket: Duplex, head: Buffer, options: AttachOptions): void {
    this._handshake = null;
    this._socket = socket;
    this._protocol = options.protocol;
    this._extensions = options.extensions;
    this._httpVersion = options.httpVersion ?? '1.1';
    this._autoPong = options.autoPong;
    this._allowSynchronousEvents = options.allowSynchronousEvents;
    this._transport = new SocketTransport(socket, this, {
      role: options.role,
      maxPayload: options.maxPayload,
      skipUTF8Validation: options.skipUTF8Validation,
      autoPong: options.autoPong,
      closeTimeout: this._closeTimeout,
      highWaterMark: this._limits.highWaterMark ?? HIGH_WATER_MARK,
      maxControlFramesPerSecond: this._limits.maxControlFramesPerSecond ?? MAX_CONTROL_FRAMES_PER_SECOND,
      codec: createMessageCodec(options),
      ...(this._maxFragments !== undefined && { maxFragments: this._maxFragments }),
      ...(this._maskKey !== undefined && { maskKey: this._maskKey }),
      streamFragments: this._streamFragments,
    });
    this._readyState = ReadyState.OPEN;
    this._transport.start(head);
    const heartbeat = this._limits.heartbeat;
    if (heartbeat !== undefined) {
      this._heartbeat = heartbeat instanceof HeartbeatScheduler ? heartbeat : new HeartbeatScheduler(heartbeat);
      this._heartbeat.add(this);
    }
    if (!this._isServer) this.emit('open');
  }

  /** @internal Coarse time of the last byte from the peer. */
  get lastSeen(): number {
    return this._transport?.lastSeen ?? 0;
  }

  /** @internal */
  heartbeatPing(): void {
    if (this._readyState === ReadyState.OPEN) this._transport?.ping(EMPTY);
  }

  /** @internal The peer stayed silent after a heartbeat ping. */
  heartbeatExpired(): void {
    this._readyState = ReadyState.CLOSING;
    this._transport?.terminateWith(
      new WebSocketError('WSX_ERR_HEARTBEAT_TIMEOUT', 'The peer stopped answering heartbeat pings', CloseCode.ABNORMAL_CLOSURE),
    );
  }

  /** @internal The client handshake failed. */
  failHandshake(error: Error): void {
    this._handshake = null;
    this._readyState = ReadyState.CLOSING;
    if (this._abortingHandshake) {
      // close()/terminate() while CONNECTING: as in ws and browsers, error and
      // close come on a later tick, so listeners added after the call see them.
      process.nextTick(() => this.failHandshake(error));
      return;
    }
    this.emitError(error);
    this._readyState = ReadyState.CLOSED;
    this.emit('close', CloseCode.ABNORMAL_CLOSURE, EMPTY);
  }

  // ---- transport events ---------------------------------------------------------

  /** @internal */
  onMessage(data: Buffer, isBinary: boolean): void {
    if (!this._allowSynchronousEvents) {
      this.deferEvent(() => this.emitMessage(data, isBinary));
      return;
    }
    this.emitMessage(data, isBinary);
  }

  private emitMessage(data: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      this.emit('message', data, false);
      return;
    }
    switch (this._binaryType) {
      case 'nodebuffer':
        this.emit('message', data, true);
        break;
      case 'arraybuffer':
        this.emit('message', toArrayBuffer(data), true);
        break;
      case 'fragments':
        this.emit('message', [data], true);
        break;
      case 'blob':
        this.emit('message', new Blob([data]), true);
        break;
    }
  }

  /**
   * Without synchronous events (ws's allowSynchronousEvents: false), at most
   * one message is emitted per turn of the event loop; reading pauses meanwhile.
   */
  private deferEvent(emit: () => void): void {
    if (this._pendingEvents === null) {
      this._pendingEvents = [];
      this._transport?.pause();
      setImmediate(() => this.runDeferred());
    }
    this._pendingEvents.push(emit);
  }

  private runDeferred(): void {
    const next = this._pendingEvents?.shift();
    if (next) next();
    if (this._pendingEvents !== null && this._pendingEvents.length !== 0) {
      setImmediate(() => this.runDeferred());
      return;
    }
    this._pendingEvents = null;
    if (this._readyState === ReadyState.OPEN) this._transport?.resume();
  }

  /** @internal */
  onFragment(data: Buffer, isBinary: boolean, fin: boolean): void {
    this.emit('fragment', data, isBinary, fin);
  }

  /** @internal */
  onPing(data: Buffer): void {
    this.emit('ping', data);
  }

  /** @internal */
  onPong(data: Buffer): void {
    this.emit('pong', data);
  }

  /** @internal */
  onCloseFrame(_code: number, _reason: Buffer): void {
    this._closeFrameReceived = true;
    this._readyState = ReadyState.CLOSING;
  }

  /** @internal */
  onError(error: Error): void {
    this._readyState = ReadyState.CLOSING;
    this.emitError(error);
  }

  /** @internal */
  onDrain(): void {
    this.emit('drain');
  }

  /** @internal */
  onClosed(code: number, reason: Buffer): void {
    this._readyState = ReadyState.CLOSED;
    this._heartbeat?.delete(this);
    this._heartbeat = null;
    this._pubsub?.remove(this);
    this._closeObserver?.connectionClosed(this);
    this.emit('close', code, reason);
  }

  /**
   * Errors are emitted only when someone listens: an unhandled protocol error
   * from a hostile peer must not take the process down (ws throws here).
   * The close event still reports the code.
   */
  private emitError(error: Error): void {
    if (this._errorEmitted) return;
    this._errorEmitted = true;
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}

for (const [name, value] of Object.entries(ReadyState)) {
  Object.defineProperty(WebSocket.prototype, name, { value, enumerable: true });
}
addEventTargetSurface(WebSocket.prototype);

export interface WebSocket extends WebSocketEventMap {}

function toArrayBuffer(data: Buffer): ArrayBuffer {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer) {
    return data.buffer;
  }
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

function stateName(state: number): string {
  return ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'][state] ?? 'UNKNOWN';
}

function notOpen(state: number): Error {
  return new WebSocketError('WSX_ERR_NOT_OPEN', `WebSocket is not open: readyState ${state} (${stateName(state)})`);
}

function maskKeyFrom(generateMask: (mask: Buffer) => void): MaskKeyGenerator {
  const key = Buffer.alloc(4);
  return () => {
    generateMask(key);
    return key.readUInt32BE(0);
  };
}

/**
 * Binds a protocol Connection to a Node duplex: a net.Socket, a
 * tls.TLSSocket or an HTTP/2 stream. This is the only place that knows which.
 *
 * Read path: each chunk goes straight into the connection; whatever the
 * handlers queued while it was parsed is written once, after the chunk.
 * Plain TCP sockets read into one shared buffer (shared-read-buffer.ts).
 * Write path: frames queued outside a read are flushed once per tick, as one
 * buffer when small, else as one corked batch (a single writev).
 */
import { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import { CloseCode } from '../protocol/close-codes.js';
import { Connection, ReadyState, type ConnectionHandler } from '../protocol/connection.js';
import { WebSocketError } from '../protocol/errors.js';
import { ownList, sharedEmptyList } from '../protocol/shared-empty-list.js';
import type { MaskKeyGenerator } from '../protocol/mask-key.js';
import { isValidUtf8 } from '../protocol/utf8-validator.js';
import type { MessageCodec, SharedDeflateSettings } from './message-codec.js';
import { loadNativeUnmask } from './native-unmask.js';
import { abortDuplex } from './abort-duplex.js';
import { readIntoSharedBuffer } from './shared-read-buffer.js';
import { coarseClock } from './coarse-clock.js';
import type { TransportEvents } from './transport-events.js';

export interface TransportOptions {
  role: 'server' | 'client';
  maxPayload: number;
  skipUTF8Validation: boolean;
  autoPong: boolean;
  maxFragments?: number;
  streamFragments?: boolean;
  maskKey?: MaskKeyGenerator;
  /** How long to wait for the peer's close frame, then for TCP to end, in ms. */
  closeTimeout: number;
  codec: MessageCodec | null;
  /** send() returns false at or above this bufferedAmount; 'drain' fires when it falls back under. */
  highWaterMark: number;
  /** Control frames (ping, pong) accepted per second before the connection is failed with 1008; 0 = no limit. */
  maxControlFramesPerSecond: number;
}

export type WriteCallback = (error?: Error | null) => void;

/** Batches up to this size are joined into one buffer; larger ones go out as a corked writev. */
const JOIN_LIMIT = 16 * 1024;

/** A send waiting behind a message that is being compressed, to keep order. */
interface QueuedSend {
  data: Buffer;
  isBinary: boolean;
  fin: boolean;
  compress: boolean;
  callback: WriteCallback | undefined;
  /** Set on an entry that fails the connection once the sends before it are out. */
  failure?: WebSocketError;
  /** Frames encoded once for many connections (a publish), waiting their turn. */
  encoded?: readonly Buffer[];
  encodedBytes?: number;
  /** A close() made while messages were still being compressed: it goes out after them. */
  close?: { code: number; reason: Buffer };
}

/** Where the shared socket listeners find their transport. */
const kTransport = Symbol('wsx.transport');
type TransportSocket = Duplex & { [kTransport]?: SocketTransport };

export class SocketTransport implements ConnectionHandler {
  // Socket listeners, shared by all transports (`this` is the socket).
  private static socketData(this: TransportSocket, chunk: Buffer): void {
    this[kTransport]!.onData(chunk);
  }
  private static socketSharedRead(this: TransportSocket, length: number, buffer: Buffer): boolean {
    return this[kTransport]!.onSharedRead(buffer.subarray(0, length));
  }
  private static socketEnd(this: TransportSocket): void {
    this[kTransport]!.onEnd();
  }
  private static socketClose(this: TransportSocket): void {
    this[kTransport]!.onSocketClose();
  }
  private static socketError(this: TransportSocket): void {
    this[kTransport]!.onSocketError();
  }
  private static socketDrain(this: TransportSocket): void {
    this[kTransport]!.onSocketDrain();
  }

  readonly connection: Connection;
  readonly socket: Duplex;
  private readonly events: TransportEvents;
  // The few options read after construction, copied: the options object itself is not kept.
  private readonly highWaterMark: number;
  private readonly closeTimeout: number;
  private readonly maxControlFramesPerSecond: number;
  private readonly skipUTF8Validation: boolean;
  private readonly codec: MessageCodec | null;
  private callbacks: WriteCallback[] = sharedEmptyList();
  private flushScheduled = false;
  private closeTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private failure: WebSocketError | null = null;
  private peerCode: number = CloseCode.ABNORMAL_CLOSURE;
  private peerReason: Buffer = EMPTY_BUFFER;
  private needDrain = false;
  private socketPaused = false;
  // Outgoing compression keeps message order: sends queue while one is being deflated.
  private compressing = false;
  private sendQueue: QueuedSend[] = sharedEmptyList();
  private afterFragments: QueuedSend[] = sharedEmptyList();
  private queuedBytes = 0;
  // A message sent in fragments is compressed or not as a whole, decided by its first frame.
  private sendingFragments = false;
  private fragmentsCompressed = false;
  /** The type of the message being inflated, and the one callback for all of them. */
  private inflatingBinary = false;
  private inflateCallback: ((error: WebSocketError | null, result?: Buffer) => void) | null = null;
  // Incoming compressed messages are inflated one at a time, reading paused meanwhile.
  private inflating = false;
  private userPaused = false;
  // Control-frame rate window (SECURITY-CASES row 16).
  private controlWindowStart = 0;
  private controlFrames = 0;
  /** When the peer last sent anything, from the heartbeat's coarse clock. */
  lastSeen = 0;

  constructor(socket: Duplex, events: TransportEvents, options: TransportOptions) {
    loadNativeUnmask();
    this.socket = socket;
    this.events = events;
    this.highWaterMark = options.highWaterMark;
    this.closeTimeout = options.closeTimeout;
    this.maxControlFramesPerSecond = options.maxControlFramesPerSecond;
    this.skipUTF8Validation = options.skipUTF8Validation;
    this.codec = options.codec;
    this.connection = new Connection(
      {
        role: options.role,
        maxPayload: options.maxPayload,
        skipUTF8Validation: options.skipUTF8Validation,
        autoPong: options.autoPong,
        compression: options.codec !== null,
        // (Connection gives an option left undefined its default; no spreads, no temporary objects.)
        maxFragments: options.maxFragments,
        streamFragments: options.streamFragments,
        maskKey: options.maskKey,
      },
      this,
    );
  }

  /** Starts reading. `head` holds bytes that arrived with the handshake. */
  start(head: Buffer | null): void {
    const socket = this.socket;
    this.lastSeen = coarseClock.now;
    const maybeNet = socket as Duplex & { setNoDelay?: (noDelay: boolean) => void; setTimeout?: (ms: number) => void };
    maybeNet.setNoDelay?.(true);
    maybeNet.setTimeout?.(0);
    // Bytes that came with the handshake are read first, asynchronously like
    // any other input, so listeners added right after the upgrade see them.
    if (head !== null && head.length !== 0) socket.unshift(head);
    // Shared listeners that find this transport on the socket: five closures per
    // connection were ~0.3 KiB of heap each time (bench/notes.md).
    (socket as TransportSocket)[kTransport] = this;
    socket.on('data', SocketTransport.socketData);
    socket.on('end', SocketTransport.socketEnd);
    socket.on('close', SocketTransport.socketClose);
    socket.on('error', SocketTransport.socketError);
    socket.on('drain', SocketTransport.socketDrain);
    // Reads from now on land in one shared buffer when the socket allows it
    // (shared-read-buffer.ts); the head above still arrives as 'data', first.
    readIntoSharedBuffer(socket, SocketTransport.socketSharedRead);
    if (socket.destroyed) this.onSocketClose();
  }

  get readyState(): number {
    return this.closed ? ReadyState.CLOSED : this.connection.readyState;
  }

  /** Bytes accepted by send() and not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.connection.outputBytes + this.queuedBytes + this.socket.writableLength;
  }

  get isPaused(): boolean {
    return this.userPaused;
  }

  // ---- sending ---------------------------------------------------------------

  /** Queues a message; returns false when bufferedAmount reached the high-water mark (wait for 'drain'). */
  send(data: Buffer, isBinary: boolean, fin: boolean, compress: boolean, callback?: WriteCallback): boolean {
    this.enqueue(data, isBinary, fin, compress, callback);
    return this.checkHighWaterMark();
  }

  /** True while under the high-water mark; otherwise remembers to emit 'drain'. */
  checkHighWaterMark(): boolean {
    if (this.bufferedAmount < this.highWaterMark) return true;
    this.needDrain = true;
    return false;
  }

  private enqueue(data: Buffer, isBinary: boolean, fin: boolean, compress: boolean, callback?: WriteCallback): void {
    if (this.compressing || this.sendQueue.length !== 0) {
      this.enqueueSend({ data, isBinary, fin, compress, callback });
      this.queuedBytes += data.length;
      return;
    }
    this.dispatch(data, isBinary, fin, compress, callback);
  }

  /** Compresses or sends one frame whose turn has come. */
  private dispatch(data: Buffer, isBinary: boolean, fin: boolean, compress: boolean, callback?: WriteCallback): void {
    const codec = this.codec;
    // The first frame of a message decides (as in ws, by its own size); every
    // later fragment follows it, whatever its size or `compress` flag: the
    // peer inflates the fragments of an RSV1 message as one stream.
    let compressed = this.fragmentsCompressed;
    if (!this.sendingFragments) {
      compressed = codec !== null && compress && codec.canCompress && data.length >= codec.threshold;
    }
    this.sendingFragments = !fin;
    this.fragmentsCompressed = compressed && !fin;
    if (compressed) {
      this.deflate(codec!, data, isBinary, fin, callback);
      return;
    }
    this.sendNow(data, isBinary, fin, false, callback);
    if (fin) this.releaseAfterFragments();
  }

  private deflate(codec: MessageCodec, data: Buffer, isBinary: boolean, fin: boolean, callback?: WriteCallback): void {
    this.compressing = true;
    this.queuedBytes += data.length;
    codec.compress(data, fin, (error, result) => {
      this.compressing = false;
      // The socket closed first: onSocketClose already zeroed queuedBytes and
      // failed the queued sends; the codec's close() is what called us back.
      if (this.closed) {
        callback?.(notOpenError());
        return;
      }
      this.queuedBytes -= data.length;
      if (error || result === undefined) {
        this.fail(new WebSocketError('WSX_ERR_INVALID_COMPRESSED_DATA', `Compression failed: ${error?.message}`, CloseCode.INTERNAL_ERROR));
        callback?.(error ?? new Error('Compression failed'));
        return;
      }
      this.sendNow(result, isBinary, fin, true, callback);
      if (fin) this.releaseAfterFragments();
      this.drainSendQueue();
      // Bytes waiting for zlib counted in bufferedAmount but never reached the
      // socket, so the socket may never emit 'drain': check once the
      // compressed frames are flushed (the flush is already scheduled).
      if (this.needDrain) process.nextTick(() => this.onSocketDrain());
    });
  }

  private drainSendQueue(): void {
    // Dispatch, not enqueue: the frames still queued behind this one must not
    // send it back to the end of the queue.
    while (this.sendQueue.length !== 0 && !this.compressing) {
      const next = this.sendQueue.shift()!;
      if (next.failure !== undefined) {
        this.failAfterInflate(next.failure);
        continue;
      }
      if (next.close !== undefined) {
        this.closeNow(next.close.code, next.close.reason);
        continue;
      }
      if (next.encoded !== undefined) {
        this.queuedBytes -= next.encodedBytes!;
        this.sendEncodedInTurn(next.encoded, next.encodedBytes!);
        continue;
      }
      this.queuedBytes -= next.data.length;
      this.dispatch(next.data, next.isBinary, next.fin, next.compress, next.callback);
    }
  }

  private sendNow(data: Buffer, isBinary: boolean, fin: boolean, compressed: boolean, callback?: WriteCallback): void {
    if (!this.connection.send(data, isBinary, fin, compressed)) {
      if (callback) process.nextTick(callback, notOpenError());
      return;
    }
    if (callback) this.awaitFlush(callback);
  }

  /** Queues a send behind the ones waiting for compression (the list is shared until the first). */
  private enqueueSend(entry: QueuedSend): void {
    (this.sendQueue = ownList(this.sendQueue)).push(entry);
  }

  /** Calls `callback` once the frames queued so far are written (the list is shared until the first). */
  private awaitFlush(callback: WriteCallback): void {
    (this.callbacks = ownList(this.callbacks)).push(callback);
  }

  ping(data: Buffer, callback?: WriteCallback): void {
    if (!this.connection.ping(data)) {
      if (callback) process.nextTick(callback, notOpenError());
      return;
    }
    if (callback) this.awaitFlush(callback);
  }

  pong(data: Buffer, callback?: WriteCallback): void {
    if (!this.connection.pong(data)) {
      if (callback) process.nextTick(callback, notOpenError());
      return;
    }
    if (callback) this.awaitFlush(callback);
  }

  /**
   * How a compressible publish of `length` bytes reaches this connection:
   * compressed once with shared settings, through its own compressor ('own':
   * it keeps context between messages), or uncompressed (null).
   */
  publishCompression(length: number): SharedDeflateSettings | 'own' | null {
    const codec = this.codec;
    if (codec === null || !codec.canCompress || length < codec.threshold) return null;
    return codec.sharedDeflate ?? 'own';
  }

  /** Frames encoded once for many connections (broadcast). */
  sendEncoded(frames: readonly Buffer[], bytes: number): boolean {
    if (this.closed || this.connection.closeSent) return false;
    // Behind a message being compressed, or inside one the application is
    // sending in fragments, a publish waits its turn instead of being lost.
    if (this.compressing || this.sendQueue.length !== 0) {
      this.enqueueSend(encodedEntry(frames, bytes));
      this.queuedBytes += bytes;
      return true;
    }
    return this.sendEncodedInTurn(frames, bytes);
  }

  /** Encoded frames whose turn in the send queue has come (never re-queued at its end). */
  private sendEncodedInTurn(frames: readonly Buffer[], bytes: number): boolean {
    if (this.sendingFragments) {
      (this.afterFragments = ownList(this.afterFragments)).push(encodedEntry(frames, bytes));
      this.queuedBytes += bytes;
      return true;
    }
    return this.connection.sendEncoded(frames, bytes);
  }

  /** Publishes that arrived while a fragmented message was being sent go out after its last frame. */
  private releaseAfterFragments(): void {
    if (this.sendingFragments || this.afterFragments.length === 0) return;
    const waiting = this.afterFragments;
    this.afterFragments = sharedEmptyList();
    // Right after the message's last frame, ahead of anything still queued.
    for (const entry of waiting) {
      this.queuedBytes -= entry.encodedBytes!;
      this.connection.sendEncoded(entry.encoded!, entry.encodedBytes!);
    }
  }

  /** Starts the closing handshake; the socket ends when the peer answers or the timeout fires. */
  close(code: number, reason: Buffer): void {
    if (this.closed) return;
    if (this.compressing || this.sendQueue.length !== 0) {
      // Messages accepted before close() are still being compressed: close after them.
      this.enqueueSend({ data: EMPTY_BUFFER, isBinary: false, fin: true, compress: false, callback: undefined, close: { code, reason } });
      return;
    }
    this.closeNow(code, reason);
  }

  private closeNow(code: number, reason: Buffer): void {
    if (this.closed) return;
    if (this.connection.close(code, reason)) {
      this.armCloseTimer();
    }
    if (this.connection.closeReceived) this.endSoon();
  }

  terminate(): void {
    if (this.closed) return;
    abortDuplex(this.socket);
  }

  pause(): void {
    this.userPaused = true;
    this.connection.pause();
    this.pauseSocket();
  }

  resume(): void {
    this.userPaused = false;
    if (this.inflating) return;
    this.resumeSocket();
    this.connection.resume();
    this.flush();
  }

  private pauseSocket(): void {
    if (!this.socketPaused) {
      this.socketPaused = true;
      this.socket.pause();
    }
  }

  private resumeSocket(): void {
    if (this.socketPaused && !this.closed) {
      this.socketPaused = false;
      this.socket.resume();
    }
  }

  // ---- the write path ----------------------------------------------------------

  /** Writes everything queued as one batch. */
  flush(): void {
    this.flushScheduled = false;
    const out = this.connection.takeOutput();
    if (out === null) return;
    const socket = this.socket;
    if (this.closed || socket.destroyed || !socket.writable) {
      this.failCallbacks();
      return;
    }
    let callback: WriteCallback | undefined;
    if (this.callbacks.length !== 0) {
      const callbacks = this.callbacks;
      this.callbacks = sharedEmptyList();
      callback = (error) => {
        for (const cb of callbacks) cb(error ?? null);
      };
    }
    // Our high-water mark may sit below the socket's own: then write() returns
    // true, the socket never emits 'drain', and only this write's completion
    // tells us the bytes left. Costs a closure only while a sender waits.
    if (this.needDrain) callback = this.withDrainCheck(callback);
    let ok: boolean;
    if (out.length === 1) {
      ok = socket.write(out[0]!, callback);
    } else {
      let total = 0;
      for (const buf of out) total += buf.length;
      if (total <= JOIN_LIMIT) {
        ok = socket.write(Buffer.concat(out, total), callback);
      } else {
        socket.cork();
        const last = out.length - 1;
        for (let i = 0; i < last; i++) socket.write(out[i]!);
        ok = socket.write(out[last]!, callback);
        socket.uncork();
      }
    }
    if (!ok && this.bufferedAmount >= this.highWaterMark) this.needDrain = true;
  }

  private withDrainCheck(callback: WriteCallback | undefined): WriteCallback {
    return (error) => {
      callback?.(error);
      if (!error) this.onSocketDrain();
    };
  }

  onOutput(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(flushTick, this);
  }

  private onSocketDrain(): void {
    if (this.needDrain && this.bufferedAmount < this.highWaterMark) {
      this.needDrain = false;
      this.events.onDrain();
    }
  }

  // ---- the read path -----------------------------------------------------------

  private onData(chunk: Buffer): void {
    this.lastSeen = coarseClock.now;
    this.connection.receive(chunk);
    this.flush();
  }

  /**
   * A read into the shared buffer: its bytes are valid only during this call.
   * Returns false to stop reading while paused. (socket.pause() alone does not
   * hold: the Readable's own read(0) calls start such a socket reading again,
   * but a false here stops it until socket.resume().)
   */
  private onSharedRead(chunk: Buffer): boolean {
    this.lastSeen = coarseClock.now;
    this.connection.receiveBorrowed(chunk);
    this.flush();
    return !this.socketPaused;
  }

  onMessage(data: Buffer, isBinary: boolean, compressed: boolean): void {
    if (!compressed) {
      this.events.onMessage(data, isBinary);
      return;
    }
    // Inflate one message at a time: stop parsing and reading until it is delivered.
    this.inflating = true;
    this.inflatingBinary = isBinary;
    this.connection.pause();
    this.pauseSocket();
    this.inflateCallback ??= (error, result) => this.inflated(error, result);
    this.codec!.decompress(data, true, this.inflateCallback);
  }

  private inflated(error: WebSocketError | null, result: Buffer | undefined): void {
    this.inflating = false;
    if (this.closed) return;
    const isBinary = this.inflatingBinary;
    let failure = error;
    if (failure === null && result === undefined) {
      failure = new WebSocketError('WSX_ERR_INVALID_COMPRESSED_DATA', 'Inflate failed', CloseCode.INVALID_FRAME_PAYLOAD_DATA);
    }
    if (failure === null && !isBinary && !this.skipUTF8Validation && !isValidUtf8(result!)) {
      failure = new WebSocketError('WSX_ERR_INVALID_UTF8', 'Invalid UTF-8 in a text message', CloseCode.INVALID_FRAME_PAYLOAD_DATA);
    }
    if (failure !== null) {
      if (this.compressing || this.sendQueue.length !== 0) {
        // Messages sent before this one failed are still in zlib: the close
        // frame must follow them on the wire, so the failure waits in line
        // (still "inflating", so that resume() reads nothing meanwhile).
        this.inflating = true;
        this.enqueueSend({ data: EMPTY_BUFFER, isBinary: false, fin: true, compress: false, callback: undefined, failure });
        return;
      }
      this.failAfterInflate(failure);
      return;
    }
    this.events.onMessage(result!, isBinary);
    if (!this.userPaused) {
      this.resumeSocket();
      this.connection.resume();
    }
    this.flush();
  }

  private failAfterInflate(failure: WebSocketError): void {
    this.inflating = false;
    this.connection.abort(failure);
    // The connection ignores input from now on, but the socket must be read
    // again to see the peer's FIN; paused, it would linger until closeTimeout.
    this.resumeSocket();
    this.flush();
  }

  onFragment(data: Buffer, isBinary: boolean, fin: boolean): void {
    this.events.onFragment(data, isBinary, fin);
  }

  onPing(data: Buffer): void {
    if (this.controlRateExceeded()) return;
    this.events.onPing(data);
  }

  onPong(data: Buffer): void {
    if (this.controlRateExceeded()) return;
    this.events.onPong(data);
  }

  /** A ping flood must not keep this process busy answering: past the limit the connection fails with 1008. */
  private controlRateExceeded(): boolean {
    const limit = this.maxControlFramesPerSecond;
    if (limit <= 0) return false;
    const now = Date.now();
    if (now - this.controlWindowStart >= 1000) {
      this.controlWindowStart = now;
      this.controlFrames = 0;
    }
    if (++this.controlFrames <= limit) return false;
    this.connection.abort(
      new WebSocketError('WSX_ERR_RATE_LIMIT', 'Too many control frames per second', CloseCode.POLICY_VIOLATION),
    );
    return true;
  }

  /** Ends the connection without a closing handshake, reporting `code` (heartbeat timeouts, overflow policies). */
  terminateWith(error: WebSocketError): void {
    if (this.closed) return;
    this.failure = error;
    this.events.onError(error);
    abortDuplex(this.socket);
  }

  onCloseFrame(code: number, reason: Buffer): void {
    this.peerCode = code;
    this.peerReason = reason;
    this.events.onCloseFrame(code, reason);
    // Both close frames exchanged (ours is queued): end TCP once it is written.
    this.endSoon();
  }

  onProtocolError(error: WebSocketError): void {
    this.failure = error;
    this.events.onError(error);
    this.endSoon();
  }

  private fail(error: WebSocketError): void {
    this.connection.abort(error);
  }

  /** Half-closes after the queued frames are written; destroys if the peer lingers. */
  private endSoon(): void {
    if (this.closed) return;
    process.nextTick(endTick, this);
    this.armCloseTimer();
  }

  /** @internal */
  endNow(): void {
    if (this.closed) return;
    this.flush();
    if (!this.socket.writableEnded) this.socket.end();
  }

  private armCloseTimer(): void {
    if (this.closeTimer !== null || this.closed) return;
    this.closeTimer = setTimeout(destroyTick, this.closeTimeout, this);
  }

  private onEnd(): void {
    // The peer half-closed: nothing more will be read, so finish our side too.
    if (!this.socket.writableEnded) {
      this.flush();
      this.socket.end();
    }
  }

  private onSocketError(): void {
    // Errors (ECONNRESET, EPIPE …) end the connection as 1006; 'close' follows.
    this.socket.destroy();
  }

  private onSocketClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    this.failCallbacks();
    for (const queued of this.sendQueue) queued.callback?.(notOpenError());
    this.sendQueue = sharedEmptyList();
    this.afterFragments = sharedEmptyList();
    this.queuedBytes = 0;
    this.codec?.close();
    this.connection.readyState = ReadyState.CLOSED;
    let code = this.peerCode;
    let reason = this.peerReason;
    if (!this.connection.closeReceived) {
      // Without the peer's close frame, report our own failure (its code and why), or 1006.
      code = this.failure !== null ? this.failure.closeCode : CloseCode.ABNORMAL_CLOSURE;
      reason = this.failure !== null ? Buffer.from(this.failure.message) : EMPTY_BUFFER;
    }
    this.events.onClosed(code, reason);
  }

  /** Fails the waiting write callbacks; no Error is built when none waits (a mass disconnect closes thousands). */
  private failCallbacks(): void {
    if (this.callbacks.length === 0) return;
    const error = notOpenError();
    const callbacks = this.callbacks;
    this.callbacks = sharedEmptyList();
    for (const cb of callbacks) process.nextTick(cb, error);
  }
}

const EMPTY_BUFFER = Buffer.alloc(0);

function encodedEntry(frames: readonly Buffer[], bytes: number): QueuedSend {
  return { data: EMPTY_BUFFER, isBinary: true, fin: true, compress: false, callback: undefined, encoded: frames, encodedBytes: bytes };
}

function flushTick(transport: SocketTransport): void {
  transport.flush();
}

function endTick(transport: SocketTransport): void {
  transport.endNow();
}

function destroyTick(transport: SocketTransport): void {
  abortDuplex(transport.socket);
}

function notOpenError(): Error {
  return new WebSocketError('WSX_ERR_NOT_OPEN', 'WebSocket is not open', CloseCode.ABNORMAL_CLOSURE);
}

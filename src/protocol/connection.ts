/**
 * The sans-I/O WebSocket connection: bytes in through `receive()`, events out
 * through a handler installed once, bytes out through an output queue that
 * the transport drains with `takeOutput()`. No sockets, timers or streams.
 *
 * The handler is called synchronously with views into the input where
 * possible: a message that arrived whole in one `receive()` chunk is never
 * copied. Input given to `receiveBorrowed()` is copied wherever it is kept.
 */
import { Buffer } from 'node:buffer';
import { CloseCode, isValidWireCloseCode } from './close-codes.js';
import { WebSocketError } from './errors.js';
import {
  COPY_THRESHOLD,
  encodeFrame,
  frameHeaderLength,
  frameSlab,
  frameSlabRoom,
  NO_MASK,
  reserveFrameBytes,
  writeFrame,
} from './frame-encoder.js';
import { FrameParser, type FrameSink } from './frame-parser.js';
import { randomMaskKey, type MaskKeyGenerator } from './mask-key.js';
import { Opcode, isControlOpcode } from './opcode.js';
import { Utf8Validator, isValidUtf8 } from './utf8-validator.js';
import { ownList, sharedEmptyList } from './shared-empty-list.js';

export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;
export type ReadyStateValue = (typeof ReadyState)[keyof typeof ReadyState];

export interface ConnectionHandler {
  /** A complete message. `compressed` messages carry permessage-deflate data still to inflate (and, for text, to validate). */
  onMessage(data: Buffer, isBinary: boolean, compressed: boolean): void;
  /** With `streamFragments`: each piece of a message as it arrives; `fin` on the last. */
  onFragment(data: Buffer, isBinary: boolean, fin: boolean): void;
  onPing(data: Buffer): void;
  onPong(data: Buffer): void;
  /** The peer's close frame (1005 when it had no code). The answer is already queued. */
  onCloseFrame(code: number, reason: Buffer): void;
  /** The connection failed; a close frame with `error.closeCode` is already queued. */
  onProtocolError(error: WebSocketError): void;
  /** Output became pending outside `receive()`: the transport should schedule a flush. */
  onOutput(): void;
}

export interface ConnectionOptions {
  role: 'server' | 'client';
  /** Largest message accepted, in bytes; 0 for no limit. Checked from frame headers, before buffering. */
  maxPayload: number;
  skipUTF8Validation: boolean;
  /** Answer pings automatically (coalescing pings that arrive in one batch into one pong). */
  autoPong: boolean;
  /** permessage-deflate was negotiated: RSV1 marks a compressed message. */
  compression: boolean;
  /** Largest number of frames in one message (1008 beyond). */
  maxFragments: number;
  /** Deliver message pieces as they arrive instead of assembling whole messages. */
  streamFragments: boolean;
  /** Masking keys for the client role. */
  maskKey: MaskKeyGenerator;
}

export const DEFAULT_CONNECTION_OPTIONS: Omit<ConnectionOptions, 'role'> = {
  maxPayload: 100 * 1024 * 1024,
  skipUTF8Validation: false,
  autoPong: true,
  compression: false,
  maxFragments: 65536,
  streamFragments: false,
  maskKey: randomMaskKey,
};

/**
 * Past this many retained pieces, an incomplete message is copied into one
 * buffer grown by doubling: a message dribbled in tiny reads then costs
 * linear time (re-concatenating every 1024 pieces was quadratic) and pins no
 * input chunks.
 */
const MAX_RETAINED_PIECES = 1024;
/**
 * A message that arrives in several reads but as one frame has a length the
 * header announced: up to this size its buffer is allocated once, at the
 * first piece, and each piece is unmasked into it while the piece is still in
 * cache (instead of keeping the read chunks and joining them at the end).
 * Larger announcements fall back to growing with the data, so a header alone
 * never reserves more than this.
 */
const PREALLOCATE_LIMIT = 16 * 1024 * 1024;
/**
 * When a staged run reaches the end of the shared slab, a run up to this size
 * is copied to the next slab so the batch still leaves as one buffer (a
 * single write() instead of a corked writev of two, measured cheaper).
 */
const STAGE_CARRY_LIMIT = 16 * 1024;
/**
 * Borrowed input shorter than this is copied whole before parsing: one
 * allocation and copy for every message in it beats one per message (the
 * 16 B and 1 KiB echoes, bench/notes.md). From here on the chunk is mostly
 * one large frame, which is unmasked straight into its message's buffer.
 */
const BORROW_MIN = 32 * 1024;
const EMPTY = Buffer.alloc(0);

/** A copy of `data[start…]` the caller owns. */
function copyOf(data: Buffer, start: number): Buffer {
  const copy = Buffer.allocUnsafe(data.length - start);
  copy.set(start === 0 ? data : data.subarray(start), 0);
  return copy;
}

export class Connection implements FrameSink {
  readyState: ReadyStateValue = ReadyState.OPEN;
  /** A protocol error failed the connection; input is ignored from then on. */
  failed = false;
  closeSent = false;
  closeReceived = false;
  /** Bytes queued in `output` and not yet taken by the transport. */
  outputBytes = 0;

  private readonly handler: ConnectionHandler;
  private readonly parser: FrameParser;
  // Options, copied into fields (no per-connection options object).
  private readonly maxPayload: number;
  private readonly skipUTF8Validation: boolean;
  private readonly autoPong: boolean;
  private readonly maxFragments: number;
  private readonly streamFragments: boolean;
  private readonly maskKey: MaskKeyGenerator;
  private readonly masked: boolean;
  private output: Buffer[] = [];
  /**
   * Staged output: consecutive data frames with payloads up to COPY_THRESHOLD,
   * written into a shared slab (see frame-encoder.ts) as one run,
   * `stageSlab[stageStart, stageEnd)`, and pushed to `output` as one buffer
   * when something else is queued or the transport takes the output. So the
   * replies to one read usually leave as one buffer; larger payloads are
   * referenced, not copied.
   */
  private stageSlab: Buffer | null = null;
  private stageStart = 0;
  private stageEnd = 0;
  private outputSignaled = false;
  private receiving = false;
  /** The input being parsed is valid only during this call: what is kept must be copied. */
  private borrowed = false;
  private pongIndex = -1;

  // Incoming message state.
  private messageOpcode = 0;
  private messageCompressed = false;
  private messageLength = 0;
  private messageFrames = 0;
  private pieces: Buffer[] = sharedEmptyList();
  private assembly: Buffer | null = null;
  private assemblyLength = 0;
  /** Created on the first text message that arrives in pieces (most never do). */
  private utf8: Utf8Validator | null = null;
  private validating = false;
  // Current frame state.
  private frameOpcode = 0;
  private frameFin = false;
  /** Message length once the current frame is complete. */
  private frameEndLength = 0;
  /** A control frame split across reads is gathered here (allocated on first need). */
  private control: Buffer | null = null;
  private controlLength = 0;

  // Reading can be paused between events; input that arrives meanwhile waits here.
  private paused = false;
  private pending: Buffer[] = sharedEmptyList();
  private pendingOffset = 0;

  // Outgoing fragmented message in progress (send with fin = false).
  private sendingFragments = false;

  constructor(options: Partial<ConnectionOptions> & { role: 'server' | 'client' }, handler: ConnectionHandler) {
    // An option given as undefined takes its default (a spread would copy the undefined,
    // silently lifting maxPayload/maxFragments and turning autoPong off).
    const defaults = DEFAULT_CONNECTION_OPTIONS;
    this.maxPayload = options.maxPayload ?? defaults.maxPayload;
    this.skipUTF8Validation = options.skipUTF8Validation ?? defaults.skipUTF8Validation;
    this.autoPong = options.autoPong ?? defaults.autoPong;
    this.maxFragments = options.maxFragments ?? defaults.maxFragments;
    this.streamFragments = options.streamFragments ?? defaults.streamFragments;
    this.maskKey = options.maskKey ?? defaults.maskKey;
    this.handler = handler;
    this.masked = options.role === 'client';
    this.parser = new FrameParser(this, options.role === 'server', options.compression ?? defaults.compression);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  // ---- input ---------------------------------------------------------------

  /** Feeds bytes from the peer. Events fire synchronously from inside this call. */
  receive(chunk: Buffer): void {
    this.parseInput(chunk, false);
  }

  /**
   * Feeds bytes that stay valid only during this call (a read buffer the
   * caller reuses). A chunk under BORROW_MIN is copied once, whole, and read
   * as if it came through `receive()`: one allocation for all the small
   * messages in it. A larger one is parsed where it is, and whatever outlives
   * the call is copied: messages and their pieces, control payloads, input
   * held while paused. A frame that spans reads is unmasked straight into its
   * message's buffer (`frameTarget`), so most of a large message is copied
   * once, not twice.
   */
  receiveBorrowed(chunk: Buffer): void {
    if (chunk.length < BORROW_MIN) this.parseInput(copyOf(chunk, 0), false);
    else this.parseInput(chunk, true);
  }

  private parseInput(chunk: Buffer, borrowed: boolean): void {
    if (this.parser.failed) return; // failed or closed: input is ignored, and not retained while paused
    if (this.paused || this.pending.length !== 0) {
      (this.pending = ownList(this.pending)).push(borrowed ? copyOf(chunk, 0) : chunk);
      return;
    }
    this.receiving = true;
    this.borrowed = borrowed;
    const stopped = this.parser.parse(chunk, 0);
    this.borrowed = false;
    this.receiving = false;
    if (stopped < chunk.length && !this.parser.failed && this.paused) {
      // Paused mid-chunk: the rest waits for resume().
      (this.pending = ownList(this.pending)).push(borrowed ? copyOf(chunk, stopped) : chunk);
      this.pendingOffset = borrowed ? 0 : stopped;
    }
  }

  /** Stops delivering events until `resume()`; input keeps being queued. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    // Called from a handler while input is being parsed: that parse loop carries on by itself
    // (parsing the pending chunks here too would parse the same bytes twice).
    if (this.receiving) return;
    this.receiving = true;
    while (this.pending.length !== 0 && !this.paused && !this.parser.failed) {
      const chunk = this.pending[0]!;
      const stopped = this.parser.parse(chunk, this.pendingOffset);
      if (stopped < chunk.length && this.paused && !this.parser.failed) {
        this.pendingOffset = stopped;
        break;
      }
      // A handler that failed or closed the connection has already dropped the list.
      if (this.pending.length !== 0) this.pending.shift();
      this.pendingOffset = 0;
    }
    if (this.parser.failed || this.pending.length === 0) this.pending = sharedEmptyList();
    this.receiving = false;
    if (this.outputBytes !== 0) this.signalOutput();
  }

  /** Bytes received but not yet parsed because reading is paused. */
  get pendingInputBytes(): number {
    let total = 0;
    for (const chunk of this.pending) total += chunk.length;
    return total - this.pendingOffset; // (not -pendingOffset + …, which is -0 when empty)
  }

  frameStart(fin: boolean, rsv1: boolean, opcode: number, length: number): boolean {
    this.frameOpcode = opcode;
    this.frameFin = fin;
    if (isControlOpcode(opcode)) {
      this.controlLength = 0;
      return true;
    }
    if (opcode === Opcode.CONTINUATION) {
      if (this.messageOpcode === 0) {
        return this.fail(new WebSocketError('WSX_ERR_UNEXPECTED_CONTINUATION', 'Continuation frame without a message to continue'));
      }
    } else {
      if (this.messageOpcode !== 0) {
        return this.fail(new WebSocketError('WSX_ERR_EXPECTED_CONTINUATION', 'New data frame inside a fragmented message'));
      }
      this.messageOpcode = opcode;
      this.messageCompressed = rsv1;
      this.messageLength = 0;
      this.messageFrames = 0;
      this.validating = opcode === Opcode.TEXT && !rsv1 && !this.skipUTF8Validation;
    }
    if (++this.messageFrames > this.maxFragments) {
      return this.fail(
        new WebSocketError('WSX_ERR_TOO_MANY_FRAGMENTS', 'Too many fragments in one message', CloseCode.POLICY_VIOLATION),
      );
    }
    const maxPayload = this.maxPayload;
    if (maxPayload > 0 && this.messageLength + length > maxPayload) {
      return this.fail(new WebSocketError('WSX_ERR_MESSAGE_TOO_BIG', 'Message exceeds maxPayload', CloseCode.MESSAGE_TOO_BIG));
    }
    this.frameEndLength = this.messageLength + length;
    return true;
  }

  framePayload(data: Buffer, frameEnd: boolean): boolean {
    if (isControlOpcode(this.frameOpcode)) {
      if (!frameEnd) {
        this.control ??= Buffer.allocUnsafe(125);
        this.control.set(data, this.controlLength);
        this.controlLength += data.length;
        return true;
      }
      let payload = data;
      if (this.controlLength !== 0) {
        // The frame was split: join it in a fresh buffer the application may keep.
        payload = Buffer.allocUnsafe(this.controlLength + data.length);
        payload.set(this.control!.subarray(0, this.controlLength), 0);
        payload.set(data, this.controlLength);
      } else if (this.borrowed) {
        payload = copyOf(data, 0);
      }
      return this.controlFrame(this.frameOpcode, payload);
    }

    const messageEnd = frameEnd && this.frameFin;
    const whole = messageEnd && this.pieces.length === 0 && this.messageLength === 0;
    this.messageLength += data.length;
    if (this.validating) {
      const valid = whole ? isValidUtf8(data) : this.validatePiece(data, 0, data.length, messageEnd);
      if (!valid) return this.failUtf8();
    }
    // (Into an assembly, retain() copies anyway.)
    if (this.borrowed && data.length !== 0 && this.assembly === null) data = copyOf(data, 0);
    const isBinary = this.messageOpcode === Opcode.BINARY;
    if (this.streamFragments && !this.messageCompressed) {
      if (data.length !== 0 || messageEnd) this.handler.onFragment(data, isBinary, messageEnd);
      if (messageEnd) this.messageOpcode = 0;
      return !this.paused && !this.parser.failed;
    }
    if (!messageEnd) {
      if (data.length !== 0) this.retain(data);
      return true;
    }
    let message = data;
    if (this.assembly !== null) {
      if (data.length !== 0) this.retain(data);
      const assembly = this.assembly;
      message = this.assemblyLength === assembly.length ? assembly : assembly.subarray(0, this.assemblyLength);
      this.assembly = null;
    } else if (!whole) {
      if (data.length !== 0) (this.pieces = ownList(this.pieces)).push(data);
      message = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.messageLength);
      this.pieces = sharedEmptyList();
    }
    return this.deliver(message, isBinary);
  }

  /**
   * A frame's payload spans reads. The last frame of a message that has no
   * earlier pieces has a final length the header told: up to
   * PREALLOCATE_LIMIT its buffer is allocated now, and the parser unmasks
   * each piece straight into it while the piece is still in cache.
   */
  frameTarget(): Uint8Array | null {
    if (isControlOpcode(this.frameOpcode) || (this.streamFragments && !this.messageCompressed)) return null;
    if (!this.frameFin || this.assembly !== null || this.pieces.length !== 0) return null;
    if (this.messageLength !== 0 || this.frameEndLength > PREALLOCATE_LIMIT) return null;
    this.assembly = Buffer.allocUnsafe(this.frameEndLength);
    this.assemblyLength = 0;
    return this.assembly;
  }

  framePlaced(length: number, frameEnd: boolean): boolean {
    const assembly = this.assembly!;
    const start = this.assemblyLength;
    this.assemblyLength = start + length;
    this.messageLength += length;
    // The target is only given for a message's last frame.
    if (this.validating && !this.validatePiece(assembly, start, start + length, frameEnd)) return this.failUtf8();
    if (!frameEnd) return true;
    this.assembly = null;
    return this.deliver(assembly, this.messageOpcode === Opcode.BINARY);
  }

  /** Streams `buf[start, end)` of a text message through the UTF-8 validator. */
  private validatePiece(buf: Uint8Array, start: number, end: number, messageEnd: boolean): boolean {
    const utf8 = (this.utf8 ??= new Utf8Validator());
    return utf8.write(buf, start, end) && (!messageEnd || utf8.finish());
  }

  private failUtf8(): false {
    this.utf8?.reset();
    return this.fail(
      new WebSocketError('WSX_ERR_INVALID_UTF8', 'Invalid UTF-8 in a text message', CloseCode.INVALID_FRAME_PAYLOAD_DATA),
    );
  }

  private deliver(message: Buffer, isBinary: boolean): boolean {
    const compressed = this.messageCompressed;
    this.messageOpcode = 0;
    this.handler.onMessage(message, isBinary, compressed);
    return !this.paused && !this.parser.failed;
  }

  /** Keeps a piece of an incomplete message (`messageLength` already counts it). */
  private retain(data: Buffer): void {
    if (this.assembly === null) {
      (this.pieces = ownList(this.pieces)).push(data);
      if (this.pieces.length <= MAX_RETAINED_PIECES) return;
      this.assembly = Buffer.allocUnsafe(this.assemblyCapacity(this.messageLength));
      this.assemblyLength = 0;
      for (let i = 0; i < this.pieces.length; i++) {
        this.assemblyLength += this.pieces[i]!.copy(this.assembly, this.assemblyLength);
      }
      this.pieces = sharedEmptyList();
      return;
    }
    if (this.assemblyLength + data.length > this.assembly.length) {
      const grown = Buffer.allocUnsafe(this.assemblyCapacity(this.assemblyLength + data.length));
      grown.set(this.assembly.subarray(0, this.assemblyLength), 0);
      this.assembly = grown;
    }
    this.assembly.set(data, this.assemblyLength);
    this.assemblyLength += data.length;
  }

  /** Room for `needed` bytes and as many again, but never beyond maxPayload. */
  private assemblyCapacity(needed: number): number {
    const maxPayload = this.maxPayload;
    return maxPayload > 0 ? Math.max(needed, Math.min(2 * needed, maxPayload)) : 2 * needed;
  }

  frameError(error: WebSocketError): void {
    this.fail(error);
  }

  /** Fails the connection from above (e.g. a compressed message that does not inflate). */
  abort(error: WebSocketError): void {
    this.fail(error);
  }

  private controlFrame(opcode: number, payload: Buffer): boolean {
    if (opcode === Opcode.PING) {
      if (this.autoPong && !this.closeSent) this.queuePong(payload);
      this.handler.onPing(payload);
    } else if (opcode === Opcode.PONG) {
      this.handler.onPong(payload);
    } else {
      return this.closeFrame(payload);
    }
    return !this.paused && !this.parser.failed;
  }

  private closeFrame(payload: Buffer): boolean {
    let code: number = CloseCode.NO_STATUS_RECEIVED;
    let reason: Buffer = EMPTY;
    if (payload.length === 1) {
      return this.fail(new WebSocketError('WSX_ERR_INVALID_CLOSE_PAYLOAD', 'Close frame payload of 1 byte'));
    }
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!isValidWireCloseCode(code)) {
        return this.fail(new WebSocketError('WSX_ERR_INVALID_CLOSE_CODE', `Invalid close code ${code}`));
      }
      reason = payload.subarray(2);
      if (!this.skipUTF8Validation && !isValidUtf8(reason)) {
        return this.fail(
          new WebSocketError('WSX_ERR_INVALID_UTF8', 'Invalid UTF-8 in the close reason', CloseCode.INVALID_FRAME_PAYLOAD_DATA),
        );
      }
    }
    this.closeReceived = true;
    this.parser.stop();
    this.pending = sharedEmptyList();
    this.pieces = sharedEmptyList(); // a message left unfinished by the close is dropped
    this.assembly = null;
    if (!this.closeSent) {
      // Echo the peer's code and reason (RFC 6455 5.5.1, and what ws does); a close without a code is answered without one.
      this.queueClose(code === CloseCode.NO_STATUS_RECEIVED ? -1 : code, reason);
    }
    this.readyState = ReadyState.CLOSED;
    this.handler.onCloseFrame(code, reason);
    return false;
  }

  private fail(error: WebSocketError): false {
    if (this.failed) return false;
    this.failed = true;
    this.parser.stop();
    this.pending = sharedEmptyList();
    this.pieces = sharedEmptyList();
    this.assembly = null;
    if (!this.closeSent) this.queueClose(error.closeCode, EMPTY);
    this.handler.onProtocolError(error);
    return false;
  }

  // ---- output --------------------------------------------------------------

  /**
   * Queues a data frame. `fin: false` starts or continues a fragmented
   * message; its continuation frames are sent with `send(…)` again.
   * Returns false (and queues nothing) once a close frame was sent.
   */
  send(data: Buffer, isBinary: boolean, fin = true, compressed = false): boolean {
    if (this.closeSent) return false;
    const opcode = this.sendingFragments ? Opcode.CONTINUATION : isBinary ? Opcode.BINARY : Opcode.TEXT;
    // RSV1 belongs on the first frame of a compressed message only (RFC 7692 6.1).
    const rsv1 = compressed && !this.sendingFragments;
    this.sendingFragments = !fin;
    this.queueFrame(opcode, data, fin, rsv1);
    return true;
  }

  ping(data: Buffer): boolean {
    if (this.closeSent) return false;
    this.queueFrame(Opcode.PING, data, true, false);
    return true;
  }

  pong(data: Buffer): boolean {
    if (this.closeSent) return false;
    this.queueFrame(Opcode.PONG, data, true, false);
    return true;
  }

  /**
   * Starts the closing handshake (or answers one). `code` -1 sends a close
   * frame without a body. Returns false when a close frame was already sent.
   */
  close(code: number, reason: Buffer): boolean {
    if (this.closeSent) return false;
    this.queueClose(code, reason);
    return true;
  }

  /** Queues bytes framed elsewhere (an encode-once broadcast). */
  sendEncoded(frames: readonly Buffer[], bytes: number): boolean {
    if (this.closeSent || this.sendingFragments) return false;
    this.closeStage();
    for (let i = 0; i < frames.length; i++) this.output.push(frames[i]!);
    this.outputBytes += bytes;
    this.signalOutput();
    return true;
  }

  /** Hands the queued output to the transport (null when empty). */
  takeOutput(): Buffer[] | null {
    this.outputSignaled = false;
    this.pongIndex = -1;
    this.closeStage();
    if (this.output.length === 0) return null;
    const out = this.output;
    this.output = [];
    this.outputBytes = 0;
    return out;
  }

  private queueClose(code: number, reason: Buffer): void {
    let body: Buffer = EMPTY;
    if (code !== -1) {
      body = Buffer.allocUnsafe(2 + reason.length);
      body.writeUInt16BE(code, 0);
      reason.copy(body, 2);
    }
    this.closeSent = true;
    this.readyState = this.closeReceived ? ReadyState.CLOSED : ReadyState.CLOSING;
    this.queueFrame(Opcode.CLOSE, body, true, false);
  }

  /** One pong per output batch: a flood of pings read together is answered once, with the latest payload (RFC 6455 5.5.3). */
  private queuePong(payload: Buffer): void {
    if (this.pongIndex !== -1) {
      const old = this.output[this.pongIndex]!;
      const replacement: Buffer[] = [];
      const bytes = encodeFrame(replacement, Opcode.PONG, payload, true, false, this.masked ? this.maskKey() : NO_MASK);
      this.output[this.pongIndex] = replacement[0]!;
      this.outputBytes += bytes - old.length;
      return;
    }
    this.closeStage(); // (the pong's index must be taken after the staged run is queued)
    this.pongIndex = this.output.length;
    this.queueFrame(Opcode.PONG, payload, true, false);
  }

  private queueFrame(opcode: number, payload: Buffer, fin: boolean, rsv1: boolean): void {
    const maskKey = this.masked ? this.maskKey() : NO_MASK;
    const length = payload.length;
    if (length > COPY_THRESHOLD || isControlOpcode(opcode)) {
      // Large payloads are referenced, not copied (header and payload as separate buffers);
      // control frames stay separate buffers because a queued pong may be replaced (queuePong).
      this.closeStage();
      this.outputBytes += encodeFrame(this.output, opcode, payload, fin, rsv1, maskKey);
    } else {
      const total = frameHeaderLength(length, this.masked) + length;
      const at = this.stage(total);
      this.stageEnd = writeFrame(this.stageSlab!, at, opcode, payload, fin, rsv1, maskKey);
      this.outputBytes += total;
    }
    this.signalOutput();
  }

  /** Reserves `length` staged bytes and returns their offset in `stageSlab`, continuing the run when contiguous. */
  private stage(length: number): number {
    const run = this.stageEnd - this.stageStart;
    if (frameSlabRoom() < length && this.stageSlab === frameSlab() && run <= STAGE_CARRY_LIMIT) {
      // The slab is full: carry the open run over to the next one.
      const old = this.stageSlab;
      const start = reserveFrameBytes(run + length);
      const slab = frameSlab();
      slab.set(old.subarray(this.stageStart, this.stageEnd), start);
      this.stageSlab = slab;
      this.stageStart = start;
      this.stageEnd = start + run;
      return start + run;
    }
    const at = reserveFrameBytes(length);
    const slab = frameSlab();
    if (slab !== this.stageSlab || at !== this.stageEnd) {
      this.closeStage();
      this.stageSlab = slab;
      this.stageStart = at;
    }
    return at;
  }

  /** Moves the staged run, if any, to the output queue. */
  private closeStage(): void {
    const slab = this.stageSlab;
    if (slab === null) return;
    this.output.push(slab.subarray(this.stageStart, this.stageEnd));
    this.stageSlab = null;
  }

  private signalOutput(): void {
    if (this.receiving || this.outputSignaled) return;
    this.outputSignaled = true;
    this.handler.onOutput();
  }
}

/**
 * Incremental frame parser (RFC 6455 section 5.2). Input may be split at any
 * byte; state lives in a few numeric fields so a frame split across reads
 * resumes without allocating, and a frame that sits whole inside one chunk is
 * delivered as a view of that chunk, unmasked in place. A frame that spans
 * reads can be unmasked straight into a buffer the sink provides.
 *
 * It enforces the rules a single frame header can break; message-level rules
 * (fragmentation order, UTF-8, size of the whole message) belong to the sink.
 */
import { Buffer } from 'node:buffer';
import { CloseCode } from './close-codes.js';
import { WebSocketError } from './errors.js';
import { maskInto, unmaskInPlace } from './mask.js';
import { isControlOpcode, isKnownOpcode } from './opcode.js';

export interface FrameSink {
  /**
   * A header was read. Return false to stop parsing (the sink failed the
   * connection). `length` is at most 2^53 - 1.
   */
  frameStart(fin: boolean, rsv1: boolean, opcode: number, length: number): boolean;
  /**
   * Unmasked payload bytes of the current frame, `frameEnd` true on the last
   * piece (a zero-length frame gets one empty piece). Return false to stop
   * parsing: the sink failed the connection or paused.
   */
  framePayload(data: Buffer, frameEnd: boolean): boolean;
  /**
   * Optional. The current frame's payload goes on past this read: asked once
   * per such frame, at its first piece. A sink that will copy the pieces
   * into one buffer anyway returns that buffer, with room for the whole
   * payload from index 0, and the parser unmasks each piece straight into it
   * (one pass less than unmasking in place and copying) and reports it
   * through `framePlaced` instead of `framePayload`. Null, or no method,
   * keeps `framePayload`. A sink that returns a target must implement
   * `framePlaced`.
   */
  frameTarget?(): Uint8Array | null;
  /**
   * The next `length` payload bytes of the current frame are in the target,
   * unmasked, after the ones placed before. Return values as for `framePayload`.
   */
  framePlaced?(length: number, frameEnd: boolean): boolean;
  /** The parser found a header-level protocol violation. */
  frameError(error: WebSocketError): void;
}

const enum Phase {
  Header,
  Payload,
  Failed,
}

const EMPTY = Buffer.alloc(0);

export class FrameParser {
  private phase = Phase.Header;
  /** Holds a header split across reads; allocated the first time one is (most connections never need it). */
  private header: Buffer | null = null;
  private headerHave = 0;
  private fin = false;
  private rsv1 = false;
  private opcode = 0;
  private maskKey = 0;
  private masked = false;
  /** Payload bytes of the current frame already handled (the key's phase and the target's index). */
  private payloadOffset = 0;
  private remaining = 0;
  /** Where the current frame's payload is unmasked to, when the sink gave a target. */
  private target: Uint8Array | null = null;

  constructor(
    private readonly sink: FrameSink,
    /** Servers require masked frames, clients refuse them. */
    private readonly expectMasked: boolean,
    /** Whether a negotiated extension gives RSV1 a meaning (permessage-deflate). */
    public rsv1Allowed: boolean,
  ) {}

  get failed(): boolean {
    return this.phase === Phase.Failed;
  }

  /**
   * Parses `chunk` from `start`. Returns the offset where it stopped: the end
   * of the chunk, or earlier when the sink asked to stop (pause or failure).
   */
  parse(chunk: Buffer, start: number): number {
    let pos = start;
    const end = chunk.length;
    // The chunk's memory, fetched at the first piece that needs a view: Node 20's
    // subarray() reads chunk.buffer, a C++ call, for every piece (~50 ns each),
    // and its optimizing compiler does not inline the byteOffset getter either.
    let memory: ArrayBuffer | null = null;
    let memoryOffset = 0;
    while (pos < end) {
      if (this.phase === Phase.Header) {
        const used = this.readHeader(chunk, pos, end);
        if (used < 0) return end; // failed
        pos += used;
        if (this.phase === Phase.Header) return pos; // header incomplete, chunk consumed
        if (!this.sink.frameStart(this.fin, this.rsv1, this.opcode, this.remaining)) {
          this.phase = Phase.Failed;
          return end;
        }
        if (this.remaining === 0) {
          this.phase = Phase.Header;
          if (!this.sink.framePayload(EMPTY, true)) return pos;
          continue;
        }
      } else if (this.phase === Phase.Payload) {
        const take = Math.min(this.remaining, end - pos);
        if (this.target !== null || (take !== this.remaining && this.payloadOffset === 0 && this.askTarget())) {
          const more = this.place(chunk, pos, take);
          pos += take;
          if (!more) return pos;
          continue;
        }
        if (this.masked) unmaskInPlace(chunk, pos, pos + take, this.maskKey, this.payloadOffset);
        const last = this.consume(take);
        let piece = chunk;
        if (take !== end || pos !== 0) {
          if (memory === null) {
            memory = chunk.buffer as ArrayBuffer;
            memoryOffset = chunk.byteOffset;
          }
          piece = Buffer.from(memory, memoryOffset + pos, take);
        }
        pos += take;
        if (!this.sink.framePayload(piece, last)) return pos;
      } else {
        return end;
      }
    }
    return pos;
  }

  /** Asks the sink where the current frame goes; true if it gave a target. */
  private askTarget(): boolean {
    const sink = this.sink;
    this.target = sink.frameTarget === undefined ? null : sink.frameTarget();
    return this.target !== null;
  }

  /** Unmasks (or copies) `chunk[pos, pos + take)` into the target and reports it. */
  private place(chunk: Buffer, pos: number, take: number): boolean {
    const target = this.target!;
    const offset = this.payloadOffset;
    if (this.masked) maskInto(chunk, pos, pos + take, target, offset, this.maskKey, offset);
    else target.set(chunk.subarray(pos, pos + take), offset);
    const last = this.consume(take);
    if (last) this.target = null;
    return this.sink.framePlaced!(take, last);
  }

  /** Counts `take` payload bytes as handled; true when they end the frame (the next bytes are a header). */
  private consume(take: number): boolean {
    this.payloadOffset += take;
    this.remaining -= take;
    if (this.remaining !== 0) return false;
    this.phase = Phase.Header;
    return true;
  }

  /** Marks the parser dead: all further input is ignored. */
  stop(): void {
    this.phase = Phase.Failed;
    this.target = null;
  }

  /**
   * Consumes header bytes. Returns how many bytes of `chunk` it used, or -1
   * after failing the connection. Leaves phase Header when more are needed.
   */
  private readHeader(chunk: Buffer, pos: number, end: number): number {
    let src: Buffer;
    let at: number;
    let used: number;
    if (this.headerHave === 0 && end - pos >= 2) {
      // Fast path: parse straight from the chunk when the whole header is there.
      const need = headerSize(chunk[pos + 1]!);
      if (end - pos >= need) {
        src = chunk;
        at = pos;
        used = need;
      } else {
        return this.bufferHeader(chunk, pos, end);
      }
    } else {
      const used0 = this.bufferHeader(chunk, pos, end);
      if (this.phase !== Phase.Header || this.headerHave < 2) return used0;
      const header = this.header!;
      const need = headerSize(header[1]!);
      if (this.headerHave < need) return used0;
      // Buffered header complete: bytes beyond `need` were not taken (bufferHeader stops at need).
      src = header;
      at = 0;
      used = used0;
      this.headerHave = 0;
    }
    return this.decodeHeader(src, at) ? used : -1;
  }

  /** Copies header bytes into the 14-byte scratch buffer, up to what the header needs. */
  private bufferHeader(chunk: Buffer, pos: number, end: number): number {
    const header = (this.header ??= Buffer.allocUnsafe(14));
    let used = 0;
    while (pos + used < end) {
      const need = this.headerHave >= 2 ? headerSize(header[1]!) : 2;
      if (this.headerHave >= need) break;
      header[this.headerHave++] = chunk[pos + used]!;
      used++;
    }
    return used;
  }

  private decodeHeader(buf: Buffer, at: number): boolean {
    const b0 = buf[at]!;
    const b1 = buf[at + 1]!;
    const fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;
    let p = at + 2;

    if ((b0 & 0x30) !== 0) return this.fail('WSX_ERR_UNEXPECTED_RSV', 'RSV2 and RSV3 must be clear');
    if (!isKnownOpcode(opcode)) return this.fail('WSX_ERR_INVALID_OPCODE', `Invalid opcode ${opcode}`);
    if (rsv1 && (!this.rsv1Allowed || isControlOpcode(opcode) || opcode === 0)) {
      return this.fail('WSX_ERR_UNEXPECTED_RSV', 'RSV1 must be clear');
    }
    if (masked !== this.expectMasked) {
      return this.expectMasked
        ? this.fail('WSX_ERR_EXPECTED_MASK', 'A client frame must be masked')
        : this.fail('WSX_ERR_UNEXPECTED_MASK', 'A server frame must not be masked');
    }
    if (isControlOpcode(opcode)) {
      if (!fin) return this.fail('WSX_ERR_FRAGMENTED_CONTROL_FRAME', 'Control frames must not be fragmented');
      if (length > 125) return this.fail('WSX_ERR_CONTROL_FRAME_TOO_LONG', 'Control frame payload over 125 bytes');
    }
    if (length === 126) {
      length = (buf[p]! << 8) | buf[p + 1]!;
      p += 2;
    } else if (length === 127) {
      const high = buf.readUInt32BE(p);
      const low = buf.readUInt32BE(p + 4);
      p += 8;
      if (high & 0x80000000) {
        return this.fail('WSX_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 'Payload length has its most significant bit set');
      }
      // Beyond 2^53 - 1 a JavaScript number cannot hold the length: no message can be that big here.
      if (high > 0x1fffff) {
        return this.fail('WSX_ERR_MESSAGE_TOO_BIG', 'Payload length too large', CloseCode.MESSAGE_TOO_BIG);
      }
      length = high * 0x100000000 + low;
    }
    if (masked) this.maskKey = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
    this.payloadOffset = 0;
    this.fin = fin;
    this.rsv1 = rsv1;
    this.opcode = opcode;
    this.masked = masked;
    this.remaining = length;
    this.phase = Phase.Payload;
    return true;
  }

  private fail(code: WebSocketError['code'], message: string, closeCode: number = CloseCode.PROTOCOL_ERROR): false {
    this.phase = Phase.Failed;
    this.sink.frameError(new WebSocketError(code, message, closeCode));
    return false;
  }
}

/** Total header size implied by the second header byte. */
function headerSize(b1: number): number {
  const len = b1 & 0x7f;
  return (len < 126 ? 2 : len === 126 ? 4 : 10) + (b1 & 0x80 ? 4 : 0);
}

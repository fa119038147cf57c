import { Buffer } from 'node:buffer';
import { constants, createInflateRaw, type InflateRaw, type ZlibOptions } from 'node:zlib';
import { CloseCode } from '../protocol/close-codes.js';
import { WebSocketError } from '../protocol/errors.js';
import type { InflateTuning } from '../protocol/permessage-deflate-negotiation.js';
import { ZlibJobLane } from './zlib-job-lane.js';
import type { ZlibLimiter } from './zlib-limiter.js';
import { SYNC_FLUSH_TAIL } from './sync-flush-tail.js';

/**
 * The receiving half of permessage-deflate: one raw inflate stream, one job per
 * frame, `maxPayload` enforced on the inflated size of the whole message while
 * zlib produces it (Node hands the output over in `chunkSize` pieces, 16 KiB by
 * default, so at most one piece past the limit is ever held).
 */
export class InflateLane extends ZlibJobLane<WebSocketError> {
  private readonly zlibOptions: ZlibOptions;
  /** The peer resets its compressor after each message; so can we. */
  private readonly noContextTakeover: boolean;
  /** 0 disables the limit, as in ws. */
  private readonly maxPayload: number;
  private stream: InflateRaw | null = null;
  /** The stream has seen a block with BFINAL set; zlib ignores all input after it. */
  private streamEnded = false;
  private chunks: Buffer[] = [];
  /** Bytes of this frame's output held in `chunks`. */
  private outputLength = 0;
  /** Bytes inflated for the current message, across its frames. */
  private messageLength = 0;
  private fin = false;
  /** A frame of the current message has been inflated and its final frame has not. */
  private inMessage = false;
  private onFlushed: (() => void) | null = null;
  /** The error that failed a message; every later job fails with it too. */
  private failure: WebSocketError | null = null;

  constructor(
    limiter: ZlibLimiter,
    windowBits: number,
    noContextTakeover: boolean,
    maxPayload: number,
    tuning: InflateTuning | undefined,
  ) {
    super(limiter);
    this.noContextTakeover = noContextTakeover;
    this.maxPayload = maxPayload > 0 ? maxPayload : 0;
    const options: ZlibOptions = { windowBits };
    if (tuning !== undefined && tuning.chunkSize !== undefined) options.chunkSize = tuning.chunkSize;
    this.zlibOptions = options;
  }

  protected startJob(data: Buffer, fin: boolean): void {
    // After a failure the connection is being failed: inflate nothing more for it.
    if (this.failure !== null) {
      this.finishJobSoon(this.failure);
      return;
    }
    let stream = this.stream;
    // A stream that ended on a final block cannot carry the next message; the
    // rest of the message it ended in is ignored, as zlib would ignore it.
    if (stream !== null && this.streamEnded && !this.inMessage) {
      this.dropStream();
      stream = null;
    }
    if (stream === null) {
      try {
        stream = this.openStream();
      } catch (error) {
        // zlib refused our options (e.g. a bad chunkSize): our fault, hence 1011.
        this.failure = new WebSocketError(
          'WSX_ERR_INVALID_COMPRESSED_DATA',
          `Cannot create the inflate stream: ${(error as Error).message}`,
          CloseCode.INTERNAL_ERROR,
        );
        this.finishJobSoon(this.failure);
        return;
      }
    }
    this.fin = fin;
    this.inMessage = !fin;
    stream.write(data);
    if (fin) stream.write(SYNC_FLUSH_TAIL);
    stream.flush(constants.Z_SYNC_FLUSH, this.onFlushed!);
  }

  /** Listeners are made once per stream and ignore a stream we dropped. */
  private openStream(): InflateRaw {
    const stream = createInflateRaw(this.zlibOptions);
    this.stream = stream;
    this.streamEnded = false;
    stream.on('data', (chunk: Buffer) => {
      if (this.stream !== stream) return;
      this.onData(chunk);
    });
    stream.on('end', () => {
      if (this.stream === stream) this.streamEnded = true;
    });
    stream.on('error', (error: Error) => {
      if (this.stream !== stream) return;
      this.failMessage(
        new WebSocketError(
          'WSX_ERR_INVALID_COMPRESSED_DATA',
          `Invalid compressed data: ${error.message}`,
          // 1007: the payload is not valid for the negotiated encoding, the
          // same category as invalid UTF-8 in a text message; the framing
          // itself (1002) was fine. ws and python-websockets also use 1007.
          CloseCode.INVALID_FRAME_PAYLOAD_DATA,
        ),
      );
    });
    this.onFlushed = () => {
      if (this.stream === stream) this.completeJob();
    };
    return stream;
  }

  private onData(chunk: Buffer): void {
    this.messageLength += chunk.length;
    if (this.maxPayload !== 0 && this.messageLength > this.maxPayload) {
      // Stop inflating now: a few KiB of input can expand to gigabytes.
      this.failMessage(
        new WebSocketError(
          'WSX_ERR_MESSAGE_TOO_BIG',
          `Inflated message exceeds maxPayload (${this.maxPayload} bytes)`,
          CloseCode.MESSAGE_TOO_BIG,
        ),
      );
      return;
    }
    this.chunks.push(chunk);
    this.outputLength += chunk.length;
  }

  private failMessage(error: WebSocketError): void {
    this.failure = error;
    this.dropStream();
    this.messageLength = 0;
    this.inMessage = false;
    this.finishJob(error);
  }

  private completeJob(): void {
    const chunks = this.chunks;
    const output = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.outputLength);
    this.chunks = [];
    this.outputLength = 0;
    if (this.fin) {
      this.messageLength = 0;
      if (this.noContextTakeover || this.streamEnded) this.dropStream();
    }
    this.finishJob(null, output);
  }

  protected dropStream(): void {
    const stream = this.stream;
    if (stream === null) return;
    this.stream = null;
    this.onFlushed = null;
    this.streamEnded = false;
    this.chunks = [];
    this.outputLength = 0;
    stream.close();
  }
}

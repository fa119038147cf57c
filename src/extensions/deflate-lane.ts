import { Buffer } from 'node:buffer';
import { constants, createDeflateRaw, type DeflateRaw, type ZlibOptions } from 'node:zlib';
import type { DeflateTuning } from '../protocol/permessage-deflate-negotiation.js';
import { ZlibJobLane } from './zlib-job-lane.js';
import type { ZlibLimiter } from './zlib-limiter.js';
import { endsWithSyncFlushTail } from './sync-flush-tail.js';

/**
 * The sending half of permessage-deflate: one raw deflate stream, one job per
 * frame. Each job ends with Z_SYNC_FLUSH so the frame holds every byte written
 * so far; the last frame of a message loses the 00 00 FF FF tail.
 */
export class DeflateLane extends ZlibJobLane<Error> {
  readonly zlibOptions: ZlibOptions;
  /** Free the stream after each message instead of keeping its window. */
  private readonly noContextTakeover: boolean;
  private stream: DeflateRaw | null = null;
  private chunks: Buffer[] = [];
  private outputLength = 0;
  private fin = false;
  private onFlushed: (() => void) | null = null;
  /** A zlib error fails this job and every later one. */
  private failure: Error | null = null;

  constructor(limiter: ZlibLimiter, windowBits: number, noContextTakeover: boolean, tuning: DeflateTuning | undefined) {
    super(limiter);
    this.noContextTakeover = noContextTakeover;
    const options: ZlibOptions = { windowBits };
    if (tuning !== undefined) {
      if (tuning.level !== undefined) options.level = tuning.level;
      if (tuning.memLevel !== undefined) options.memLevel = tuning.memLevel;
      if (tuning.strategy !== undefined) options.strategy = tuning.strategy;
      if (tuning.chunkSize !== undefined) options.chunkSize = tuning.chunkSize;
    }
    this.zlibOptions = options;
  }

  protected startJob(data: Buffer, fin: boolean): void {
    // The peer's decompressor would be out of step with us after a failure.
    if (this.failure !== null) {
      this.finishJobSoon(this.failure);
      return;
    }
    let stream = this.stream;
    if (stream === null) {
      try {
        stream = this.openStream();
      } catch (error) {
        this.failure = error as Error;
        this.finishJobSoon(this.failure);
        return;
      }
    }
    this.fin = fin;
    stream.write(data);
    stream.flush(constants.Z_SYNC_FLUSH, this.onFlushed!);
  }

  /**
   * The listeners are made once per stream and compare identities, so events
   * of a stream we dropped (closed mid-job, or after an error) change nothing.
   */
  private openStream(): DeflateRaw {
    const stream = createDeflateRaw(this.zlibOptions);
    this.stream = stream;
    stream.on('data', (chunk: Buffer) => {
      if (this.stream !== stream) return;
      this.chunks.push(chunk);
      this.outputLength += chunk.length;
    });
    stream.on('error', (error: Error) => {
      if (this.stream !== stream) return;
      this.failure = error;
      this.dropStream();
      this.finishJob(error);
    });
    this.onFlushed = () => {
      if (this.stream !== stream) return;
      this.completeJob();
    };
    return stream;
  }

  private completeJob(): void {
    const chunks = this.chunks;
    let output = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.outputLength);
    this.chunks = [];
    this.outputLength = 0;
    if (this.fin) {
      if (endsWithSyncFlushTail(output)) output = output.subarray(0, output.length - 4);
      if (this.noContextTakeover) this.dropStream();
    }
    this.finishJob(null, output);
  }

  protected dropStream(): void {
    const stream = this.stream;
    if (stream === null) return;
    this.stream = null;
    this.onFlushed = null;
    this.chunks = [];
    this.outputLength = 0;
    stream.close();
  }
}

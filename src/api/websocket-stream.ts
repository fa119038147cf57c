/**
 * WebSocketStream: the promise-and-streams shape of the WHATWG proposal.
 * `opened` gives a ReadableStream of messages (strings for text, Uint8Array
 * for binary) and a WritableStream that accepts both; backpressure is real in
 * both directions (reading pauses the socket, a write settles once written).
 * `WebSocketStream.from(ws)` gives server-side connections the same shape.
 */
import { Buffer } from 'node:buffer';
import { CloseCode } from '../protocol/close-codes.js';
import { WebSocket, type ClientOptions } from './websocket.js';

export interface WebSocketStreamOptions extends ClientOptions<WebSocket> {
  protocols?: string[];
  signal?: AbortSignal;
}

export interface WebSocketOpenInfo {
  readable: ReadableStream<string | Uint8Array>;
  writable: WritableStream<string | ArrayBuffer | ArrayBufferView>;
  protocol: string;
  extensions: string;
}

export interface WebSocketCloseInfo {
  closeCode?: number;
  reason?: string;
}

export class WebSocketStream {
  readonly url: string;
  readonly opened: Promise<WebSocketOpenInfo>;
  readonly closed: Promise<WebSocketCloseInfo>;
  private readonly ws: WebSocket;

  constructor(url: string | URL, options: WebSocketStreamOptions = {}) {
    const { protocols, signal, ...rest } = options;
    if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
    const ws = new WebSocket(url, protocols ?? [], rest);
    this.url = ws.url;
    this.ws = ws;
    signal?.addEventListener('abort', () => {
      if (ws.readyState === ws.CONNECTING) ws.terminate();
    });
    [this.opened, this.closed] = bind(ws);
  }

  /** Wraps a connection that is already open (e.g. one from WebSocketServer's 'connection' event). */
  static from(ws: WebSocket): WebSocketStream {
    const stream = Object.create(WebSocketStream.prototype) as { -readonly [K in keyof WebSocketStream]: WebSocketStream[K] };
    Object.assign(stream, { url: ws.url, ws });
    [stream.opened, stream.closed] = bind(ws);
    return stream as WebSocketStream;
  }

  close(info: WebSocketCloseInfo = {}): void {
    const ws = this.ws;
    if (ws.readyState === ws.CONNECTING) {
      ws.terminate();
      return;
    }
    ws.close(info.closeCode ?? (info.reason ? CloseCode.NORMAL_CLOSURE : undefined), info.reason);
  }
}

function bind(ws: WebSocket): [Promise<WebSocketOpenInfo>, Promise<WebSocketCloseInfo>] {
  let openError: Error | null = null;
  ws.on('error', (error: Error) => {
    openError = error;
  });
  const closed = new Promise<WebSocketCloseInfo>((resolve, reject) => {
    ws.once('close', (code: number, reason: Buffer) => {
      if (code === CloseCode.ABNORMAL_CLOSURE) reject(openError ?? new Error('The WebSocket connection closed abnormally (1006)'));
      else resolve({ closeCode: code, reason: reason.toString() });
    });
  });
  closed.catch(() => {});
  const makeStreams = (): WebSocketOpenInfo => ({
    readable: readableOf(ws),
    writable: writableOf(ws),
    protocol: ws.protocol,
    extensions: ws.extensions,
  });
  const opened =
    ws.readyState === ws.OPEN
      ? Promise.resolve(makeStreams())
      : new Promise<WebSocketOpenInfo>((resolve, reject) => {
          ws.once('open', () => resolve(makeStreams()));
          ws.once('close', () => reject(openError ?? new Error('The WebSocket closed before opening')));
        });
  opened.catch(() => {});
  return [opened, closed];
}

function readableOf(ws: WebSocket): ReadableStream<string | Uint8Array> {
  // Once cancelled or ended, the controller throws on enqueue/close: later events are ignored.
  let finished = false;
  return new ReadableStream<string | Uint8Array>(
    {
      start(controller) {
        ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
          if (finished) return;
          const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
          controller.enqueue(isBinary ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.toString());
          if ((controller.desiredSize ?? 1) <= 0) ws.pause();
        });
        ws.once('close', (code: number) => {
          if (finished) return;
          finished = true;
          // As the WHATWG proposal: a clean close (any code) ends the stream; only 1006 is an error.
          if (code !== CloseCode.ABNORMAL_CLOSURE) controller.close();
          else controller.error(new Error(`WebSocket closed with code ${code}`));
        });
      },
      pull() {
        if (ws.isPaused) ws.resume();
      },
      cancel(reason?: unknown) {
        finished = true;
        if (ws.isPaused) ws.resume();
        if (ws.readyState === ws.OPEN) ws.close(CloseCode.NORMAL_CLOSURE, typeof reason === 'string' ? reason.slice(0, 123) : undefined);
      },
    },
    { highWaterMark: 16 },
  );
}

function writableOf(ws: WebSocket): WritableStream<string | ArrayBuffer | ArrayBufferView> {
  return new WritableStream<string | ArrayBuffer | ArrayBufferView>({
    write(chunk) {
      return new Promise<void>((resolve, reject) => {
        ws.send(chunk, (error) => (error ? reject(error) : resolve()));
      });
    },
    close() {
      if (ws.readyState === ws.OPEN) ws.close(CloseCode.NORMAL_CLOSURE);
    },
    abort() {
      if (ws.readyState === ws.OPEN) ws.close(CloseCode.NORMAL_CLOSURE);
    },
  });
}

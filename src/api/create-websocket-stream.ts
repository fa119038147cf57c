/**
 * createWebSocketStream(ws): a Duplex over a WebSocket with backpressure both
 * ways. Reading pauses the WebSocket (and so TCP) while the readable side is
 * full; a write completes only when its frame was handed to the kernel.
 */
import { Buffer } from 'node:buffer';
import { Duplex, type DuplexOptions } from 'node:stream';
import { isBlob } from './payload.js';
import type { WebSocket } from './websocket.js';

export function createWebSocketStream(ws: WebSocket, options: DuplexOptions = {}): Duplex {
  let terminateOnDestroy = true;
  const duplex = new Duplex({
    ...options,
    autoDestroy: false,
    // 'close' follows destroy() once the WebSocket is closed (as ws emits it).
    emitClose: true,
    objectMode: false,
    writableObjectMode: false,
    read() {
      if (ws.isPaused) ws.resume();
    },
    write(chunk: Buffer | string, _encoding, callback) {
      if (ws.readyState === ws.CONNECTING) {
        ws.once('open', () => duplex._write(chunk, _encoding, callback));
        return;
      }
      ws.send(chunk, callback);
    },
    final(callback) {
      if (ws.readyState === ws.CONNECTING) {
        ws.once('open', () => duplex._final(callback));
        return;
      }
      if (ws.readyState === ws.CLOSED) {
        callback();
        return;
      }
      ws.once('close', () => callback());
      ws.close();
    },
    destroy(error, callback) {
      if (ws.readyState === ws.CLOSED) {
        callback(error);
        return;
      }
      ws.once('close', () => callback(error));
      if (terminateOnDestroy) ws.terminate();
    },
  });

  const pushChunk = (chunk: Buffer): void => {
    if (!duplex.destroyed && !duplex.push(chunk)) ws.pause();
  };
  // A Blob (binaryType 'blob') is read asynchronously: while one is, later
  // messages and the end of the stream wait behind it, in order.
  let blobChain: Promise<void> | null = null;
  const queue = (next: Promise<void>): void => {
    blobChain = next;
    void next.then(() => {
      if (blobChain === next) blobChain = null;
    });
  };
  const inOrder = (step: () => void): void => {
    if (blobChain === null) step();
    else queue(blobChain.then(step));
  };
  const onMessage = (data: Buffer | ArrayBuffer | Buffer[] | Blob) => {
    // The stream carries bytes whatever binaryType says.
    if (isBlob(data)) {
      queue(
        (blobChain ?? Promise.resolve())
          .then(() => data.arrayBuffer())
          .then(
            (bytes) => pushChunk(Buffer.from(bytes)),
            (error: Error) => {
              duplex.destroy(error);
            },
          ),
      );
      return;
    }
    const chunk = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    inOrder(() => pushChunk(chunk));
  };
  ws.on('message', onMessage);
  ws.once('error', (error: Error) => {
    if (duplex.destroyed) return;
    // The close that follows the error must not be turned into a terminate.
    terminateOnDestroy = false;
    duplex.destroy(error);
  });
  ws.once('close', () => {
    inOrder(() => {
      if (!duplex.destroyed) duplex.push(null);
    });
  });
  duplex.on('end', () => {
    if (duplex.writableFinished || ws.readyState === ws.CLOSED) duplex.destroy();
  });
  duplex.on('finish', () => {
    if (duplex.readableEnded) duplex.destroy();
  });
  return duplex;
}

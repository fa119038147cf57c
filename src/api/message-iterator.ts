/**
 * `for await (const { data, isBinary } of ws)`: messages until the connection
 * closes, read only as fast as the loop consumes them (the socket is paused
 * while more than a few messages wait).
 */
import type { EventEmitter } from 'node:events';

export interface IteratedMessage {
  data: unknown;
  isBinary: boolean;
}

interface Pausable extends EventEmitter {
  pause(): void;
  resume(): void;
  readonly readyState: number;
}

const PAUSE_AT = 16;
const RESUME_AT = 4;
const CLOSED = 3;

export function iterateMessages(ws: Pausable): AsyncIterableIterator<IteratedMessage> {
  const queue: IteratedMessage[] = [];
  let waiting: { resolve: (r: IteratorResult<IteratedMessage>) => void; reject: (e: Error) => void } | null = null;
  let done = ws.readyState === CLOSED;
  let failure: Error | null = null;
  let paused = false;

  const onMessage = (data: unknown, isBinary: boolean) => {
    const message = { data, isBinary };
    if (waiting !== null) {
      const w = waiting;
      waiting = null;
      w.resolve({ value: message, done: false });
      return;
    }
    queue.push(message);
    if (queue.length >= PAUSE_AT && !paused) {
      paused = true;
      ws.pause();
    }
  };
  const onError = (error: Error) => {
    failure = error;
  };
  const onClose = () => {
    done = true;
    detach();
    if (waiting !== null) {
      const w = waiting;
      waiting = null;
      if (failure !== null) w.reject(failure);
      else w.resolve({ value: undefined, done: true });
    }
  };
  const detach = () => {
    ws.off('message', onMessage);
    ws.off('error', onError);
    ws.off('close', onClose);
  };
  ws.on('message', onMessage);
  ws.on('error', onError);
  ws.on('close', onClose);

  return {
    next(): Promise<IteratorResult<IteratedMessage>> {
      const message = queue.shift();
      if (message !== undefined) {
        if (paused && queue.length <= RESUME_AT) {
          paused = false;
          ws.resume();
        }
        return Promise.resolve({ value: message, done: false });
      }
      if (failure !== null && done) return Promise.reject(failure);
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
      });
    },
    return(): Promise<IteratorResult<IteratedMessage>> {
      detach();
      done = true;
      if (paused) ws.resume();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

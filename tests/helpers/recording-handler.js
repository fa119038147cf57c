// A ConnectionHandler that records every event as a plain object, with copies
// of the buffers it is given (the core hands out views into the input, which
// a test may reuse), plus helpers to drive a Connection from tests.
import { Connection } from '../../dist/protocol/connection.js';

/**
 * @param {object} [hooks] optional callbacks run after an event is recorded,
 *   with the same arguments (to pause, close, send … from inside a handler)
 */
export function createRecordingHandler(hooks = {}) {
  const events = [];
  const handler = {
    onMessage(data, isBinary, compressed) {
      events.push({ type: 'message', data: Buffer.from(data), isBinary, compressed });
      hooks.onMessage?.(data, isBinary, compressed);
    },
    onFragment(data, isBinary, fin) {
      events.push({ type: 'fragment', data: Buffer.from(data), isBinary, fin });
      hooks.onFragment?.(data, isBinary, fin);
    },
    onPing(data) {
      events.push({ type: 'ping', data: Buffer.from(data) });
      hooks.onPing?.(data);
    },
    onPong(data) {
      events.push({ type: 'pong', data: Buffer.from(data) });
      hooks.onPong?.(data);
    },
    onCloseFrame(code, reason) {
      events.push({ type: 'close', code, reason: Buffer.from(reason) });
      hooks.onCloseFrame?.(code, reason);
    },
    onProtocolError(error) {
      events.push({ type: 'error', code: error.code, closeCode: error.closeCode, error });
      hooks.onProtocolError?.(error);
    },
    onOutput() {
      events.push({ type: 'output' });
      hooks.onOutput?.();
    },
  };
  return { handler, events };
}

/**
 * A Connection with a recording handler. `events` excludes 'output' signals
 * (counted in `outputSignals`) so that tests compare protocol events only.
 */
export function openConnection(options, hooks = {}) {
  let outputSignals = 0;
  const { handler, events: all } = createRecordingHandler({
    ...hooks,
    onOutput() {
      outputSignals++;
      hooks.onOutput?.();
    },
  });
  const conn = new Connection(options, handler);
  return {
    conn,
    role: options.role,
    get events() {
      return all.filter((e) => e.type !== 'output');
    },
    get outputSignals() {
      return outputSignals;
    },
    /** Drains the output queue into one Buffer (empty when nothing is queued). */
    output() {
      const out = conn.takeOutput();
      return out === null ? Buffer.alloc(0) : Buffer.concat(out);
    },
    /** Feeds each buffer (copied, since the parser unmasks in place) as one receive() call. */
    feed(...chunks) {
      for (const chunk of chunks) conn.receive(Buffer.from(chunk));
    },
  };
}

/** Splits `bytes` at the given increasing offsets into fresh Buffers. */
export function splitAt(bytes, offsets) {
  const pieces = [];
  let from = 0;
  for (const at of offsets) {
    pieces.push(Buffer.from(bytes.subarray(from, at)));
    from = at;
  }
  pieces.push(Buffer.from(bytes.subarray(from)));
  return pieces;
}

/**
 * Merges consecutive 'fragment' events of a message into one and drops
 * empty non-final ones, so streams split differently can be compared.
 */
export function coalesceFragments(events) {
  const merged = [];
  let run = null; // pieces of the fragment run being merged
  for (const e of events) {
    const last = merged[merged.length - 1];
    if (e.type === 'fragment' && last?.type === 'fragment' && !last.fin) {
      run.push(e.data);
      last.fin = e.fin;
    } else {
      if (run !== null) last.data = Buffer.concat(run);
      run = e.type === 'fragment' ? [e.data] : null;
      merged.push(e.type === 'fragment' ? { ...e } : e);
    }
  }
  if (run !== null) merged[merged.length - 1].data = Buffer.concat(run);
  return merged;
}

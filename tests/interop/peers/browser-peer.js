// Browser side of the Chromium interop test: served on 127.0.0.1 and driven
// from Node with page.evaluate(). Messages are queued as they arrive and
// described by type, length, SHA-256 and (up to 4 KiB) hex, so that Node can
// compare them exactly without moving megabytes through the DevTools protocol.
'use strict';

const HEX_LIMIT = 4096;
const TEXT_UNIT = 'aé€😀'; // 1 + 2 + 3 + 4 bytes of UTF-8
const sockets = new Map();
let nextId = 1;

function toHex(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += bytes[i].toString(16).padStart(2, '0');
  return out;
}

function fromHex(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
  return bytes;
}

// Same xorshift32 sequence as binaryPayload() in tests/helpers/interop-payloads.js.
function binaryPayload(length, seed) {
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  let x = (seed * 2654435761) >>> 0 || 1;
  const words = length >>> 2;
  for (let i = 0; i < words; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    view.setUint32(i * 4, x >>> 0, true);
  }
  for (let i = words * 4; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

function textPayload(byteLength) {
  const units = Math.floor(byteLength / 10);
  return TEXT_UNIT.repeat(units) + 'x'.repeat(byteLength - units * 10);
}

async function describe(data) {
  const text = typeof data === 'string';
  const bytes = text ? new TextEncoder().encode(data) : new Uint8Array(data);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const out = { type: text ? 'text' : 'binary', length: bytes.length, sha256: toHex(digest) };
  if (bytes.length <= HEX_LIMIT) out.hex = toHex(bytes);
  return out;
}

/** A queue whose take() waits for the next item. */
function queue() {
  const items = [];
  const takers = [];
  return {
    put(item) {
      const taker = takers.shift();
      if (taker) taker(item);
      else items.push(item);
    },
    take() {
      return items.length ? Promise.resolve(items.shift()) : new Promise((resolve) => takers.push(resolve));
    },
  };
}

window.peer = {
  /** Opens a WebSocket; resolves with its id and negotiated extensions. */
  open(url) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      const id = nextId++;
      const rec = { ws, messages: queue(), closed: queue() };
      sockets.set(id, rec);
      // Describing is asynchronous; chaining keeps the arrival order.
      let last = Promise.resolve();
      ws.onmessage = (e) => {
        const described = last.then(() => describe(e.data));
        last = described;
        described.then((d) => rec.messages.put(d));
      };
      ws.onclose = (e) => rec.closed.put({ code: e.code, reason: e.reason, wasClean: e.wasClean });
      ws.onopen = () => resolve({ id, extensions: ws.extensions, protocol: ws.protocol });
      ws.onerror = () => {
        if (ws.readyState !== WebSocket.OPEN) reject(new Error(`WebSocket to ${url} failed`));
      };
    });
  },

  /** Sends { text } | { hex } | { kind: 'text'|'binary', size, seed }. */
  send(id, spec) {
    const { ws } = sockets.get(id);
    if (spec.text !== undefined) ws.send(spec.text);
    else if (spec.hex !== undefined) ws.send(fromHex(spec.hex));
    else if (spec.kind === 'binary') ws.send(binaryPayload(spec.size, spec.seed));
    else ws.send(textPayload(spec.size));
    return ws.bufferedAmount;
  },

  nextMessage(id) {
    return sockets.get(id).messages.take();
  },

  close(id, code, reason) {
    sockets.get(id).ws.close(code, reason);
  },

  closed(id) {
    return sockets.get(id).closed.take();
  },
};

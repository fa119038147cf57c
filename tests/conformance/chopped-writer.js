// Writes bytes to a socket whole, in fixed-size chops, or in random splits
// drawn from a seeded generator (so every run sends the same pieces), with an
// optional delay between pieces. Between pieces the event loop is given a turn
// so that the in-process target really reads the pieces one by one.

import { setTimeout as sleep } from 'node:timers/promises';

/** mulberry32: a tiny deterministic 32-bit generator; returns floats in [0, 1). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Cut `buf` into pieces.
 * @param {Buffer} buf
 * @param {'whole'|number|{random: number, max?: number}} chop
 *   a number is a fixed piece size; `{ random: seed, max }` draws sizes in 1..max
 */
export function pieces(buf, chop) {
  if (chop === undefined || chop === 'whole' || buf.length === 0) return [buf];
  const out = [];
  if (typeof chop === 'number') {
    for (let i = 0; i < buf.length; i += chop) out.push(buf.subarray(i, i + chop));
    return out;
  }
  const next = seededRandom(chop.random);
  const max = chop.max ?? 64;
  for (let i = 0; i < buf.length; ) {
    const n = 1 + Math.floor(next() * max);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

function yieldTurn() {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Write `buf` to `socket` in pieces. Resolves once every piece is handed to
 * the socket (or the socket is gone: write errors after the target closed are
 * expected in failure cases and are reported by the session, not thrown).
 * @param {import('node:net').Socket} socket
 * @param {Buffer} buf
 * @param {{chop?: 'whole'|number|{random:number,max?:number}, delayMs?: number}} [opts]
 */
export async function writeChopped(socket, buf, opts = {}) {
  const list = pieces(buf, opts.chop);
  for (let i = 0; i < list.length; i++) {
    if (socket.destroyed || socket.writableEnded) return false;
    const drained = socket.write(list[i]);
    if (i === list.length - 1) break;
    if (opts.delayMs) await sleep(opts.delayMs);
    else if (!drained) await waitDrain(socket);
    else await yieldTurn();
  }
  return true;
}

/** Resolve when the socket drains or dies; a bounded wait so a stuck peer cannot hang the run. */
export function waitDrain(socket, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    socket.once('drain', done);
    socket.once('close', done);
  });
}

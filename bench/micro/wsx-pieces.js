// wsx's pieces from the compiled dist/. Each is optional so the micro-benchmarks run (with
// a "not built" note) while the tree is incomplete. If a module or export is renamed, this
// is the one file to update.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

async function load(relative) {
  const file = path.join(dist, relative);
  if (!existsSync(file)) return null;
  try {
    return await import(pathToFileURL(file).href);
  } catch {
    return null;
  }
}

export async function loadWsx() {
  const [mask, frameParser, frameEncoder, utf8, connection, deflate, websocket] = await Promise.all([
    load('protocol/mask.js'),
    load('protocol/frame-parser.js'),
    load('protocol/frame-encoder.js'),
    load('protocol/utf8-validator.js'),
    load('protocol/connection.js'),
    load('extensions/permessage-deflate.js'),
    load('api/websocket.js'),
  ]);
  return {
    unmaskInPlace: mask?.unmaskInPlace ?? null, // (buf, start, end, keyUint32, keyOffset)
    useSimdUnmask: mask?.useSimdUnmask ?? null, // (enabled) => in use; off = the JavaScript word loop
    SIMD_MIN: mask?.SIMD_MIN ?? Infinity, // ranges from this length take the SIMD loop
    FrameParser: frameParser?.FrameParser ?? null, // new (sink, expectMasked, rsv1Allowed).parse(chunk, start)
    encodeFrame: frameEncoder?.encodeFrame ?? null, // (out[], opcode, payload, fin, rsv1, maskKey | NO_MASK)
    NO_MASK: frameEncoder?.NO_MASK ?? -1,
    isValidUtf8: utf8?.isValidUtf8 ?? null,
    Utf8Validator: utf8?.Utf8Validator ?? null, // .write(buf, start, end) then .finish()
    Connection: connection?.Connection ?? null, // new ({ role }, handler).receive(chunk)
    PerMessageDeflate: deflate?.PerMessageDeflate ?? null, // new (params, role, { threshold, maxPayload })
    WebSocket: websocket?.WebSocket ?? null, // server side: new WebSocket(null, undefined, {}).attach(socket, head, options)
  };
}

export const WSX_MISSING = 'wsx piece not in dist/ (build with npx tsc -p tsconfig.json)';

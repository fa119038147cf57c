// ws's internals, imported directly (they are not public API, but they are what ws runs
// for each piece), plus bufferutil when BUFFERUTIL_DIR points at it.

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repoRoot, 'package.json'));

export function loadWs() {
  // ws's "exports" map hides lib/, so resolve the package root and require files by path.
  const lib = path.join(path.dirname(require.resolve('ws')), 'lib');
  return {
    bufferUtil: require(path.join(lib, 'buffer-util.js')),
    Receiver: require(path.join(lib, 'receiver.js')),
    Sender: require(path.join(lib, 'sender.js')),
    validation: require(path.join(lib, 'validation.js')),
    PerMessageDeflate: require(path.join(lib, 'permessage-deflate.js')),
    WebSocket: require(path.join(lib, 'websocket.js')), // server side: new WebSocket(null, undefined, {}).setSocket(…)
    bufferutilNative: process.env.WS_NO_BUFFER_UTIL ? 'disabled (WS_NO_BUFFER_UTIL)' : 'as installed',
  };
}

/** bufferutil's native mask/unmask, or null. */
export function loadBufferutil() {
  const dirs = [process.env.BUFFERUTIL_DIR, path.join(repoRoot, 'node_modules')].filter(Boolean);
  for (const dir of dirs) {
    try {
      return createRequire(path.join(dir, 'noop.js'))('bufferutil');
    } catch {
      // next
    }
  }
  return null;
}

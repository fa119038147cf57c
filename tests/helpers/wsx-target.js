// The implementation under test in the interop suite.
//
// Default: wsx from dist/. With WSX_TARGET=ws the same tests run against the
// `ws` package instead, which validates the peer harnesses themselves: a test
// that fails against ws is a harness bug, not a wsx bug.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const target = process.env.WSX_TARGET === 'ws' ? 'ws' : 'wsx';
const distIndex = new URL('../../dist/index.js', import.meta.url);

async function load() {
  if (target === 'ws') {
    const mod = await import('ws');
    return { WebSocket: mod.WebSocket, WebSocketServer: mod.WebSocketServer };
  }
  if (!existsSync(distIndex)) {
    throw new Error(
      `${fileURLToPath(distIndex)} is missing: build with \`npx tsc -p tsconfig.json\` ` +
        '(or run the interop tests against ws with WSX_TARGET=ws)',
    );
  }
  const mod = await import(distIndex.href);
  for (const name of ['WebSocket', 'WebSocketServer']) {
    if (typeof mod[name] !== 'function') throw new Error(`dist/index.js does not export ${name}`);
  }
  return { WebSocket: mod.WebSocket, WebSocketServer: mod.WebSocketServer };
}

const loaded = await load();

/** 'wsx' or 'ws': which implementation `WebSocket`/`WebSocketServer` are. */
export const targetName = target;
export const WebSocket = loaded.WebSocket;
export const WebSocketServer = loaded.WebSocketServer;

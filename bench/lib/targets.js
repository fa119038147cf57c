// The servers under test and how to start each one. A target that cannot run here is
// returned with `skip` explaining why (and how to enable it).

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findBun } from './bun-binary.js';

export const TARGET_ORDER = ['wsx', 'wsx-data-events', 'wsx+bufferutil', 'ws', 'ws+bufferutil', 'bun', 'raw', 'http-floor', 'wsx-h2', 'raw-h2'];

export const TARGET_LABELS = {
  wsx: 'wsx',
  'wsx-data-events': 'wsx, data events',
  'wsx+bufferutil': 'wsx+bufferutil',
  ws: 'ws',
  'ws+bufferutil': 'ws+bufferutil',
  bun: 'Bun.serve',
  raw: 'raw net (limit)',
  'http-floor': 'http.Server upgrade (API floor)',
  'wsx-h2': 'wsx over h2c',
  'raw-h2': 'raw http2 (h2 limit)',
};

/** Whether wsx's server can be loaded from dist/, and from where (see servers/wsx-echo.js). */
async function wsxAvailability(repoRoot) {
  const index = path.join(repoRoot, 'dist', 'index.js');
  if (!existsSync(index)) return { skip: 'dist/index.js not built (npx tsc -p tsconfig.json)' };
  try {
    const pub = await import(pathToFileURL(index).href);
    if (typeof pub.WebSocketServer === 'function') return {};
    const own = await import(pathToFileURL(path.join(repoRoot, 'dist', 'api', 'websocket-server.js')).href);
    if (typeof own.WebSocketServer === 'function') return { note: 'WebSocketServer taken from dist/api/websocket-server.js (dist/index.js does not export it yet)' };
  } catch (err) {
    return { skip: `dist/ does not load: ${err instanceof Error ? err.message : String(err)}` };
  }
  return { skip: 'dist/ has no WebSocketServer export yet' };
}

/** The directory that holds a `bufferutil` package, or null. */
function findBufferutil(repoRoot) {
  const dirs = [];
  if (process.env.BUFFERUTIL_DIR) dirs.push(process.env.BUFFERUTIL_DIR);
  dirs.push(path.join(repoRoot, 'node_modules'));
  for (const dir of dirs) {
    try {
      createRequire(path.join(dir, 'noop.js')).resolve('bufferutil');
      return dir;
    } catch {
      // try the next place
    }
  }
  return null;
}

/**
 * @returns {Array<{ name: string, label: string, command: string, args: string[], env: object, transport?: 'h2', scenarios?: string[], optIn?: boolean, skip?: string, version?: string }>}
 * (`optIn` targets run only when --targets names them.)
 */
export async function discoverTargets(repoRoot) {
  const servers = path.join(repoRoot, 'bench', 'servers');
  const node = process.execPath;
  // WSX_BENCH_SERVER_FLAGS adds node flags to every Node server, e.g. to profile them:
  // WSX_BENCH_SERVER_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (NODE_OPTIONS refuses --cpu-prof).
  const extra = (process.env.WSX_BENCH_SERVER_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const nodeArgs = ['--expose-gc', ...extra];
  const targets = [];

  // Whether dist/ loads, found once for every wsx target.
  const wsxStatus = await wsxAvailability(repoRoot);
  // wsx uses bufferutil's native XOR when it can load it (as ws does); the
  // 'wsx' row is the JavaScript path, 'wsx+bufferutil' the native one.
  const wsx = {
    name: 'wsx',
    command: node,
    args: [...nodeArgs, path.join(servers, 'wsx-echo.js')],
    env: { WSX_NO_BUFFERUTIL: '1' },
    ...wsxStatus,
  };
  targets.push(wsx);
  // The same server reading through 'data' events as on TLS (no shared read buffer): only when named in --targets.
  targets.push({ ...wsx, name: 'wsx-data-events', env: { ...wsx.env, WSX_NO_SHARED_READS: '1' }, optIn: true });
  const bufferutilDir = findBufferutil(repoRoot);
  const noBufferutil = 'bufferutil not installed (npm ci installs it as a dev dependency; or BUFFERUTIL_DIR=<dir with node_modules/bufferutil>)';
  targets.push({
    name: 'wsx+bufferutil',
    command: node,
    args: [...nodeArgs, path.join(servers, 'wsx-echo.js')],
    env: bufferutilDir ? { NODE_PATH: bufferutilDir } : {},
    ...(bufferutilDir ? wsxStatus : { skip: noBufferutil }),
  });
  targets.push({
    name: 'ws',
    command: node,
    args: [...nodeArgs, path.join(servers, 'ws-echo.js')],
    env: { WS_NO_BUFFER_UTIL: '1' },
  });
  targets.push({
    name: 'ws+bufferutil',
    command: node,
    args: [...nodeArgs, path.join(servers, 'ws-echo.js')],
    env: bufferutilDir ? { NODE_PATH: bufferutilDir } : {},
    ...(bufferutilDir ? {} : { skip: noBufferutil }),
  });
  const bun = findBun(repoRoot);
  targets.push({
    name: 'bun',
    command: bun.path ?? 'bun',
    args: [path.join(servers, 'bun-echo.js')],
    env: {},
    ...(bun.path ? { version: bun.version } : { skip: bun.reason }),
  });
  targets.push({
    name: 'raw',
    command: node,
    args: [...nodeArgs, path.join(servers, 'raw-echo.js')],
    env: {},
  });
  // Node's http.Server answering upgrades by hand: what any ws-API server pays per
  // handshake and per connection before its own code runs (connect scenario only).
  targets.push({
    name: 'http-floor',
    command: node,
    args: [...nodeArgs, path.join(servers, 'http-upgrade-floor.js')],
    env: {},
    scenarios: ['connect'],
  });
  // HTTP/2 targets (transport 'h2': the load opens extended CONNECT streams instead of
  // upgrades) run only in the scenarios that name them (see `targets` in scenarios.js).
  targets.push({
    name: 'wsx-h2',
    command: node,
    args: [...nodeArgs, path.join(servers, 'wsx-h2-echo.js')],
    env: { WSX_NO_BUFFERUTIL: '1' },
    transport: 'h2',
    ...wsxStatus,
  });
  targets.push({
    name: 'raw-h2',
    command: node,
    args: [...nodeArgs, path.join(servers, 'raw-h2-echo.js')],
    env: {},
    transport: 'h2',
  });
  for (const t of targets) t.label = TARGET_LABELS[t.name];
  return targets;
}

// The package entry point (src/index.ts): the named exports, the
// ws-compatible default export, resolution through package.json's exports
// map, and the published declarations (compiled against a small TypeScript
// consumer, and free of `any`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as wsx from '../../dist/index.js';
import wsxDefault from '../../dist/index.js';
import * as ws from 'ws';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

test('the named exports are there, with their kinds', () => {
  const classes = [
    'WebSocket',
    'WebSocketServer',
    'WebSocketStream',
    'WebSocketError',
    'HandshakeRejectedError',
    'HeartbeatScheduler',
    'CloseEvent',
    'ErrorEvent',
    'MessageEvent',
    'OpenEvent',
  ];
  for (const name of classes) assert.equal(typeof wsx[name], 'function', name);
  for (const name of ['createWebSocketStream', 'closeCodeName', 'isValidWireCloseCode']) assert.equal(typeof wsx[name], 'function', name);
  assert.equal(wsx.DEFAULT_MAX_PAYLOAD, 100 * 1024 * 1024);
  assert.equal(wsx.CloseCode.NORMAL_CLOSURE, 1000);
  assert.ok(new wsx.WebSocketError('WSX_ERR_NOT_OPEN', 'x') instanceof Error);
  for (const event of [wsx.CloseEvent, wsx.ErrorEvent, wsx.MessageEvent]) assert.ok(new event('x') instanceof Event);
});

test('every name ws exports for applications is exported too', () => {
  // ws's building blocks (frame codec, header parsers, the deflate class) are not its documented API.
  const internals = new Set(['Receiver', 'Sender', 'PerMessageDeflate', 'extension', 'subprotocol', 'default']);
  for (const name of Object.keys(ws)) {
    if (internals.has(name)) continue;
    assert.ok(name in wsx, `wsx lacks ws's export ${name}`);
  }
});

test("the default export is the WebSocket class carrying Server, WebSocket, WebSocketServer and createWebSocketStream, as ws's main export does", () => {
  const wsMain = require('ws'); // what `import WebSocket from 'ws'` gives through CommonJS interop (TypeScript, bundlers)
  assert.equal(wsxDefault, wsx.WebSocket);
  assert.equal(wsx.default, wsx.WebSocket);
  for (const [name, value] of [
    ['Server', wsx.WebSocketServer],
    ['WebSocket', wsx.WebSocket],
    ['WebSocketServer', wsx.WebSocketServer],
    ['createWebSocketStream', wsx.createWebSocketStream],
  ]) {
    assert.equal(wsxDefault[name], value, name);
    assert.equal(typeof wsMain[name], 'function', `ws's main export has ${name} too`);
  }
  assert.deepEqual([wsxDefault.CONNECTING, wsxDefault.OPEN, wsxDefault.CLOSING, wsxDefault.CLOSED], [0, 1, 2, 3]);
});

test('the package name resolves to dist/index.js through the exports map', async () => {
  const viaName = await import('wsx');
  assert.equal(viaName.WebSocket, wsx.WebSocket);
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
  assert.equal(pkg.exports['.'].import, './dist/index.js');
  assert.equal(pkg.exports['.'].types, './dist/index.d.ts');
  assert.equal(pkg.type, 'module');
});

test('every subpath of the exports map points at a built file', () => {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const files = typeof target === 'string' ? [target] : Object.values(target);
    for (const file of files) assert.ok(existsSync(`${ROOT}${file}`), `${subpath} → ${file}`);
  }
});

test('the declarations of the public API contain no any', () => {
  const files = [`${ROOT}dist/index.d.ts`, ...readdirSync(`${ROOT}dist/api`).filter((f) => f.endsWith('.d.ts')).map((f) => `${ROOT}dist/api/${f}`)];
  const offenders = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$|\/\*.*?\*\/|^\s*\*.*$/g, '');
      if (/[:<,(|&]\s*any\b|\bany\s*[\[\]>|&,)]/.test(code)) offenders.push(`${file.slice(ROOT.length)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test('a TypeScript consumer compiles against the published declarations', () => {
  const tsc = `${ROOT}node_modules/typescript/bin/tsc`;
  const result = spawnSync(process.execPath, [tsc, '-p', `${ROOT}tests/api/fixtures/tsconfig.json`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
});

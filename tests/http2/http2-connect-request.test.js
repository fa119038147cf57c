// RFC 8441 sections 4 and 5, server role, as a pure function: which header
// blocks open a WebSocket over HTTP/2 and which status each broken one gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWebSocketConnectAttempt, validateConnectRequest } from '../../dist/protocol/http2-connect-request.js';

const good = (extra = {}) => ({
  ':method': 'CONNECT',
  ':protocol': 'websocket',
  ':scheme': 'https',
  ':path': '/chat?room=1',
  ':authority': 'example.com',
  'sec-websocket-version': '13',
  ...extra,
});

function without(name) {
  const headers = good();
  delete headers[name];
  return headers;
}

test('a complete request is accepted with its pieces', () => {
  const result = validateConnectRequest(
    good({ 'sec-websocket-protocol': 'chat, superchat', 'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits' }),
  );
  assert.equal(result.ok, true);
  assert.equal(result.path, '/chat?room=1');
  assert.equal(result.authority, 'example.com');
  assert.equal(result.scheme, 'https');
  assert.deepEqual(result.protocols, ['chat', 'superchat']);
  assert.equal(result.extensions.length, 1);
  assert.equal(result.extensions[0].name, 'permessage-deflate');
});

test('no subprotocols and no extensions give empty lists; http is a valid scheme (h2c)', () => {
  const result = validateConnectRequest(good({ ':scheme': 'http' }));
  assert.equal(result.ok, true);
  assert.deepEqual(result.protocols, []);
  assert.deepEqual(result.extensions, []);
});

test(':protocol compares case-insensitively', () => {
  assert.equal(validateConnectRequest(good({ ':protocol': 'WebSocket' })).ok, true);
});

const rejections = [
  ['a wrong method (GET)', good({ ':method': 'GET' }), 400, /:method/],
  ['a wrong method (POST)', good({ ':method': 'POST' }), 400, /:method/],
  ['a missing :method', without(':method'), 400, /:method/],
  ['a missing :protocol', without(':protocol'), 400, /Missing :protocol/],
  ['another :protocol', good({ ':protocol': 'webtransport' }), 400, /Invalid :protocol/],
  ['a missing :scheme', without(':scheme'), 400, /:scheme/],
  ['an unknown :scheme', good({ ':scheme': 'ftp' }), 400, /:scheme/],
  ['a missing :path', without(':path'), 400, /:path/],
  ['an empty :path', good({ ':path': '' }), 400, /:path/],
  ['an asterisk :path', good({ ':path': '*' }), 400, /:path/],
  ['a missing :authority', without(':authority'), 400, /:authority/],
  ['a malformed Sec-WebSocket-Key', good({ 'sec-websocket-key': 'not base64 of 16 bytes' }), 400, /Key/],
  ['a Sec-WebSocket-Accept', good({ 'sec-websocket-accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' }), 400, /Accept/],
  ['a malformed subprotocol list', good({ 'sec-websocket-protocol': 'a b' }), 400, /Protocol/],
  ['a duplicated subprotocol', good({ 'sec-websocket-protocol': 'a, a' }), 400, /Protocol/],
  ['a malformed extension list', good({ 'sec-websocket-extensions': 'permessage-deflate; ="' }), 400, /Extensions/],
];

for (const [name, headers, status, message] of rejections) {
  test(`${name} is refused with ${status}`, () => {
    const result = validateConnectRequest(headers);
    assert.equal(result.ok, false);
    assert.equal(result.status, status);
    assert.match(result.message, message);
    assert.equal(result.headers, undefined);
  });
}

test('a missing version gets 426 with the version wsx speaks', () => {
  const result = validateConnectRequest(without('sec-websocket-version'));
  assert.deepEqual(result, {
    ok: false,
    status: 426,
    message: 'Unsupported WebSocket version',
    headers: { 'sec-websocket-version': '13' },
  });
});

test('a wrong version (8) gets 426 with the version wsx speaks', () => {
  const result = validateConnectRequest(good({ 'sec-websocket-version': '8' }));
  assert.equal(result.status, 426);
  assert.deepEqual(result.headers, { 'sec-websocket-version': '13' });
});

test('a well-formed Sec-WebSocket-Key, which HTTP/2 does not use, is tolerated and returned', () => {
  // RFC 8441 section 5: "not used"; undici 7 sends one and checks the Accept.
  const result = validateConnectRequest(good({ 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }));
  assert.equal(result.ok, true);
  assert.equal(result.key, 'dGhlIHNhbXBsZSBub25jZQ==');
  assert.equal(validateConnectRequest(good()).key, undefined);
});

test('the host header stands in for :authority', () => {
  const headers = without(':authority');
  headers.host = 'example.com:8443';
  const result = validateConnectRequest(headers);
  assert.equal(result.ok, true);
  assert.equal(result.authority, 'example.com:8443');
});

test('isWebSocketConnectAttempt: which streams a server attached to an http2 server answers', () => {
  assert.equal(isWebSocketConnectAttempt(good()), true);
  assert.equal(isWebSocketConnectAttempt(good({ ':protocol': 'WEBSOCKET' })), true);
  // A CONNECT without :protocol but with WebSocket headers: a broken client, answered 400.
  assert.equal(isWebSocketConnectAttempt(without(':protocol')), true);
  // The application's: pages, tunnels, other protocols.
  assert.equal(isWebSocketConnectAttempt({ ':method': 'GET', ':path': '/' }), false);
  assert.equal(isWebSocketConnectAttempt({ ':method': 'CONNECT', ':authority': 'example.com:443' }), false);
  assert.equal(isWebSocketConnectAttempt(good({ ':protocol': 'connect-udp' })), false);
  assert.equal(isWebSocketConnectAttempt(good({ ':method': 'GET' })), false);
});

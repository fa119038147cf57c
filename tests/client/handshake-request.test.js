import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHandshakeHeaders } from '../../dist/client/handshake-request.js';
import { parseWebSocketUrl } from '../../dist/client/websocket-url.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function build(overrides = {}) {
  return {
    ...buildHandshakeHeaders({
      url: parseWebSocketUrl('ws://example.com:8080/chat'),
      key: KEY,
      protocolVersion: 13,
      protocols: [],
      origin: undefined,
      extensionOffer: undefined,
      userHeaders: undefined,
      forwardCredentials: true,
      ...overrides,
    }),
  };
}

test('the handshake headers', () => {
  assert.deepEqual(build(), {
    Host: 'example.com:8080',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': KEY,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
  });
});

test('subprotocols, extension offer and origin', () => {
  const headers = build({ protocols: ['a', 'b'], extensionOffer: 'permessage-deflate', origin: 'https://o.example' });
  assert.equal(headers['Sec-WebSocket-Protocol'], 'a, b');
  assert.equal(headers['Sec-WebSocket-Extensions'], 'permessage-deflate');
  assert.equal(headers.Origin, 'https://o.example');
});

test('protocolVersion 8 sends Sec-WebSocket-Origin', () => {
  const headers = build({ protocolVersion: 8, origin: 'https://o.example' });
  assert.equal(headers['Sec-WebSocket-Version'], '8');
  assert.equal(headers['Sec-WebSocket-Origin'], 'https://o.example');
  assert.equal(headers.Origin, undefined);
});

test('user headers cannot override the handshake headers, in any case', () => {
  const headers = build({
    protocols: ['a'],
    origin: 'https://mine.example',
    userHeaders: {
      connection: 'close',
      UPGRADE: 'h2c',
      'sec-websocket-key': 'x',
      'Sec-WebSocket-Version': '7',
      'sec-websocket-protocol': 'evil',
      'Sec-WebSocket-Extensions': 'x-evil',
      ORIGIN: 'https://other.example',
      'X-Custom': 'yes',
      'X-Skip': undefined,
      'X-Many': ['1', '2'],
    },
  });
  assert.deepEqual(headers, {
    'X-Custom': 'yes',
    'X-Many': ['1', '2'],
    Host: 'example.com:8080',
    Origin: 'https://mine.example',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': KEY,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Protocol': 'a',
  });
});

test('a user Origin header is kept when the origin option is not given', () => {
  assert.equal(build({ userHeaders: { Origin: 'https/u.example' } }).Origin, 'https/u.example');
});

test('a header named __proto__ stays a plain header', () => {
  const headers = buildHandshakeHeaders({
    url: parseWebSocketUrl('ws://h/'),
    key: KEY,
    protocolVersion: 13,
    protocols: [],
    origin: undefined,
    extensionOffer: undefined,
    userHeaders: JSON.parse('{"__proto__": "x"}'),
    forwardCredentials: true,
  });
  assert.equal(Object.getPrototypeOf(headers), null);
  assert.equal(Object.keys(headers).includes('__proto__'), true);
});

test('URL credentials become Basic authorization; an explicit header wins', () => {
  const url = parseWebSocketUrl('ws://us%40er:p%3Ass@h/');
  assert.equal(build({ url }).Authorization, `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
  const explicit = build({ url, userHeaders: { authorization: 'Bearer t' } });
  assert.equal(explicit.authorization, 'Bearer t');
  assert.equal(explicit.Authorization, undefined);
});

test('a user Host header replaces the computed one', () => {
  const headers = build({ userHeaders: { host: 'virtual.example' } });
  assert.equal(headers.host, 'virtual.example');
  assert.equal(headers.Host, undefined);
});

test('without forwardCredentials, credentials and a user Host are dropped (SECURITY-CASES row 13)', () => {
  const headers = build({
    url: parseWebSocketUrl('ws://user:pass@other.example/'),
    forwardCredentials: false,
    userHeaders: {
      Authorization: 'Bearer t',
      cookie: 'sid=1',
      'Proxy-Authorization': 'Basic eA==',
      Host: 'virtual.example',
      'X-Kept': '1',
    },
  });
  assert.deepEqual(headers, {
    'X-Kept': '1',
    Host: 'other.example',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': KEY,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import {
  WEBSOCKET_GUID,
  computeAcceptKey,
  generateClientKey,
  isValidClientKey,
} from '../../dist/protocol/handshake.js';
import { validateUpgradeRequest, WEBSOCKET_VERSION } from '../../dist/protocol/upgrade-request.js';

describe('computeAcceptKey', () => {
  test('RFC 6455 section 1.3 vector', () => {
    assert.equal(WEBSOCKET_GUID, '258EAFA5-E914-47DA-95CA-C5AB0DC85B11');
    assert.equal(computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  test('a second vector, and a different key gives a different answer', () => {
    assert.notEqual(computeAcceptKey('dGhlIHNhbXBsZSBub25jZA=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    // Computed independently with Python's hashlib for the key of bytes 01..10.
    assert.equal(computeAcceptKey('AQIDBAUGBwgJCgsMDQ4PEA=='), 'C/0nmHhBztSRGR1CwL6Tf4ZjwpY=');
  });
});

describe('generateClientKey', () => {
  test('16 random bytes in base64, different every time', () => {
    const keys = new Set();
    for (let i = 0; i < 50; i++) {
      const key = generateClientKey();
      assert.equal(key.length, 24);
      assert.equal(Buffer.from(key, 'base64').length, 16);
      assert.equal(isValidClientKey(key), true);
      keys.add(key);
    }
    assert.equal(keys.size, 50);
  });
});

describe('isValidClientKey', () => {
  test('accepts base64 of 16 bytes', () => {
    assert.equal(isValidClientKey('dGhlIHNhbXBsZSBub25jZQ=='), true);
    assert.equal(isValidClientKey('++++++++++++++++++++//=='), true);
    assert.equal(isValidClientKey('AAAAAAAAAAAAAAAAAAAAAA=='), true);
  });

  test('rejects every other shape', () => {
    const bad = [
      '',
      'dGhlIHNhbXBsZSBub25jZQ=', // 23 chars
      'dGhlIHNhbXBsZSBub25jZQ===', // 25 chars
      'dGhlIHNhbXBsZSBub25jZQ', // no padding
      'dGhlIHNhbXBsZSBub25jZXk=', // 17 bytes
      'dGhlIHNhbXBsZSBub25jZQ-=',
      'dGhlIHNhbXBsZSBub25j-Q==', // base64url alphabet
      'dGhlIHNhbXBsZSBub25j_Q==',
      'dGhlIHNhbXBsZSBub25j Q==',
      ' GhlIHNhbXBsZSBub25jZQ==',
      'dGhlIHNhbXBsZSBub25jZQ\u0000\u0000',
      'dGhlIHNhbXBsZSBub25jZé==',
    ];
    for (const key of bad) assert.equal(isValidClientKey(key), false, JSON.stringify(key));
  });

  test('property: exactly the base64 encodings of 16 bytes are accepted', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        assert.equal(isValidClientKey(Buffer.from(bytes).toString('base64')), true);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }).filter((b) => b.length !== 16), (bytes) => {
        assert.equal(isValidClientKey(Buffer.from(bytes).toString('base64')), false);
      }),
    );
  });
});

describe('validateUpgradeRequest', () => {
  const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
  const good = () => ({
    host: 'server.example.com',
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': KEY,
    'sec-websocket-version': '13',
  });

  test('accepts the RFC 6455 section 1.2 request', () => {
    const headers = {
      ...good(),
      origin: 'http://example.com',
      'sec-websocket-protocol': 'chat, superchat',
    };
    assert.deepEqual(validateUpgradeRequest('GET', '1.1', headers), {
      ok: true,
      key: KEY,
      protocols: ['chat', 'superchat'],
      extensions: [],
    });
  });

  test('accepts case variations and token lists in Upgrade and Connection', () => {
    const headers = { ...good(), upgrade: 'WebSocket', connection: 'keep-alive, UPGRADE' };
    assert.equal(validateUpgradeRequest('GET', '1.1', headers).ok, true);
    assert.equal(validateUpgradeRequest('GET', '1.1', { ...good(), connection: ['keep-alive', 'Upgrade'] }).ok, true);
    assert.equal(validateUpgradeRequest('GET', '2.0', good()).ok, true);
  });

  test('returns the extension offers in order', () => {
    const headers = { ...good(), 'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits, x-foo' };
    const result = validateUpgradeRequest('GET', '1.1', headers);
    assert.equal(result.ok, true);
    assert.deepEqual(result.extensions, [
      { name: 'permessage-deflate', params: [['client_max_window_bits', true]] },
      { name: 'x-foo', params: [] },
    ]);
  });

  const failures = [
    ['method POST', 'POST', '1.1', {}, 400, 'Invalid HTTP method'],
    ['method get (methods are case-sensitive)', 'get', '1.1', {}, 400, 'Invalid HTTP method'],
    ['method undefined', undefined, '1.1', {}, 400, 'Invalid HTTP method'],
    ['HTTP/1.0', 'GET', '1.0', {}, 400, 'Unsupported HTTP version'],
    ['HTTP/0.9', 'GET', '0.9', {}, 400, 'Unsupported HTTP version'],
    ['garbage HTTP version', 'GET', 'x.y', {}, 400, 'Unsupported HTTP version'],
    ['no Host', 'GET', '1.1', { host: undefined }, 400, 'Missing Host header'],
    ['empty Host', 'GET', '1.1', { host: '' }, 400, 'Missing Host header'],
    ['no Upgrade', 'GET', '1.1', { upgrade: undefined }, 400, 'Invalid Upgrade header'],
    ['Upgrade: h2c', 'GET', '1.1', { upgrade: 'h2c' }, 400, 'Invalid Upgrade header'],
    ['Upgrade: websockets', 'GET', '1.1', { upgrade: 'websockets' }, 400, 'Invalid Upgrade header'],
    ['no Connection', 'GET', '1.1', { connection: undefined }, 400, 'Invalid Connection header'],
    ['Connection: keep-alive', 'GET', '1.1', { connection: 'keep-alive' }, 400, 'Invalid Connection header'],
    ['Connection: upgraded', 'GET', '1.1', { connection: 'upgraded' }, 400, 'Invalid Connection header'],
    ['no key', 'GET', '1.1', { 'sec-websocket-key': undefined }, 400, 'Missing or invalid Sec-WebSocket-Key header'],
    ['short key', 'GET', '1.1', { 'sec-websocket-key': 'AAAA' }, 400, 'Missing or invalid Sec-WebSocket-Key header'],
    [
      'key of 17 bytes',
      'GET',
      '1.1',
      { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZXk=' },
      400,
      'Missing or invalid Sec-WebSocket-Key header',
    ],
    [
      'repeated key',
      'GET',
      '1.1',
      { 'sec-websocket-key': [KEY, KEY] },
      400,
      'Missing or invalid Sec-WebSocket-Key header',
    ],
    ['bad subprotocol list', 'GET', '1.1', { 'sec-websocket-protocol': 'a b' }, 400, 'Invalid Sec-WebSocket-Protocol header'],
    ['duplicate subprotocol', 'GET', '1.1', { 'sec-websocket-protocol': 'a, a' }, 400, 'Invalid Sec-WebSocket-Protocol header'],
    ['empty subprotocol list', 'GET', '1.1', { 'sec-websocket-protocol': '' }, 400, 'Invalid Sec-WebSocket-Protocol header'],
    [
      'bad extension list',
      'GET',
      '1.1',
      { 'sec-websocket-extensions': 'permessage-deflate; a="' },
      400,
      'Invalid Sec-WebSocket-Extensions header',
    ],
  ];

  for (const [name, method, version, overrides, status, message] of failures) {
    test(`${name} → ${status}`, () => {
      const result = validateUpgradeRequest(method, version, { ...good(), ...overrides });
      assert.deepEqual(result, { ok: false, status, message });
    });
  }

  for (const version of [undefined, '', '8', '12', '14', '13, 8', ' 13x', '013']) {
    test(`Sec-WebSocket-Version ${JSON.stringify(version)} → 426 with Sec-WebSocket-Version: 13`, () => {
      const result = validateUpgradeRequest('GET', '1.1', { ...good(), 'sec-websocket-version': version });
      assert.deepEqual(result, {
        ok: false,
        status: 426,
        message: 'Unsupported WebSocket version',
        headers: { 'Sec-WebSocket-Version': WEBSOCKET_VERSION },
      });
    });
  }

  test('checks in the documented order: method before everything else', () => {
    assert.equal(validateUpgradeRequest('POST', '1.0', {}).message, 'Invalid HTTP method');
    assert.equal(validateUpgradeRequest('GET', '1.1', {}).message, 'Missing Host header');
  });

  test('property: never throws on arbitrary header values', () => {
    const value = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 30 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }));
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), fc.string({ maxLength: 4 }), value, value, value, value, value, value, (m, v, ...values) => {
        const names = ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions'];
        const headers = good();
        names.forEach((n, i) => {
          if (values[i] !== undefined) headers[n] = values[i];
        });
        const result = validateUpgradeRequest(m, v, headers);
        assert.ok(result.ok === true || [400, 426].includes(result.status));
      }),
    );
  });
});

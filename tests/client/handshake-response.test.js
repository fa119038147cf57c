import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateHandshakeResponse } from '../../dist/client/handshake-response.js';

// RFC 6455 section 1.3's example.
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

function response(headers, statusCode = 101) {
  return {
    statusCode,
    headers: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': ACCEPT, ...headers },
  };
}

function expectation(offeredProtocols = [], offeredExtensions = []) {
  return { key: KEY, offeredProtocols, offeredExtensions: new Set(offeredExtensions) };
}

function rejects(res, expected, message) {
  assert.throws(() => validateHandshakeResponse(res, expected), (error) => {
    assert.equal(error.name, 'WebSocketError');
    assert.equal(error.code, 'WSX_ERR_HANDSHAKE');
    assert.equal(error.closeCode, 1006);
    assert.equal(error.message, message);
    return true;
  });
}

test('a correct response is accepted', () => {
  assert.deepEqual(validateHandshakeResponse(response({}), expectation()), {
    protocol: '',
    extensionsHeader: undefined,
    extensions: [],
  });
});

test('the status must be 101', () => {
  for (const status of [100, 200, 204, 301, 400, 403, 426, 500]) {
    rejects(response({}, status), expectation(), `Unexpected server response: ${status}`);
  }
  rejects({ headers: response({}).headers }, expectation(), 'Unexpected server response: undefined');
});

test('Upgrade must be websocket, case-insensitively', () => {
  for (const upgrade of ['websocket', 'WebSocket', 'WEBSOCKET']) {
    validateHandshakeResponse(response({ upgrade }), expectation());
  }
  for (const upgrade of [undefined, '', 'h2c', 'websocket, h2c', 'websockets', ' web socket']) {
    rejects(response({ upgrade }), expectation(), 'Invalid Upgrade header');
  }
});

test('Connection must contain the upgrade token', () => {
  for (const connection of ['Upgrade', 'upgrade', 'keep-alive, Upgrade', 'UPGRADE,close']) {
    validateHandshakeResponse(response({ connection }), expectation());
  }
  for (const connection of [undefined, '', 'keep-alive', 'upgrades', 'close']) {
    rejects(response({ connection }), expectation(), 'Invalid Connection header');
  }
});

test('Sec-WebSocket-Accept must match the key', () => {
  for (const accept of [undefined, '', ACCEPT.toLowerCase(), `${ACCEPT}, ${ACCEPT}`, `${ACCEPT} `, 'x']) {
    rejects(response({ 'sec-websocket-accept': accept }), expectation(), 'Invalid Sec-WebSocket-Accept header');
  }
  rejects(response({}), { ...expectation(), key: 'AQIDBAUGBwgJCgsMDQ4PEA==' }, 'Invalid Sec-WebSocket-Accept header');
});

test('the subprotocol must be one that was offered', () => {
  assert.equal(validateHandshakeResponse(response({ 'sec-websocket-protocol': 'b' }), expectation(['a', 'b'])).protocol, 'b');
  // The server may pick none of them.
  assert.equal(validateHandshakeResponse(response({}), expectation(['a', 'b'])).protocol, '');
  rejects(response({ 'sec-websocket-protocol': 'a' }), expectation(), 'Server sent a subprotocol but none was requested');
  rejects(response({ 'sec-websocket-protocol': '' }), expectation(), 'Server sent a subprotocol but none was requested');
  for (const protocol of ['c', 'A', '', 'a, b', 'a,b']) {
    rejects(response({ 'sec-websocket-protocol': protocol }), expectation(['a', 'b']), 'Server sent an invalid subprotocol');
  }
});

test('no extension unless offered', () => {
  rejects(
    response({ 'sec-websocket-extensions': 'permessage-deflate' }),
    expectation(),
    'Server sent a Sec-WebSocket-Extensions header but no extension was requested',
  );
  rejects(
    response({ 'sec-websocket-extensions': '' }),
    expectation(),
    'Server sent a Sec-WebSocket-Extensions header but no extension was requested',
  );
  const offered = expectation([], ['permessage-deflate']);
  rejects(response({ 'sec-websocket-extensions': 'x-other' }), offered, 'Server indicated an extension that was not requested');
  rejects(
    response({ 'sec-websocket-extensions': 'permessage-deflate, x-other' }),
    offered,
    'Server indicated an extension that was not requested',
  );
  rejects(
    response({ 'sec-websocket-extensions': 'permessage-deflate, permessage-deflate' }),
    offered,
    'Server indicated an extension more than once',
  );
  rejects(response({ 'sec-websocket-extensions': 'permessage-deflate; a="' }), offered, 'Invalid Sec-WebSocket-Extensions header');
  rejects(response({ 'sec-websocket-extensions': '' }), offered, 'Invalid Sec-WebSocket-Extensions header');
  rejects(response({ 'sec-websocket-extensions': ', ,' }), offered, 'Invalid Sec-WebSocket-Extensions header');

  const accepted = validateHandshakeResponse(
    response({ 'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits=10' }),
    offered,
  );
  assert.equal(accepted.extensionsHeader, 'permessage-deflate; client_max_window_bits=10');
  assert.deepEqual(accepted.extensions, [{ name: 'permessage-deflate', params: [['client_max_window_bits', '10']] }]);
});

test('inherited property names are plain unknown extensions (SECURITY-CASES row 4)', () => {
  for (const value of ['constructor', ',;constructor', 'hasOwnProperty, toString', 'foo; constructor', '__proto__']) {
    assert.throws(() => validateHandshakeResponse(response({ 'sec-websocket-extensions': value }), expectation([], ['permessage-deflate'])), {
      code: 'WSX_ERR_HANDSHAKE',
    });
  }
});

test('rules are checked in order: status, Upgrade, Connection, Accept, protocol, extensions', () => {
  rejects({ statusCode: 200, headers: {} }, expectation(), 'Unexpected server response: 200');
  rejects({ statusCode: 101, headers: {} }, expectation(), 'Invalid Upgrade header');
  rejects({ statusCode: 101, headers: { upgrade: 'websocket' } }, expectation(), 'Invalid Connection header');
  rejects(
    { statusCode: 101, headers: { upgrade: 'websocket', connection: 'upgrade', 'sec-websocket-protocol': 'x' } },
    expectation(),
    'Invalid Sec-WebSocket-Accept header',
  );
});

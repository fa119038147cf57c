import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  resolveClientOptions,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
} from '../../dist/client/client-options.js';

test('defaults', () => {
  const resolved = resolveClientOptions(undefined);
  assert.equal(resolved.maxPayload, 100 * 1024 * 1024);
  assert.equal(DEFAULT_MAX_PAYLOAD, 104857600);
  assert.equal(resolved.followRedirects, false);
  assert.equal(resolved.maxRedirects, 10);
  assert.equal(resolved.protocolVersion, 13);
  assert.equal(resolved.skipUTF8Validation, false);
  assert.equal(resolved.autoPong, true);
  assert.equal(resolved.allowSynchronousEvents, true);
  assert.equal(resolved.perMessageDeflate, true);
  assert.equal(resolved.handshakeTimeout, DEFAULT_HANDSHAKE_TIMEOUT_MS);
  assert.equal(resolved.origin, undefined);
  assert.equal(resolved.finishRequest, undefined);
  assert.deepEqual(resolved.transport, {});
});

test('given values win; transport options are split off', () => {
  const lookup = () => {};
  const finishRequest = () => {};
  const resolved = resolveClientOptions({
    maxPayload: 5,
    followRedirects: true,
    maxRedirects: 0,
    protocolVersion: 8,
    skipUTF8Validation: true,
    autoPong: false,
    allowSynchronousEvents: false,
    perMessageDeflate: false,
    handshakeTimeout: 0,
    origin: 'https://a.example',
    headers: { 'X-A': '1' },
    finishRequest,
    lookup,
    family: 4,
    rejectUnauthorized: false,
    ca: 'pem',
    http2: true,
    closeTimeout: 5,
  });
  assert.equal(resolved.maxPayload, 5);
  assert.equal(resolved.followRedirects, true);
  assert.equal(resolved.maxRedirects, 0);
  assert.equal(resolved.protocolVersion, 8);
  assert.equal(resolved.skipUTF8Validation, true);
  assert.equal(resolved.autoPong, false);
  assert.equal(resolved.allowSynchronousEvents, false);
  assert.equal(resolved.perMessageDeflate, false);
  assert.equal(resolved.handshakeTimeout, 0);
  assert.equal(resolved.origin, 'https://a.example');
  assert.deepEqual(resolved.headers, { 'X-A': '1' });
  assert.equal(resolved.finishRequest, finishRequest);
  assert.deepEqual(resolved.transport, { lookup, family: 4, rejectUnauthorized: false, ca: 'pem' });
});

test('an empty origin sends none (as ws)', () => {
  assert.equal(resolveClientOptions({ origin: '' }).origin, undefined);
});

test('protocolVersion other than 8 and 13 throws RangeError', () => {
  for (const version of [0, 7, 12, 14, '13', null]) {
    assert.throws(() => resolveClientOptions({ protocolVersion: version }), {
      name: 'RangeError',
      message: `Unsupported protocol version: ${String(version)} (supported versions: 8, 13)`,
    });
  }
});

test('negative or non-numeric timeouts and redirect counts throw RangeError', () => {
  for (const value of [-1, NaN, '5']) {
    assert.throws(() => resolveClientOptions({ handshakeTimeout: value }), RangeError);
    assert.throws(() => resolveClientOptions({ maxRedirects: value }), RangeError);
  }
});

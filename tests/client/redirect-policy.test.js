import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mayForwardCredentials, redirectLocation } from '../../dist/client/redirect-policy.js';
import { parseWebSocketUrl } from '../../dist/client/websocket-url.js';

test('redirectLocation: only 3xx with a Location, only when following', () => {
  for (const status of [300, 301, 302, 303, 307, 308, 399]) {
    assert.equal(redirectLocation(status, { location: '/next' }, true), '/next');
  }
  assert.equal(redirectLocation(301, { location: '/next' }, false), undefined);
  assert.equal(redirectLocation(301, {}, true), undefined);
  assert.equal(redirectLocation(301, { location: '' }, true), undefined);
  for (const status of [101, 200, 299, 400, 500, undefined]) {
    assert.equal(redirectLocation(status, { location: '/next' }, true), undefined);
  }
});

test('mayForwardCredentials: same host and port only, never downgrading', () => {
  const u = (s) => parseWebSocketUrl(s);
  assert.equal(mayForwardCredentials(u('ws://a.example:1/x'), u('ws://a.example:1/y')), true);
  assert.equal(mayForwardCredentials(u('ws://a.example/'), u('ws://A.EXAMPLE:80/')), true);
  assert.equal(mayForwardCredentials(u('wss://a.example/'), u('wss://a.example/z')), true);
  assert.equal(mayForwardCredentials(u('ws://a.example:1/'), u('wss://a.example:1/')), true);
  assert.equal(mayForwardCredentials(u('ws://a.example:1/'), u('ws://b.example:1/')), false);
  assert.equal(mayForwardCredentials(u('ws://a.example:1/'), u('ws://a.example:2/')), false);
  assert.equal(mayForwardCredentials(u('ws://a.example/'), u('ws://sub.a.example/')), false);
  assert.equal(mayForwardCredentials(u('ws://a.example/'), u('wss://a.example/')), false); // 80 -> 443
  assert.equal(mayForwardCredentials(u('wss://a.example:1/'), u('ws://a.example:1/')), false);
  assert.equal(mayForwardCredentials(u('ws://127.0.0.1:1/'), u('ws://localhost:1/')), false);
});

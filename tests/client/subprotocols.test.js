import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeSubprotocols } from '../../dist/client/subprotocols.js';

test('undefined, a string and an array', () => {
  assert.deepEqual(normalizeSubprotocols(undefined), []);
  assert.deepEqual(normalizeSubprotocols([]), []);
  assert.deepEqual(normalizeSubprotocols('chat'), ['chat']);
  assert.deepEqual(normalizeSubprotocols(['chat', 'v2.json', "a!#$%&'*+-.^_`|~9"]), ['chat', 'v2.json', "a!#$%&'*+-.^_`|~9"]);
});

test('invalid tokens and duplicates throw SyntaxError', () => {
  const bad = ['', 'a b', 'a,b', 'a;b', 'a"', '(x)', 'é', 'a\tb', 'a/b', 'a:b', '{', 'a\u0000'];
  for (const protocol of bad) {
    assert.throws(() => normalizeSubprotocols(protocol), SyntaxError, JSON.stringify(protocol));
    assert.throws(() => normalizeSubprotocols(['ok', protocol]), SyntaxError, JSON.stringify(protocol));
  }
  assert.throws(() => normalizeSubprotocols(['chat', 'chat']), {
    name: 'SyntaxError',
    message: 'An invalid or duplicated subprotocol was specified',
  });
  // Case matters: these are two different subprotocols.
  assert.deepEqual(normalizeSubprotocols(['chat', 'Chat']), ['chat', 'Chat']);
  assert.throws(() => normalizeSubprotocols([5]), SyntaxError);
  assert.throws(() => normalizeSubprotocols(5), SyntaxError);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWebSocketUrl } from '../../dist/client/websocket-url.js';

test('ws: and wss: with default and explicit ports', () => {
  const plain = parseWebSocketUrl('ws://example.com/chat?room=1');
  assert.equal(plain.href, 'ws://example.com/chat?room=1');
  assert.equal(plain.secure, false);
  assert.equal(plain.hostname, 'example.com');
  assert.equal(plain.port, 80);
  assert.equal(plain.hostHeader, 'example.com');
  assert.equal(plain.requestPath, '/chat?room=1');

  const secure = parseWebSocketUrl('wss://example.com');
  assert.equal(secure.secure, true);
  assert.equal(secure.port, 443);
  assert.equal(secure.hostHeader, 'example.com');
  assert.equal(secure.requestPath, '/');

  const explicit = parseWebSocketUrl('ws://example.com:8080/');
  assert.equal(explicit.port, 8080);
  assert.equal(explicit.hostHeader, 'example.com:8080');

  // A port equal to the scheme's default is not repeated in Host.
  assert.equal(parseWebSocketUrl('ws://example.com:80/').hostHeader, 'example.com');
  assert.equal(parseWebSocketUrl('wss://example.com:443/').hostHeader, 'example.com');
  // ...but the other scheme's default is.
  assert.equal(parseWebSocketUrl('wss://example.com:80/').hostHeader, 'example.com:80');
  assert.equal(parseWebSocketUrl('ws://example.com:443/').port, 443);
});

test('http: and https: mean ws: and wss:', () => {
  const plain = parseWebSocketUrl('http://example.com:8080/a');
  assert.equal(plain.href, 'ws://example.com:8080/a');
  assert.equal(plain.secure, false);
  assert.equal(plain.port, 8080);

  const secure = parseWebSocketUrl('https://example.com/a');
  assert.equal(secure.href, 'wss://example.com/a');
  assert.equal(secure.secure, true);
  assert.equal(secure.port, 443);

  // https on port 443 keeps 443 as default after becoming wss.
  assert.equal(parseWebSocketUrl('https://example.com:443/').hostHeader, 'example.com');
  assert.equal(parseWebSocketUrl('HTTP://EXAMPLE.com').href, 'ws://example.com/');
});

test('a URL object is accepted and not modified', () => {
  const input = new URL('http://example.com/x');
  const parsed = parseWebSocketUrl(input);
  assert.equal(parsed.href, 'ws://example.com/x');
  assert.equal(input.href, 'http://example.com/x');
  assert.notEqual(parsed.url, input);
});

test('IPv6 literals', () => {
  const parsed = parseWebSocketUrl('ws://[::1]:9000/p');
  assert.equal(parsed.hostname, '::1');
  assert.equal(parsed.port, 9000);
  assert.equal(parsed.hostHeader, '[::1]:9000');
  const defaulted = parseWebSocketUrl('wss://[2001:db8::1]/');
  assert.equal(defaulted.hostname, '2001:db8::1');
  assert.equal(defaulted.hostHeader, '[2001:db8::1]');
  assert.equal(defaulted.port, 443);
});

test('the request target is path and query', () => {
  assert.equal(parseWebSocketUrl('ws://h').requestPath, '/');
  assert.equal(parseWebSocketUrl('ws://h?x=1').requestPath, '/?x=1');
  assert.equal(parseWebSocketUrl('ws://h/a/b?c=d&e').requestPath, '/a/b?c=d&e');
  assert.equal(parseWebSocketUrl('ws://h/a b').requestPath, '/a%20b');
});

test('credentials are percent-decoded', () => {
  const parsed = parseWebSocketUrl('ws://us%40er:p%3Ass@h/');
  assert.equal(parsed.username, 'us@er');
  assert.equal(parsed.password, 'p:ss');
  assert.equal(parsed.hostHeader, 'h');
  const none = parseWebSocketUrl('ws://h/');
  assert.equal(none.username, '');
  assert.equal(none.password, '');
});

test('relative addresses resolve against a base (redirects)', () => {
  const base = new URL('ws://h:1/a/b?q');
  assert.equal(parseWebSocketUrl('/x', base).href, 'ws://h:1/x');
  assert.equal(parseWebSocketUrl('c', base).href, 'ws://h:1/a/c');
  assert.equal(parseWebSocketUrl('//other/', base).href, 'ws://other/');
  assert.equal(parseWebSocketUrl('https://other/', base).href, 'wss://other/');
});

test('bad URLs throw SyntaxError', () => {
  const bad = [
    'not a url',
    '',
    'ws://',
    'ws://[::1/',
    'ftp://example.com/',
    'file:///etc/passwd',
    'ws+unix:/tmp/sock',
    'javascript:alert(1)',
    'ws://example.com/#frag',
    'ws://example.com/#',
    'wss://example.com/?a#b',
    'ws://h:99999/',
  ];
  for (const address of bad) {
    assert.throws(() => parseWebSocketUrl(address), SyntaxError, address);
  }
  assert.throws(() => parseWebSocketUrl('ws://example.com/#x'), { name: 'SyntaxError', message: 'The URL contains a fragment identifier' });
  assert.throws(() => parseWebSocketUrl('nope'), { name: 'SyntaxError', message: 'Invalid URL: nope' });
  assert.throws(() => parseWebSocketUrl('ftp://h/'), { name: 'SyntaxError', message: /protocol must be one of/ });
});

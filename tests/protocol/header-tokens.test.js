import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import {
  isToken,
  parseTokenList,
  headerHasToken,
  parseSubprotocols,
  parseExtensions,
  formatExtensions,
} from '../../dist/protocol/header-tokens.js';
import { WebSocketError } from '../../dist/protocol/errors.js';
import { validateUpgradeRequest } from '../../dist/protocol/upgrade-request.js';

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const tokenArb = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 });
const owsArb = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 3 });

function isHandshakeError(error) {
  return error instanceof WebSocketError && error.code === 'WSX_ERR_HANDSHAKE';
}

describe('isToken', () => {
  test('accepts every tchar and rejects separators, controls and non-ASCII', () => {
    assert.equal(isToken(TCHARS), true);
    for (const bad of ['', ' ', 'a b', 'a,b', 'a;b', 'a=b', '"a"', 'a/b', 'a:b', '(a)', 'a\u0000', 'a\u007f', 'é', 'a\r\n']) {
      assert.equal(isToken(bad), false, JSON.stringify(bad));
    }
  });
});

describe('parseTokenList', () => {
  test('splits on commas with optional whitespace', () => {
    assert.deepEqual(parseTokenList('a, b ,c'), ['a', 'b', 'c']);
    assert.deepEqual(parseTokenList('\tkeep-alive,\tUpgrade\t'), ['keep-alive', 'Upgrade']);
  });

  test('skips empty elements', () => {
    assert.deepEqual(parseTokenList(',,a, ,,b,'), ['a', 'b']);
    assert.deepEqual(parseTokenList(''), []);
    assert.deepEqual(parseTokenList(' , \t, '), []);
  });

  test('throws WSX_ERR_HANDSHAKE on a character that is not a token char', () => {
    for (const bad of ['a b', 'a;b', 'a,"b"', 'a, b=c', 'é', 'a\u0000', 'a\r\nb', 'a/b']) {
      assert.throws(() => parseTokenList(bad), isHandshakeError, JSON.stringify(bad));
    }
  });

  test('property: a joined list of tokens with OWS and empty elements parses back to the tokens', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(owsArb, tokenArb, owsArb, fc.nat(2)), { maxLength: 10 }),
        (elements) => {
          const value = elements.map(([a, t, b, empties]) => a + t + b + ','.repeat(empties)).join(',');
          assert.deepEqual(parseTokenList(value), elements.map(([, t]) => t));
        },
      ),
    );
  });

  test('property: any string either parses or throws WSX_ERR_HANDSHAKE', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        try {
          for (const token of parseTokenList(value)) assert.equal(isToken(token), true);
        } catch (error) {
          assert.ok(isHandshakeError(error), String(error));
        }
      }),
    );
  });
});

describe('headerHasToken', () => {
  test('matches a token anywhere in the list, case-insensitively', () => {
    assert.equal(headerHasToken('keep-alive, Upgrade', 'upgrade'), true);
    assert.equal(headerHasToken('UPGRADE', 'upgrade'), true);
    assert.equal(headerHasToken(' websocket ', 'WebSocket'), true);
    assert.equal(headerHasToken(',,upgrade,', 'upgrade'), true);
  });

  test('does not match substrings, superstrings or split words', () => {
    assert.equal(headerHasToken('upgrades', 'upgrade'), false);
    assert.equal(headerHasToken('x-upgrade', 'upgrade'), false);
    assert.equal(headerHasToken('upgrad', 'upgrade'), false);
    assert.equal(headerHasToken('up grade', 'upgrade'), false);
    assert.equal(headerHasToken('', 'upgrade'), false);
    assert.equal(headerHasToken(undefined, 'upgrade'), false);
  });

  test('searches every value of a repeated header', () => {
    assert.equal(headerHasToken(['keep-alive', 'close, Upgrade'], 'upgrade'), true);
    assert.equal(headerHasToken(['keep-alive', 'close'], 'upgrade'), false);
    assert.equal(headerHasToken([], 'upgrade'), false);
  });

  test('never throws on malformed lists', () => {
    assert.equal(headerHasToken('"upgrade", ;;', 'upgrade'), false);
    assert.equal(headerHasToken('\u0000, upgrade', 'upgrade'), true);
  });

  test('property: agrees with parseTokenList on valid lists', () => {
    fc.assert(
      fc.property(fc.array(tokenArb, { maxLength: 6 }), tokenArb, fc.boolean(), (tokens, probe, upper) => {
        const value = tokens.map((t) => (upper ? t.toUpperCase() : t)).join(' , ');
        const expected = parseTokenList(value).some((t) => t.toLowerCase() === probe.toLowerCase());
        assert.equal(headerHasToken(value, probe), expected);
      }),
    );
  });
});

describe('parseSubprotocols', () => {
  test('returns the client order', () => {
    assert.deepEqual(parseSubprotocols('chat, superchat'), ['chat', 'superchat']);
    assert.deepEqual(parseSubprotocols('v2.json.example'), ['v2.json.example']);
  });

  test('is case-sensitive: Chat and chat are different protocols', () => {
    assert.deepEqual(parseSubprotocols('Chat,chat'), ['Chat', 'chat']);
  });

  test('throws on a duplicate, an invalid token or an empty list', () => {
    for (const bad of ['chat, chat', 'a, b c', 'a;b', '', ' , ', 'chat/1']) {
      assert.throws(() => parseSubprotocols(bad), isHandshakeError, JSON.stringify(bad));
    }
  });
});

describe('parseExtensions', () => {
  test('parses names and parameters in order', () => {
    assert.deepEqual(parseExtensions('permessage-deflate; client_max_window_bits'), [
      { name: 'permessage-deflate', params: [['client_max_window_bits', true]] },
    ]);
    assert.deepEqual(parseExtensions('foo; a=1; b="2", bar,baz;c'), [
      { name: 'foo', params: [['a', '1'], ['b', '2']] },
      { name: 'bar', params: [] },
      { name: 'baz', params: [['c', true]] },
    ]);
  });

  test('accepts optional whitespace around separators', () => {
    assert.deepEqual(parseExtensions(' foo ;\ta = 1 ; b\t, bar ; c = "x" '), [
      { name: 'foo', params: [['a', '1'], ['b', true]] },
      { name: 'bar', params: [['c', 'x']] },
    ]);
  });

  test('keeps duplicates and case for the negotiator to judge', () => {
    assert.deepEqual(parseExtensions('Foo; A=1; a=2; a, foo'), [
      { name: 'Foo', params: [['A', '1'], ['a', '2'], ['a', true]] },
      { name: 'foo', params: [] },
    ]);
  });

  test('unquotes quoted values, honouring backslash escapes', () => {
    assert.deepEqual(parseExtensions('foo; a="\\1\\0"; b="1\\2"'), [
      { name: 'foo', params: [['a', '10'], ['b', '12']] },
    ]);
  });

  test('skips empty list elements', () => {
    assert.deepEqual(parseExtensions(', foo ,, bar,'), [
      { name: 'foo', params: [] },
      { name: 'bar', params: [] },
    ]);
  });

  test('throws WSX_ERR_HANDSHAKE on every syntax error', () => {
    const bad = [
      '', ',', ' , ', ';foo', 'foo;', 'foo; ', 'foo;;a', 'foo; a=', 'foo; a= ;b', 'foo; =1', 'foo bar',
      'foo; a=b c', 'foo; a="', 'foo; a="x', 'foo; a="x\\', 'foo; a=""', 'foo; a="x y"', 'foo; a="x,y"',
      'foo; a="x\\"y"', 'foo; a="1"2', 'foo; a=1=2', 'foo, ;bar', 'fo"o', 'foo; a="é"', 'é', 'foo\u0000',
      'foo; a=1\r\n', 'foo=1',
    ];
    for (const value of bad) {
      assert.throws(() => parseExtensions(value), isHandshakeError, JSON.stringify(value));
    }
  });

  test('SECURITY-CASES row 4: inherited keys are plain data, never lookups', () => {
    const own = (offers) => {
      assert.ok(Array.isArray(offers));
      for (const offer of offers) {
        assert.deepEqual(Object.keys(offer).sort(), ['name', 'params']);
        assert.ok(Array.isArray(offer.params));
        for (const param of offer.params) assert.ok(Array.isArray(param) && param.length === 2);
      }
      return offers;
    };
    assert.deepEqual(own(parseExtensions('constructor')), [{ name: 'constructor', params: [] }]);
    assert.deepEqual(own(parseExtensions('hasOwnProperty, toString')), [
      { name: 'hasOwnProperty', params: [] },
      { name: 'toString', params: [] },
    ]);
    assert.deepEqual(own(parseExtensions('foo; constructor')), [{ name: 'foo', params: [['constructor', true]] }]);
    assert.deepEqual(own(parseExtensions('__proto__; __proto__=1; prototype')), [
      { name: '__proto__', params: [['__proto__', '1'], ['prototype', true]] },
    ]);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    // ',;constructor' has a parameter without an extension name: a typed error, which the server turns into 400.
    assert.throws(() => parseExtensions(',;constructor'), isHandshakeError);
  });

  test('SECURITY-CASES row 4: the request validator answers 400 (or accepts), never throws', () => {
    const base = {
      host: 'example.com',
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
    };
    for (const value of ['constructor', ',;constructor', 'hasOwnProperty, toString', 'foo; constructor']) {
      const result = validateUpgradeRequest('GET', '1.1', { ...base, 'sec-websocket-extensions': value });
      if (result.ok) assert.ok(Array.isArray(result.extensions));
      else assert.equal(result.status, 400);
    }
    const bad = validateUpgradeRequest('GET', '1.1', { ...base, 'sec-websocket-extensions': ',;constructor' });
    assert.equal(bad.ok, false);
    assert.equal(bad.status, 400);
  });

  const paramArb = fc.tuple(tokenArb, fc.oneof(fc.constant(true), tokenArb));
  // Plain objects (fc.record may build null-prototype ones, which deepEqual tells apart).
  const offerArb = fc.tuple(tokenArb, fc.array(paramArb, { maxLength: 4 })).map(([name, params]) => ({ name, params }));

  test('property: parseExtensions(formatExtensions(offers)) returns the offers', () => {
    fc.assert(
      fc.property(fc.array(offerArb, { minLength: 1, maxLength: 4 }), (offers) => {
        assert.deepEqual(parseExtensions(formatExtensions(offers)), offers);
      }),
    );
  });

  test('property: quoting and escaping any token value is transparent', () => {
    fc.assert(
      fc.property(tokenArb, fc.array(fc.boolean(), { maxLength: 12 }), (value, escapes) => {
        let quoted = '"';
        for (let i = 0; i < value.length; i++) quoted += (escapes[i] ? '\\' : '') + value[i];
        quoted += '"';
        assert.deepEqual(parseExtensions(`x; p=${quoted}`), [{ name: 'x', params: [['p', value]] }]);
      }),
    );
  });

  test('property: any string either parses to token data or throws WSX_ERR_HANDSHAKE', () => {
    const alphabet = fc.constantFrom('a', 'b', ' ', '\t', ',', ';', '=', '"', '\\', 'é', '\u0000', '/');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: alphabet, maxLength: 30 })), (value) => {
        let offers;
        try {
          offers = parseExtensions(value);
        } catch (error) {
          assert.ok(isHandshakeError(error), String(error));
          return;
        }
        assert.ok(offers.length > 0);
        for (const { name, params } of offers) {
          assert.equal(isToken(name), true);
          for (const [key, val] of params) {
            assert.equal(isToken(key), true);
            assert.ok(val === true || isToken(val));
          }
        }
      }),
    );
  });
});

describe('formatExtensions', () => {
  test('writes flags, values and several extensions', () => {
    assert.equal(
      formatExtensions([
        { name: 'permessage-deflate', params: [['server_no_context_takeover', true], ['client_max_window_bits', '10']] },
        { name: 'x-foo', params: [] },
      ]),
      'permessage-deflate; server_no_context_takeover; client_max_window_bits=10, x-foo',
    );
    assert.equal(formatExtensions([]), '');
  });

  test('quotes a value that is not a token', () => {
    assert.equal(formatExtensions([{ name: 'x', params: [['p', 'a b"\\']] }]), 'x; p="a b\\"\\\\"');
  });

  test('throws TypeError on names that are not tokens and on header-splitting values', () => {
    assert.throws(() => formatExtensions([{ name: 'a b', params: [] }]), TypeError);
    assert.throws(() => formatExtensions([{ name: 'a', params: [['p;', true]] }]), TypeError);
    assert.throws(() => formatExtensions([{ name: 'a', params: [['p', 'x\r\nSet-Cookie: y']] }]), TypeError);
  });
});

/**
 * SECURITY-CASES row 5: time(4n) / time(n) stays near 4 for a linear parser
 * (a quadratic one gives 16). Minimum of several runs to dampen noise from a
 * shared CPU; the bound is generous on purpose.
 */
function timeRatio(makeInput, run, n) {
  const small = makeInput(n);
  const large = makeInput(n * 4);
  const once = (input) => {
    const start = process.hrtime.bigint();
    run(input);
    return Number(process.hrtime.bigint() - start);
  };
  // Warm up until the JIT has optimized the parser, then interleave the runs
  // so that a burst of load from other processes hits both sizes alike.
  for (let i = 0; i < 20; i++) once(small);
  for (let i = 0; i < 3; i++) once(large);
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  for (let i = 0; i < 9; i++) {
    bestSmall = Math.min(bestSmall, once(small));
    bestLarge = Math.min(bestLarge, once(large));
  }
  return bestLarge / Math.max(bestSmall, 1);
}

function swallow(fn) {
  return (input) => {
    try {
      fn(input);
    } catch (error) {
      if (!isHandshakeError(error)) throw error;
    }
  };
}

describe('SECURITY-CASES row 5: linear time', () => {
  test('Sec-WebSocket-Protocol: b + 32 000 spaces + x fails fast', () => {
    assert.throws(() => parseSubprotocols(`b${' '.repeat(32000)}x`), isHandshakeError);
    const ratio = timeRatio((n) => `b${' '.repeat(n)}x`, swallow(parseSubprotocols), 100_000);
    assert.ok(ratio < 10, `4x input took ${ratio.toFixed(1)}x the time`);
  });

  test('Sec-WebSocket-Extensions: a; b="\\c\\c… unclosed (10 000 pairs) fails fast', () => {
    assert.throws(() => parseExtensions(`a; b="${'\\c'.repeat(10000)}`), isHandshakeError);
    const ratio = timeRatio((n) => `a; b="${'\\c'.repeat(n)}`, swallow(parseExtensions), 50_000);
    assert.ok(ratio < 10, `4x input took ${ratio.toFixed(1)}x the time`);
  });

  test('long valid lists parse in linear time too', () => {
    const ratio = timeRatio((n) => 'foo; a=1, '.repeat(n), swallow(parseExtensions), 2_000);
    assert.ok(ratio < 10, `4x input took ${ratio.toFixed(1)}x the time`);
    const ratio2 = timeRatio((n) => 'keep-alive, '.repeat(n) + 'upgrade', (v) => headerHasToken(v, 'upgrade'), 20_000);
    assert.ok(ratio2 < 10, `4x input took ${ratio2.toFixed(1)}x the time`);
  });
});

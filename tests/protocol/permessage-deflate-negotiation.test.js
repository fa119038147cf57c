import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  acceptServerResponse,
  buildClientOffer,
  negotiateServer,
  validatePerMessageDeflateOptions,
} from '../../dist/protocol/permessage-deflate-negotiation.js';
import { WebSocketError } from '../../dist/protocol/errors.js';

/** One parsed permessage-deflate element, as parseExtensions would give it. */
function pmd(...params) {
  return { name: 'permessage-deflate', params };
}

/**
 * A tiny parser for the well-formed headers wsx itself produces (no quoting,
 * no odd spacing): enough to feed one role's output to the other role.
 */
function parseOwnHeader(value) {
  return value.split(', ').map((element) => {
    const [name, ...rest] = element.split('; ');
    return {
      name,
      params: rest.map((param) => {
        const eq = param.indexOf('=');
        return eq === -1 ? [param, true] : [param.slice(0, eq), param.slice(eq + 1)];
      }),
    };
  });
}

const DEFAULT_PARAMS = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

/** Window-bits values that must never be accepted (SECURITY-CASES row 8). */
const BAD_WINDOW_VALUES = ['1000', '7', '16', '08', '0', '', ' 9', '9 ', '+9', '-9', '9.0', '0x9', '1e1', '\u0669', '"10"', '1 0', '99999999999999999999', true];

function assertHandshakeError(fn, messagePart) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof WebSocketError, `expected WebSocketError, got ${error}`);
    assert.equal(error.code, 'WSX_ERR_HANDSHAKE');
    if (messagePart !== undefined) assert.ok(error.message.includes(messagePart), error.message);
    return true;
  });
}

describe('buildClientOffer', () => {
  test('default offer announces client_max_window_bits without a value', () => {
    assert.equal(buildClientOffer({}), 'permessage-deflate; client_max_window_bits');
    assert.equal(buildClientOffer({ clientMaxWindowBits: true }), 'permessage-deflate; client_max_window_bits');
  });

  test('every parameter, in a fixed order', () => {
    assert.equal(
      buildClientOffer({
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 10,
        clientMaxWindowBits: 11,
      }),
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=11',
    );
  });

  test('clientMaxWindowBits false leaves the parameter out; false flags add nothing', () => {
    assert.equal(
      buildClientOffer({ clientMaxWindowBits: false, serverNoContextTakeover: false, clientNoContextTakeover: false }),
      'permessage-deflate',
    );
  });

  test('several offers in order of preference', () => {
    assert.equal(
      buildClientOffer([{ serverMaxWindowBits: 10, clientMaxWindowBits: 10 }, {}]),
      'permessage-deflate; server_max_window_bits=10; client_max_window_bits=10, permessage-deflate; client_max_window_bits',
    );
  });

  test('invalid application options throw RangeError/TypeError', () => {
    for (const bits of [7, 16, 1000, 9.5, -1, NaN, '10']) {
      assert.throws(() => buildClientOffer({ serverMaxWindowBits: bits }), RangeError, String(bits));
      assert.throws(() => buildClientOffer({ clientMaxWindowBits: bits }), RangeError, String(bits));
    }
    assert.throws(() => buildClientOffer({ serverNoContextTakeover: 'yes' }), TypeError);
    assert.throws(() => buildClientOffer([]), RangeError);
    assert.throws(() => validatePerMessageDeflateOptions({ threshold: -1 }), RangeError);
    assert.throws(() => validatePerMessageDeflateOptions({ concurrencyLimit: 0 }), RangeError);
    assert.throws(() => validatePerMessageDeflateOptions(null), TypeError);
    validatePerMessageDeflateOptions({ threshold: 0, concurrencyLimit: 1, serverMaxWindowBits: 8, clientMaxWindowBits: 15 });
  });
});

describe('acceptServerResponse (client role)', () => {
  test('no permessage-deflate in the answer: null (server declined)', () => {
    assert.equal(acceptServerResponse([], {}), null);
  });

  test('bare acceptance gives 15-bit windows with context takeover', () => {
    assert.deepEqual(acceptServerResponse([pmd()], {}), DEFAULT_PARAMS);
  });

  test('server_no_context_takeover may be sent unasked', () => {
    assert.deepEqual(acceptServerResponse([pmd(['server_no_context_takeover', true])], {}), {
      ...DEFAULT_PARAMS,
      serverNoContextTakeover: true,
    });
  });

  test('server_no_context_takeover asked but not granted fails', () => {
    assertHandshakeError(
      () => acceptServerResponse([pmd()], { serverNoContextTakeover: true }),
      'server_no_context_takeover',
    );
    assert.equal(
      acceptServerResponse([pmd(['server_no_context_takeover', true])], { serverNoContextTakeover: true })
        .serverNoContextTakeover,
      true,
    );
  });

  test('client_no_context_takeover from the server is obeyed, unless clientNoContextTakeover is false', () => {
    assert.equal(acceptServerResponse([pmd(['client_no_context_takeover', true])], {}).clientNoContextTakeover, true);
    assertHandshakeError(
      () => acceptServerResponse([pmd(['client_no_context_takeover', true])], { clientNoContextTakeover: false }),
      'client_no_context_takeover',
    );
  });

  test('our own client_no_context_takeover hint binds us even if not echoed', () => {
    assert.equal(acceptServerResponse([pmd()], { clientNoContextTakeover: true }).clientNoContextTakeover, true);
  });

  test('server_max_window_bits: same or smaller than offered, required when offered, allowed when not', () => {
    const offered = { serverMaxWindowBits: 12 };
    assert.equal(acceptServerResponse([pmd(['server_max_window_bits', '12'])], offered).serverMaxWindowBits, 12);
    assert.equal(acceptServerResponse([pmd(['server_max_window_bits', '9'])], offered).serverMaxWindowBits, 9);
    assertHandshakeError(() => acceptServerResponse([pmd(['server_max_window_bits', '13'])], offered), 'larger');
    assertHandshakeError(() => acceptServerResponse([pmd()], offered), 'server_max_window_bits=12');
    assert.equal(acceptServerResponse([pmd(['server_max_window_bits', '8'])], {}).serverMaxWindowBits, 8);
  });

  test('client_max_window_bits: only when offered, with a value, not above the offered value', () => {
    assert.equal(acceptServerResponse([pmd(['client_max_window_bits', '10'])], {}).clientMaxWindowBits, 10);
    assertHandshakeError(
      () => acceptServerResponse([pmd(['client_max_window_bits', '10'])], { clientMaxWindowBits: false }),
      'not offered',
    );
    assertHandshakeError(
      () => acceptServerResponse([pmd(['client_max_window_bits', '10'])], { clientMaxWindowBits: 9 }),
      'larger',
    );
    assert.equal(acceptServerResponse([pmd(['client_max_window_bits', '8'])], { clientMaxWindowBits: 9 }).clientMaxWindowBits, 8);
    assertHandshakeError(() => acceptServerResponse([pmd(['client_max_window_bits', true])], {}), 'client_max_window_bits');
    // Not echoed: the limit we offered still applies to us.
    assert.equal(acceptServerResponse([pmd()], { clientMaxWindowBits: 11 }).clientMaxWindowBits, 11);
  });

  test('a quoted valid value reaches us unquoted and is accepted (RFC 6455 9.1)', () => {
    // parseExtensions turns server_max_window_bits="10" into '10'.
    assert.equal(acceptServerResponse([pmd(['server_max_window_bits', '10'])], {}).serverMaxWindowBits, 10);
  });

  for (const name of ['server_max_window_bits', 'client_max_window_bits']) {
    test(`row 8: invalid ${name} values fail the handshake cleanly`, () => {
      for (const value of BAD_WINDOW_VALUES) {
        assertHandshakeError(() => acceptServerResponse([pmd([name, value])], {}), name);
      }
    });

    test(`row 8: duplicated ${name} fails`, () => {
      assertHandshakeError(() => acceptServerResponse([pmd([name, '10'], [name, '10'])], {}), 'duplicated');
    });
  }

  test('duplicated or valued flags fail', () => {
    for (const name of ['server_no_context_takeover', 'client_no_context_takeover']) {
      assertHandshakeError(() => acceptServerResponse([pmd([name, true], [name, true])], {}), 'duplicated');
      assertHandshakeError(() => acceptServerResponse([pmd([name, '1'])], {}), 'must not have a value');
      assertHandshakeError(() => acceptServerResponse([pmd([name, ''])], {}), 'must not have a value');
    }
  });

  test('unknown parameters fail, including inherited property names', () => {
    for (const name of ['foo', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'Server_Max_Window_Bits', '']) {
      assertHandshakeError(() => acceptServerResponse([pmd([name, true])], {}), 'unknown parameter');
    }
  });

  test('a second permessage-deflate or an extension we did not offer fails', () => {
    assertHandshakeError(() => acceptServerResponse([pmd(), pmd()], {}), 'more than once');
    assertHandshakeError(
      () => acceptServerResponse([{ name: 'x-webkit-deflate-frame', params: [] }], {}),
      'x-webkit-deflate-frame',
    );
    assertHandshakeError(() => acceptServerResponse([pmd(), { name: 'foo', params: [] }], {}), 'foo');
  });

  test('several offers: the first offer the answer fits wins', () => {
    const offers = [{ serverMaxWindowBits: 10, clientMaxWindowBits: false }, {}];
    // Fits the first offer.
    assert.deepEqual(acceptServerResponse([pmd(['server_max_window_bits', '10'])], offers), {
      ...DEFAULT_PARAMS,
      serverMaxWindowBits: 10,
    });
    // Fits only the second (12 > 10; the server may add it unasked).
    assert.equal(acceptServerResponse([pmd(['server_max_window_bits', '12'])], offers).serverMaxWindowBits, 12);
    // client_max_window_bits was offered by the second offer only.
    assert.equal(acceptServerResponse([pmd(['client_max_window_bits', '9'])], offers).clientMaxWindowBits, 9);
    // Fits none: the reason given is the preferred offer's.
    assertHandshakeError(
      () => acceptServerResponse([pmd(['client_no_context_takeover', true])], [{ clientNoContextTakeover: false }]),
      'client_no_context_takeover',
    );
  });

  test('property: any answer either yields valid parameters or a WSX_ERR_HANDSHAKE, never another exception', () => {
    const paramName = fc.constantFrom(
      'server_no_context_takeover',
      'client_no_context_takeover',
      'server_max_window_bits',
      'client_max_window_bits',
      'constructor',
      'x',
    );
    const paramValue = fc.oneof(fc.constant(true), fc.string({ maxLength: 4 }), fc.integer({ min: 0, max: 20 }).map(String));
    const element = fc.record({
      name: fc.constantFrom('permessage-deflate', 'permessage-deflate', 'other'),
      params: fc.array(fc.tuple(paramName, paramValue), { maxLength: 5 }),
    });
    fc.assert(
      fc.property(fc.array(element, { maxLength: 3 }), (answer) => {
        try {
          const result = acceptServerResponse(answer, {});
          if (result !== null) {
            assert.ok(result.serverMaxWindowBits >= 8 && result.serverMaxWindowBits <= 15);
            assert.ok(result.clientMaxWindowBits >= 8 && result.clientMaxWindowBits <= 15);
          }
        } catch (error) {
          assert.ok(error instanceof WebSocketError && error.code === 'WSX_ERR_HANDSHAKE', String(error));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('negotiateServer (server role)', () => {
  test('no offer, or only other extensions: null', () => {
    assert.equal(negotiateServer([], {}), null);
    assert.equal(negotiateServer([{ name: 'x-webkit-deflate-frame', params: [] }], {}), null);
  });

  test("Chromium's offer with default options", () => {
    assert.deepEqual(negotiateServer([pmd(['client_max_window_bits', true])], {}), {
      params: DEFAULT_PARAMS,
      header: 'permessage-deflate',
    });
  });

  test('a bare offer', () => {
    assert.deepEqual(negotiateServer([pmd()], {}), { params: DEFAULT_PARAMS, header: 'permessage-deflate' });
  });

  test('other extensions are skipped, the permessage-deflate offer is still found', () => {
    assert.equal(negotiateServer([{ name: 'foo', params: [] }, pmd()], {}).header, 'permessage-deflate');
  });

  test('server_no_context_takeover: honoured, forced by true, declined by false', () => {
    const asked = [pmd(['server_no_context_takeover', true])];
    assert.deepEqual(negotiateServer(asked, {}), {
      params: { ...DEFAULT_PARAMS, serverNoContextTakeover: true },
      header: 'permessage-deflate; server_no_context_takeover',
    });
    assert.equal(negotiateServer([pmd()], { serverNoContextTakeover: true }).header, 'permessage-deflate; server_no_context_takeover');
    assert.equal(negotiateServer(asked, { serverNoContextTakeover: false }), null);
    // Declined offer, next one accepted.
    assert.equal(negotiateServer([...asked, pmd()], { serverNoContextTakeover: false }).header, 'permessage-deflate');
  });

  test('client_no_context_takeover: echoed when offered, sent when configured', () => {
    assert.deepEqual(negotiateServer([pmd(['client_no_context_takeover', true])], {}), {
      params: { ...DEFAULT_PARAMS, clientNoContextTakeover: true },
      header: 'permessage-deflate; client_no_context_takeover',
    });
    assert.equal(negotiateServer([pmd()], { clientNoContextTakeover: true }).header, 'permessage-deflate; client_no_context_takeover');
  });

  test('server_max_window_bits: echoed, lowered to our cap, announced from our cap, declined when false', () => {
    const asked = [pmd(['server_max_window_bits', '10'])];
    assert.deepEqual(negotiateServer(asked, {}), {
      params: { ...DEFAULT_PARAMS, serverMaxWindowBits: 10 },
      header: 'permessage-deflate; server_max_window_bits=10',
    });
    assert.equal(negotiateServer(asked, { serverMaxWindowBits: 12 }).params.serverMaxWindowBits, 10);
    assert.equal(negotiateServer(asked, { serverMaxWindowBits: 9 }).header, 'permessage-deflate; server_max_window_bits=9');
    assert.equal(negotiateServer(asked, { serverMaxWindowBits: true }).params.serverMaxWindowBits, 10);
    assert.equal(negotiateServer(asked, { serverMaxWindowBits: false }), null);
    assert.equal(negotiateServer([pmd()], { serverMaxWindowBits: 12 }).header, 'permessage-deflate; server_max_window_bits=12');
    // The 8-bit window is agreed; the codec then sends uncompressed.
    assert.equal(negotiateServer([pmd(['server_max_window_bits', '8'])], {}).params.serverMaxWindowBits, 8);
  });

  test('client_max_window_bits: requested by number, declined when not offered, echoed, or left out', () => {
    const noValue = [pmd(['client_max_window_bits', true])];
    const nine = [pmd(['client_max_window_bits', '9'])];
    assert.deepEqual(negotiateServer(noValue, { clientMaxWindowBits: 10 }), {
      params: { ...DEFAULT_PARAMS, clientMaxWindowBits: 10 },
      header: 'permessage-deflate; client_max_window_bits=10',
    });
    assert.equal(negotiateServer(nine, { clientMaxWindowBits: 10 }).header, 'permessage-deflate; client_max_window_bits=9');
    assert.equal(negotiateServer([pmd()], { clientMaxWindowBits: 10 }), null);
    assert.equal(negotiateServer(nine, {}).header, 'permessage-deflate; client_max_window_bits=9');
    // Not repeated, so we inflate with 15 bits: only the response binds both sides.
    assert.deepEqual(negotiateServer(nine, { clientMaxWindowBits: false }), {
      params: DEFAULT_PARAMS,
      header: 'permessage-deflate',
    });
    assert.equal(negotiateServer(noValue, { clientMaxWindowBits: false }).header, 'permessage-deflate');
  });

  test('every parameter at once, in a fixed order', () => {
    const offer = pmd(
      ['client_max_window_bits', true],
      ['server_max_window_bits', '11'],
      ['client_no_context_takeover', true],
      ['server_no_context_takeover', true],
    );
    assert.deepEqual(negotiateServer([offer], { clientMaxWindowBits: 12 }), {
      params: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 11, clientMaxWindowBits: 12 },
      header:
        'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=12',
    });
  });

  for (const name of ['server_max_window_bits', 'client_max_window_bits']) {
    test(`row 8: offers with invalid ${name} are declined, the next offer is used`, () => {
      for (const value of BAD_WINDOW_VALUES) {
        if (name === 'client_max_window_bits' && value === true) continue; // valid in an offer
        assert.equal(negotiateServer([pmd([name, value])], {}), null, `${name}=${String(value)}`);
        assert.equal(negotiateServer([pmd([name, value]), pmd()], {}).header, 'permessage-deflate');
      }
    });

    test(`row 8: duplicated ${name} is declined`, () => {
      assert.equal(negotiateServer([pmd([name, '10'], [name, '10'])], {}), null);
      assert.equal(negotiateServer([pmd([name, '10'], [name, '11'])], {}), null);
    });
  }

  test('unknown parameters and valued flags are declined, never thrown', () => {
    for (const name of ['foo', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      assert.equal(negotiateServer([pmd([name, true])], {}), null, name);
    }
    assert.equal(negotiateServer([pmd(['server_no_context_takeover', 'x'])], {}), null);
    assert.equal(negotiateServer([pmd(['client_no_context_takeover', true], ['client_no_context_takeover', true])], {}), null);
  });

  test('invalid application options throw (a programming error, not a peer one)', () => {
    assert.throws(() => negotiateServer([pmd()], { serverMaxWindowBits: 16 }), RangeError);
  });

  test('property: arbitrary offers never throw; an accepted offer has a valid response', () => {
    const paramName = fc.constantFrom(
      'server_no_context_takeover',
      'client_no_context_takeover',
      'server_max_window_bits',
      'client_max_window_bits',
      '__proto__',
    );
    const paramValue = fc.oneof(fc.constant(true), fc.string({ maxLength: 3 }), fc.integer({ min: 6, max: 17 }).map(String));
    const element = fc.record({
      name: fc.constantFrom('permessage-deflate', 'x'),
      params: fc.array(fc.tuple(paramName, paramValue), { maxLength: 5 }),
    });
    fc.assert(
      fc.property(fc.array(element, { maxLength: 4 }), serverOptionsArbitrary(), (offers, options) => {
        const result = negotiateServer(offers, options);
        if (result !== null) {
          assert.ok(result.header.startsWith('permessage-deflate'));
          assert.ok(result.params.serverMaxWindowBits >= 8 && result.params.serverMaxWindowBits <= 15);
          assert.ok(result.params.clientMaxWindowBits >= 8 && result.params.clientMaxWindowBits <= 15);
        }
      }),
      { numRuns: 500 },
    );
  });
});

function windowOption() {
  return fc.oneof(fc.constant(undefined), fc.boolean(), fc.integer({ min: 8, max: 15 }));
}

function flagOption() {
  return fc.constantFrom(undefined, true, false);
}

function serverOptionsArbitrary() {
  return fc.record({
    serverNoContextTakeover: flagOption(),
    clientNoContextTakeover: flagOption(),
    serverMaxWindowBits: windowOption(),
    clientMaxWindowBits: windowOption(),
  });
}

describe('both roles together', () => {
  test('property: what the server agrees to, the client accepts, and both sides agree on the parameters', () => {
    // Exact agreement whenever the client holds itself to nothing beyond the answer.
    for (const [client, server] of [
      [{}, {}],
      [{ serverNoContextTakeover: true, serverMaxWindowBits: 10 }, { clientMaxWindowBits: 9 }],
      [{ clientNoContextTakeover: true, clientMaxWindowBits: 12 }, { serverMaxWindowBits: 11 }],
    ]) {
      const agreed = negotiateServer(parseOwnHeader(buildClientOffer(client)), server);
      assert.deepEqual(acceptServerResponse(parseOwnHeader(agreed.header), client), agreed.params);
    }
    fc.assert(
      fc.property(
        fc.array(serverOptionsArbitrary(), { minLength: 1, maxLength: 3 }),
        serverOptionsArbitrary(),
        (clientOptions, serverOptions) => {
          const offer = buildClientOffer(clientOptions);
          const agreed = negotiateServer(parseOwnHeader(offer), serverOptions);
          if (agreed === null) return;
          const answer = parseOwnHeader(agreed.header);
          let clientView;
          try {
            clientView = acceptServerResponse(answer, clientOptions);
          } catch (error) {
            // ws semantics: clientNoContextTakeover false refuses a server that asks for it.
            assert.equal(error.code, 'WSX_ERR_HANDSHAKE');
            assert.ok(agreed.params.clientNoContextTakeover, error.message);
            assert.ok(clientOptions.some((o) => o.clientNoContextTakeover === false), error.message);
            return;
          }
          // The client may hold itself to limits it offered that the server did not
          // repeat (or, with several offers, to an earlier offer that also fits the
          // answer): it can only be stricter on itself than the server assumes.
          assert.equal(clientView.serverNoContextTakeover, agreed.params.serverNoContextTakeover);
          assert.equal(clientView.serverMaxWindowBits, agreed.params.serverMaxWindowBits);
          assert.ok(clientView.clientMaxWindowBits <= agreed.params.clientMaxWindowBits);
          assert.ok(clientView.clientNoContextTakeover || !agreed.params.clientNoContextTakeover);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

// The pure wiring between the handshakes and the codec: what each handshake
// hands on (header, parameters, codec settings) and how the codec is built
// from it. The same paths run over real sockets in
// tests/integration/permessage-deflate.test.js.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMessageCodec } from '../../dist/extensions/codec-factory.js';
import { deflateCodecSettings } from '../../dist/extensions/deflate-codec-settings.js';
import { PerMessageDeflate } from '../../dist/extensions/permessage-deflate.js';
import { sharedZlibLimiter } from '../../dist/extensions/zlib-limiter.js';
import { checkServerDeflateOption, negotiateServerExtensions } from '../../dist/server/extension-negotiation.js';
import { acceptServerExtensions, offerClientExtensions } from '../../dist/client/client-extensions.js';
import { parseExtensions } from '../../dist/protocol/header-tokens.js';

const PARAMS = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

function attachOptions(overrides = {}) {
  return {
    role: 'server',
    protocol: '',
    extensions: 'permessage-deflate',
    perMessageDeflate: PARAMS,
    maxPayload: 1000,
    skipUTF8Validation: false,
    autoPong: true,
    allowSynchronousEvents: true,
    ...overrides,
  };
}

describe('createMessageCodec', () => {
  test('null when permessage-deflate was not negotiated', () => {
    assert.equal(createMessageCodec(attachOptions({ perMessageDeflate: null, extensions: '' })), null);
  });

  test('without settings: ws defaults (threshold 1024), the role and maxPayload of the connection', async () => {
    const codec = createMessageCodec(attachOptions({ role: 'client', maxPayload: 10 }));
    assert.ok(codec instanceof PerMessageDeflate);
    assert.equal(codec.threshold, 1024);
    assert.equal(codec.role, 'client');
    assert.equal(codec.canCompress, true);
    // maxPayload reached the inflater: 11 bytes inflated fail with 1009.
    const bytes = await new Promise((resolve, reject) => {
      const peer = new PerMessageDeflate(PARAMS, 'server', { threshold: 0, maxPayload: 0 });
      peer.compress(Buffer.from('x'.repeat(11)), true, (error, out) => {
        peer.close();
        if (error) reject(error);
        else resolve(out);
      });
    });
    const error = await new Promise((resolve) => codec.decompress(bytes, true, (e) => resolve(e)));
    assert.equal(error?.closeCode, 1009);
    codec.close();
  });

  test('the settings reach the codec: threshold, zlib tuning, concurrency', () => {
    const codec = createMessageCodec(
      attachOptions({
        deflateOptions: { threshold: 7, concurrencyLimit: 3, zlibDeflateOptions: { windowBits: 10, memLevel: 2 } },
      }),
    );
    assert.equal(codec.threshold, 7);
    assert.equal(codec.deflateWindowBits, 10);
    codec.close();
    assert.equal(sharedZlibLimiter(3).concurrency, 3);
  });

  test('an 8-bit window for our side: the codec cannot compress (messages go uncompressed)', () => {
    const codec = createMessageCodec(attachOptions({ perMessageDeflate: { ...PARAMS, serverMaxWindowBits: 8 } }));
    assert.equal(codec.canCompress, false);
    assert.equal(codec.inflateWindowBits, 15);
    codec.close();
  });
});

describe('deflateCodecSettings', () => {
  test('defaults and pass-through', () => {
    assert.deepEqual(deflateCodecSettings({}), { threshold: 1024, concurrencyLimit: 10 });
    const tuning = { level: 1 };
    assert.deepEqual(deflateCodecSettings({ threshold: 0, concurrencyLimit: 2, zlibDeflateOptions: tuning, zlibInflateOptions: { chunkSize: 1024 } }), {
      threshold: 0,
      concurrencyLimit: 2,
      zlibDeflateOptions: tuning,
      zlibInflateOptions: { chunkSize: 1024 },
    });
  });
});

describe('negotiateServerExtensions', () => {
  test('disabled (false) or no offer: nothing', () => {
    assert.deepEqual(negotiateServerExtensions(parseExtensions('permessage-deflate'), false), { header: '', perMessageDeflate: null });
    assert.deepEqual(negotiateServerExtensions([], {}), { header: '', perMessageDeflate: null });
  });

  test('an accepted offer carries the header, the parameters and the codec settings', () => {
    const agreed = negotiateServerExtensions(parseExtensions('permessage-deflate; client_max_window_bits=10'), { threshold: 5 });
    assert.equal(agreed.header, 'permessage-deflate; client_max_window_bits=10');
    assert.deepEqual(agreed.perMessageDeflate, { ...PARAMS, clientMaxWindowBits: 10 });
    assert.deepEqual(agreed.deflateOptions, { threshold: 5, concurrencyLimit: 10 });
  });

  test('invalid offers are declined, never thrown (decline-never-400)', () => {
    for (const offer of ['permessage-deflate; server_max_window_bits=16', 'permessage-deflate; foo', 'permessage-deflate; constructor', 'x-foo']) {
      assert.deepEqual(negotiateServerExtensions(parseExtensions(offer), {}), { header: '', perMessageDeflate: null }, offer);
    }
  });

  test('checkServerDeflateOption throws for invalid options only', () => {
    checkServerDeflateOption(undefined);
    checkServerDeflateOption(true);
    checkServerDeflateOption({ serverMaxWindowBits: 9 });
    assert.throws(() => checkServerDeflateOption({ clientMaxWindowBits: 16 }), RangeError);
    assert.throws(() => checkServerDeflateOption({ serverNoContextTakeover: 1 }), TypeError);
  });
});

describe('client offer and answer', () => {
  test('the offer for true, false, an object and an array', () => {
    assert.deepEqual(offerClientExtensions(false, 0).header, undefined);
    assert.equal(offerClientExtensions(true, 0).header, 'permessage-deflate; client_max_window_bits');
    assert.equal(
      offerClientExtensions({ serverNoContextTakeover: true, clientMaxWindowBits: 9 }, 0).header,
      'permessage-deflate; server_no_context_takeover; client_max_window_bits=9',
    );
    assert.equal(
      offerClientExtensions([{ serverMaxWindowBits: 10 }, { clientMaxWindowBits: false }], 0).header,
      'permessage-deflate; server_max_window_bits=10; client_max_window_bits, permessage-deflate',
    );
    assert.deepEqual([...offerClientExtensions(true, 0).names], ['permessage-deflate']);
  });

  test('zlib options are picked field by field: flush, finishFlush and dictionaries never reach zlib', () => {
    const offer = offerClientExtensions(
      { zlibDeflateOptions: { level: 3, flush: 2, finishFlush: 2, dictionary: Buffer.from('x') }, zlibInflateOptions: { chunkSize: 2048, windowBits: 9 } },
      0,
    );
    assert.deepEqual(offer.deflateOffers[0].zlibDeflateOptions, { level: 3 });
    assert.deepEqual(offer.deflateOffers[0].zlibInflateOptions, { chunkSize: 2048 });
  });

  test('invalid options throw', () => {
    assert.throws(() => offerClientExtensions({ serverMaxWindowBits: 7 }, 0), RangeError);
    assert.throws(() => offerClientExtensions(null, 0), TypeError);
  });

  test('an accepted answer gives the header, the parameters and the settings of the first offer', () => {
    const offer = offerClientExtensions([{ threshold: 3 }, { threshold: 4 }], 0);
    const header = 'permessage-deflate; server_no_context_takeover';
    const accepted = acceptServerExtensions(offer, parseExtensions(header), header);
    assert.equal(accepted.extensions, header);
    assert.deepEqual(accepted.perMessageDeflate, { ...PARAMS, serverNoContextTakeover: true });
    assert.deepEqual(accepted.deflateOptions, { threshold: 3, concurrencyLimit: 10 });
  });

  test('no answer: no extension', () => {
    assert.deepEqual(acceptServerExtensions(offerClientExtensions(true, 0), [], undefined), { extensions: '', perMessageDeflate: null });
  });

  test('an invalid answer fails the handshake with WSX_ERR_HANDSHAKE and 1006', () => {
    for (const header of ['permessage-deflate; server_max_window_bits=16', 'permessage-deflate; client_max_window_bits', 'x-foo']) {
      assert.throws(
        () => acceptServerExtensions(offerClientExtensions(true, 0), parseExtensions(header), header),
        (error) => error.code === 'WSX_ERR_HANDSHAKE' && error.closeCode === 1006,
        header,
      );
    }
  });
});

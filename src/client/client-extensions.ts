import { deflateCodecSettings } from '../extensions/deflate-codec-settings.js';
import { CloseCode } from '../protocol/close-codes.js';
import { WebSocketError } from '../protocol/errors.js';
import type { ExtensionOffer } from '../protocol/extension-offer.js';
import {
  acceptServerResponse,
  buildClientOffer,
  PERMESSAGE_DEFLATE,
  type DeflateTuning,
  type InflateTuning,
  type PerMessageDeflateOptions,
} from '../protocol/permessage-deflate-negotiation.js';
import type { DeflateCodecSettings, NegotiatedDeflate } from '../transport/attach-options.js';
import type { ClientDeflateOptions } from './client-options.js';

/** What the client offers in `Sec-WebSocket-Extensions` on one handshake request. */
export interface ClientExtensionOffer {
  /** The header value, or undefined to send no header. */
  readonly header: string | undefined;
  /** Extension names in the offer: the server may accept only these. */
  readonly names: ReadonlySet<string>;
  /** The permessage-deflate offers, in order of preference (empty when none). */
  readonly deflateOffers: readonly PerMessageDeflateOptions[];
}

/** What the connection runs with once the server's answer is accepted. */
export interface AcceptedExtensions {
  /** The `Sec-WebSocket-Extensions` value in force, '' when none. */
  extensions: string;
  perMessageDeflate: NegotiatedDeflate | null;
  /** The codec settings; set whenever `perMessageDeflate` is. */
  deflateOptions?: DeflateCodecSettings;
}

const NO_OFFER: ClientExtensionOffer = { header: undefined, names: new Set<string>(), deflateOffers: [] };
const DEFLATE_NAMES: ReadonlySet<string> = new Set([PERMESSAGE_DEFLATE]);

/**
 * The zlib options wsx uses, picked one by one: a caller's `ZlibOptions`
 * may carry `flush`, `finishFlush` or a dictionary, which would break the
 * RFC 7692 framing, so they are never passed on.
 */
function deflateTuning(options: ClientDeflateOptions['zlibDeflateOptions']): DeflateTuning | undefined {
  if (options === undefined || options === null) return undefined;
  const tuning: DeflateTuning = {};
  if (options.level !== undefined) tuning.level = options.level;
  if (options.memLevel !== undefined) tuning.memLevel = options.memLevel;
  if (options.strategy !== undefined) tuning.strategy = options.strategy;
  if (options.chunkSize !== undefined) tuning.chunkSize = options.chunkSize;
  if (options.windowBits !== undefined) tuning.windowBits = options.windowBits;
  return tuning;
}

function inflateTuning(options: ClientDeflateOptions['zlibInflateOptions']): InflateTuning | undefined {
  if (options === undefined || options === null) return undefined;
  const tuning: InflateTuning = {};
  if (options.chunkSize !== undefined) tuning.chunkSize = options.chunkSize;
  return tuning;
}

function asNegotiationOptions(options: ClientDeflateOptions): PerMessageDeflateOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('perMessageDeflate must be a boolean or an object');
  }
  const result: PerMessageDeflateOptions = {};
  if (options.serverNoContextTakeover !== undefined) result.serverNoContextTakeover = options.serverNoContextTakeover;
  if (options.clientNoContextTakeover !== undefined) result.clientNoContextTakeover = options.clientNoContextTakeover;
  if (options.serverMaxWindowBits !== undefined) result.serverMaxWindowBits = options.serverMaxWindowBits;
  if (options.clientMaxWindowBits !== undefined) result.clientMaxWindowBits = options.clientMaxWindowBits;
  if (options.threshold !== undefined) result.threshold = options.threshold;
  if (options.concurrencyLimit !== undefined) result.concurrencyLimit = options.concurrencyLimit;
  const deflate = deflateTuning(options.zlibDeflateOptions);
  if (deflate !== undefined) result.zlibDeflateOptions = deflate;
  const inflate = inflateTuning(options.zlibInflateOptions);
  if (inflate !== undefined) result.zlibInflateOptions = inflate;
  return result;
}

/**
 * The one place where the client's extension offer is built, from the
 * `perMessageDeflate` option: `true` (ws's client default) offers
 * `permessage-deflate; client_max_window_bits`, `false` offers nothing, an
 * object offers its parameters, and an array of objects makes several
 * offers in order of preference (the codec settings then come from the
 * first). Invalid options throw TypeError/RangeError, which the WebSocket
 * constructor passes on.
 */
export function offerClientExtensions(
  perMessageDeflate: boolean | ClientDeflateOptions | readonly ClientDeflateOptions[],
  _maxPayload: number,
): ClientExtensionOffer {
  if (perMessageDeflate === false) return NO_OFFER;
  let offers: PerMessageDeflateOptions[];
  if (perMessageDeflate === true) offers = [{}];
  else if (Array.isArray(perMessageDeflate)) offers = (perMessageDeflate as readonly ClientDeflateOptions[]).map(asNegotiationOptions);
  else offers = [asNegotiationOptions(perMessageDeflate as ClientDeflateOptions)];
  return { header: buildClientOffer(offers), names: DEFLATE_NAMES, deflateOffers: offers };
}

/**
 * The one place where the server's extension response is accepted against
 * the offer. `response` has already been parsed and checked to name only
 * offered extensions, each at most once (see handshake-response.ts); the
 * parameters are judged here: an unknown or duplicated parameter, a value
 * out of range, `client_max_window_bits` when it was not offered, or an
 * answer matching none of our offers fails the handshake.
 */
export function acceptServerExtensions(
  offer: ClientExtensionOffer,
  response: readonly ExtensionOffer[],
  headerValue: string | undefined,
): AcceptedExtensions {
  for (const extension of response) {
    if (!offer.names.has(extension.name)) {
      throw new WebSocketError(
        'WSX_ERR_HANDSHAKE',
        'Server indicated an extension that was not requested',
        CloseCode.ABNORMAL_CLOSURE,
      );
    }
  }
  if (offer.deflateOffers.length === 0 || response.length === 0) return { extensions: '', perMessageDeflate: null };
  let agreed: NegotiatedDeflate | null;
  try {
    agreed = acceptServerResponse(response, offer.deflateOffers);
  } catch (error) {
    // The connection never opened: report it like every other handshake failure (1006).
    const message = error instanceof Error ? error.message : String(error);
    throw new WebSocketError('WSX_ERR_HANDSHAKE', message, CloseCode.ABNORMAL_CLOSURE);
  }
  if (agreed === null) return { extensions: '', perMessageDeflate: null };
  return {
    extensions: (headerValue ?? '').trim(),
    perMessageDeflate: agreed,
    deflateOptions: deflateCodecSettings(offer.deflateOffers[0]!),
  };
}

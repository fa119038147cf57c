import { deflateCodecSettings } from '../extensions/deflate-codec-settings.js';
import type { ExtensionOffer } from '../protocol/extension-offer.js';
import {
  negotiateServer,
  validatePerMessageDeflateOptions,
  type PerMessageDeflateOptions,
} from '../protocol/permessage-deflate-negotiation.js';
import type { DeflateCodecSettings, NegotiatedDeflate } from '../transport/attach-options.js';

/** What the server agreed to: the response header value and the deflate parameters. */
export interface ServerExtensionAgreement {
  /** The `Sec-WebSocket-Extensions` response value, '' for none. */
  header: string;
  perMessageDeflate: NegotiatedDeflate | null;
  /** How the codec runs (threshold, zlib tuning, concurrency); set with `perMessageDeflate`. */
  deflateOptions?: DeflateCodecSettings;
}

const NO_EXTENSIONS: ServerExtensionAgreement = { header: '', perMessageDeflate: null };

/**
 * THE server's extension negotiation point: given the client's offers (in
 * order) and the server's `perMessageDeflate` option (`false` when
 * disabled, as ws's server default; `{}` for `true`), decide what the 101
 * response announces.
 *
 * The policy is decline, never 400: an offer we cannot or will not accept
 * (unknown extension, unknown or duplicated parameter, a value out of range,
 * parameters our options rule out) is simply not in the answer, and the
 * connection runs uncompressed. RFC 7692 section 5 asks a server to decline
 * an invalid offer, and extensions are optional: a client with an odd
 * header is better served uncompressed than refused.
 *
 * Throws only for invalid server options (TypeError/RangeError), never
 * because of what a client sent.
 */
export function negotiateServerExtensions(
  offers: readonly ExtensionOffer[],
  perMessageDeflate: false | PerMessageDeflateOptions,
): ServerExtensionAgreement {
  if (perMessageDeflate === false || offers.length === 0) return NO_EXTENSIONS;
  const agreed = negotiateServer(offers, perMessageDeflate);
  if (agreed === null) return NO_EXTENSIONS;
  return {
    header: agreed.header,
    perMessageDeflate: agreed.params,
    deflateOptions: deflateCodecSettings(perMessageDeflate),
  };
}

/**
 * Checks the server's `perMessageDeflate` option once, when the server is
 * created, so that a misconfiguration throws there (TypeError/RangeError)
 * rather than on every handshake.
 */
export function checkServerDeflateOption(option: boolean | PerMessageDeflateOptions | undefined): void {
  if (option === undefined || typeof option === 'boolean') return;
  validatePerMessageDeflateOptions(option);
}

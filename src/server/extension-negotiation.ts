import type { ExtensionOffer } from '../protocol/extension-offer.js';
import type { PerMessageDeflateOptions } from '../protocol/permessage-deflate-negotiation.js';
import type { NegotiatedDeflate } from '../transport/attach-options.js';

/** What the server agreed to: the response header value and the deflate parameters. */
export interface ServerExtensionAgreement {
  /** The `Sec-WebSocket-Extensions` response value, '' for none. */
  header: string;
  perMessageDeflate: NegotiatedDeflate | null;
}

const NO_EXTENSIONS: ServerExtensionAgreement = { header: '', perMessageDeflate: null };

/**
 * THE server's extension negotiation point: given the client's offers (in
 * order) and the server's `perMessageDeflate` option (`false` when
 * disabled), decide what the 101 response announces.
 *
 * For now every offer is declined, which RFC 6455 section 9.1 allows: the
 * server answers without the header and the connection runs uncompressed.
 * Wiring permessage-deflate in means calling `negotiateServer` from
 * protocol/permessage-deflate-negotiation.ts here. Throwing a
 * `WebSocketError` refuses the handshake with 400.
 */
export function negotiateServerExtensions(
  offers: readonly ExtensionOffer[],
  perMessageDeflate: false | PerMessageDeflateOptions,
): ServerExtensionAgreement {
  void offers;
  void perMessageDeflate;
  return NO_EXTENSIONS;
}

import { CloseCode } from '../protocol/close-codes.js';
import { WebSocketError } from '../protocol/errors.js';
import type { ExtensionOffer } from '../protocol/extension-offer.js';
import type { NegotiatedDeflate } from '../transport/attach-options.js';
import type { ClientDeflateOptions } from './client-options.js';

/** What the client offers in `Sec-WebSocket-Extensions` on one handshake request. */
export interface ClientExtensionOffer {
  /** The header value, or undefined to send no header. */
  readonly header: string | undefined;
  /** Extension names in the offer: the server may accept only these. */
  readonly names: ReadonlySet<string>;
}

/** What the connection runs with once the server's answer is accepted. */
export interface AcceptedExtensions {
  /** The `Sec-WebSocket-Extensions` value in force, '' when none. */
  extensions: string;
  perMessageDeflate: NegotiatedDeflate | null;
}

/**
 * The one place where the client's extension offer is built.
 * permessage-deflate is not wired yet: nothing is offered, whatever the
 * option says, so any extension in the response fails the handshake.
 */
export function offerClientExtensions(
  _perMessageDeflate: boolean | ClientDeflateOptions,
  _maxPayload: number,
): ClientExtensionOffer {
  return { header: undefined, names: new Set<string>() };
}

/**
 * The one place where the server's extension response is accepted against
 * the offer. `response` has already been parsed and checked to name only
 * offered extensions, each at most once (see handshake-response.ts); the
 * parameters are judged here.
 */
export function acceptServerExtensions(
  offer: ClientExtensionOffer,
  response: readonly ExtensionOffer[],
  _headerValue: string | undefined,
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
  return { extensions: '', perMessageDeflate: null };
}

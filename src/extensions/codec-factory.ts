import {
  DEFAULT_DEFLATE_THRESHOLD,
  DEFAULT_ZLIB_CONCURRENCY,
} from '../protocol/permessage-deflate-negotiation.js';
import type { AttachOptions } from '../transport/attach-options.js';
import type { MessageCodec } from '../transport/message-codec.js';
import { PerMessageDeflate, type PerMessageDeflateCodecOptions } from './permessage-deflate.js';

/**
 * Builds the permessage-deflate codec for a connection whose handshake
 * negotiated it (null when it did not): the negotiated parameters, this
 * side's role, its `maxPayload` (enforced on the inflated size) and the
 * codec settings of the `perMessageDeflate` option.
 */
export function createMessageCodec(options: AttachOptions): MessageCodec | null {
  const params = options.perMessageDeflate;
  if (params === null) return null;
  const settings = options.deflateOptions;
  const codecOptions: PerMessageDeflateCodecOptions = {
    threshold: settings?.threshold ?? DEFAULT_DEFLATE_THRESHOLD,
    maxPayload: options.maxPayload,
    concurrencyLimit: settings?.concurrencyLimit ?? DEFAULT_ZLIB_CONCURRENCY,
  };
  if (settings?.zlibDeflateOptions !== undefined) codecOptions.zlibDeflateOptions = settings.zlibDeflateOptions;
  if (settings?.zlibInflateOptions !== undefined) codecOptions.zlibInflateOptions = settings.zlibInflateOptions;
  return new PerMessageDeflate(params, options.role, codecOptions);
}

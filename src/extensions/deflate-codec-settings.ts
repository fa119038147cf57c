import {
  DEFAULT_DEFLATE_THRESHOLD,
  DEFAULT_ZLIB_CONCURRENCY,
  type PerMessageDeflateOptions,
} from '../protocol/permessage-deflate-negotiation.js';
import type { DeflateCodecSettings } from '../transport/attach-options.js';

/**
 * The codec half of a `perMessageDeflate` option (threshold, zlib tuning,
 * concurrency), with ws's defaults filled in. Both handshakes hand the
 * result to the connection beside the negotiated parameters.
 */
export function deflateCodecSettings(options: PerMessageDeflateOptions): DeflateCodecSettings {
  const settings: DeflateCodecSettings = {
    threshold: options.threshold ?? DEFAULT_DEFLATE_THRESHOLD,
    concurrencyLimit: options.concurrencyLimit ?? DEFAULT_ZLIB_CONCURRENCY,
  };
  if (options.zlibDeflateOptions !== undefined) settings.zlibDeflateOptions = options.zlibDeflateOptions;
  if (options.zlibInflateOptions !== undefined) settings.zlibInflateOptions = options.zlibInflateOptions;
  return settings;
}

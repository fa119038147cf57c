import type { AttachOptions } from '../transport/attach-options.js';
import type { MessageCodec } from '../transport/message-codec.js';

/**
 * Builds the permessage-deflate codec for a connection whose handshake
 * negotiated it (null when it did not).
 */
export function createMessageCodec(options: AttachOptions): MessageCodec | null {
  if (options.perMessageDeflate === null) return null;
  throw new Error('permessage-deflate is negotiated but not wired yet');
}

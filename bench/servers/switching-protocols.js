// The 101 answer for the hand-written servers (raw net and the http.Server floor), built
// without wsx so that those rows measure Node alone.

import { createHash } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The whole `101 Switching Protocols` response for a `Sec-WebSocket-Key`. */
export function switchingProtocols(key) {
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

// Every category of the suite, in report order. A case runs in both roles
// unless it lists `roles`.

import framing from './framing.js';
import pingPong from './ping-pong.js';
import reservedBits from './reserved-bits.js';
import opcodes from './opcodes.js';
import fragmentation from './fragmentation.js';
import utf8 from './utf8.js';
import close from './close.js';
import limits from './limits.js';
import masking from './masking.js';
import handshake from './handshake.js';
import permessageDeflate from './permessage-deflate.js';

export const categories = [framing, pingPong, reservedBits, opcodes, fragmentation, utf8, close, limits, masking, handshake, permessageDeflate];

/** All cases with their category filled in. */
export function allCases() {
  return categories.flatMap((cat) => cat.cases.map((c) => ({ ...c, category: cat.category, roles: c.roles ?? ['server', 'client'] })));
}

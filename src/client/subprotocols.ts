import { isToken } from '../protocol/header-tokens.js';

/**
 * The subprotocols argument of the WebSocket constructor as a list, checked:
 * a name that is not an RFC 7230 token (RFC 6455 section 4.1), or the same
 * name twice, throws `SyntaxError` (as the WHATWG constructor does).
 */
export function normalizeSubprotocols(protocols: string | readonly string[] | undefined): string[] {
  if (protocols === undefined) return [];
  // Anything but an array counts as one name (then fails unless a string).
  const list: readonly unknown[] = Array.isArray(protocols) ? protocols : [protocols];
  const seen = new Set<string>();
  for (const protocol of list) {
    if (typeof protocol !== 'string' || !isToken(protocol) || seen.has(protocol)) {
      throw new SyntaxError('An invalid or duplicated subprotocol was specified');
    }
    seen.add(protocol);
  }
  return [...seen];
}

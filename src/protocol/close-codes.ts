/**
 * The WebSocket close code registry (RFC 6455 section 7.4 and the IANA
 * "WebSocket Close Code Number Registry"), named so that no code in wsx has
 * to use a bare number.
 */
export const CloseCode = {
  NORMAL_CLOSURE: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  /** Reserved; never sent or accepted on the wire. */
  RESERVED: 1004,
  /** No status code was present. Only reported locally, never sent. */
  NO_STATUS_RECEIVED: 1005,
  /** The connection dropped without a close frame. Only reported locally. */
  ABNORMAL_CLOSURE: 1006,
  INVALID_FRAME_PAYLOAD_DATA: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  BAD_GATEWAY: 1014,
  /** The TLS handshake failed. Only reported locally, never sent. */
  TLS_HANDSHAKE: 1015,
} as const;

export type CloseCodeName = keyof typeof CloseCode;

const namesByCode = new Map<number, CloseCodeName>(
  (Object.keys(CloseCode) as CloseCodeName[]).map((name) => [CloseCode[name], name]),
);

/**
 * The registry name of a code, or the range it falls into:
 * 3000-3999 are registered by libraries and frameworks, 4000-4999 are private.
 */
export function closeCodeName(code: number): string {
  const name = namesByCode.get(code);
  if (name !== undefined) return name;
  if (code >= 3000 && code <= 3999) return 'REGISTERED';
  if (code >= 4000 && code <= 4999) return 'PRIVATE_USE';
  return 'INVALID';
}

/**
 * Whether a code may appear in a close frame on the wire (RFC 6455 7.4.1/7.4.2):
 * 1000-1003, 1007-1014 and 3000-4999. 1004, 1005, 1006 and 1015 are reserved
 * or local-only; everything below 1000 and from 5000 on is invalid; 1016-2999
 * is reserved for future RFCs and not yet defined.
 */
export function isValidWireCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

/**
 * Whether an application may pass a code to `close()`. Like `ws`, wsx lets a
 * Node application send any valid wire code (servers legitimately send 1001,
 * 1011, 1012 …); the WHATWG surface is stricter, see `isWhatwgCloseCode`.
 */
export const isValidApplicationCloseCode = isValidWireCloseCode;

/** The WHATWG `WebSocket.close()` rule: 1000 or 3000-4999. */
export function isWhatwgCloseCode(code: number): boolean {
  return code === 1000 || (code >= 3000 && code <= 4999);
}

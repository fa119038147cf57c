import { CloseCode } from './close-codes.js';

/** Stable error codes that applications can switch on. */
export type WebSocketErrorCode =
  | 'WSX_ERR_INVALID_OPCODE'
  | 'WSX_ERR_UNEXPECTED_RSV'
  | 'WSX_ERR_EXPECTED_MASK'
  | 'WSX_ERR_UNEXPECTED_MASK'
  | 'WSX_ERR_CONTROL_FRAME_TOO_LONG'
  | 'WSX_ERR_FRAGMENTED_CONTROL_FRAME'
  | 'WSX_ERR_UNEXPECTED_CONTINUATION'
  | 'WSX_ERR_EXPECTED_CONTINUATION'
  | 'WSX_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH'
  | 'WSX_ERR_MESSAGE_TOO_BIG'
  | 'WSX_ERR_TOO_MANY_FRAGMENTS'
  | 'WSX_ERR_INVALID_UTF8'
  | 'WSX_ERR_INVALID_CLOSE_PAYLOAD'
  | 'WSX_ERR_INVALID_CLOSE_CODE'
  | 'WSX_ERR_INVALID_COMPRESSED_DATA'
  | 'WSX_ERR_HANDSHAKE'
  | 'WSX_ERR_HANDSHAKE_TIMEOUT'
  | 'WSX_ERR_INVALID_URL'
  | 'WSX_ERR_NOT_OPEN'
  | 'WSX_ERR_HEARTBEAT_TIMEOUT'
  | 'WSX_ERR_BUFFER_OVERFLOW'
  | 'WSX_ERR_RATE_LIMIT';

/**
 * Every error wsx raises about a connection: `code` is stable for programs,
 * `closeCode` is the close code the connection was (or will be) failed with.
 */
export class WebSocketError extends Error {
  readonly code: WebSocketErrorCode;
  readonly closeCode: number;

  constructor(code: WebSocketErrorCode, message: string, closeCode: number = CloseCode.PROTOCOL_ERROR) {
    super(message);
    this.name = 'WebSocketError';
    this.code = code;
    this.closeCode = closeCode;
  }
}

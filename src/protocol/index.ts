/**
 * `wsx/protocol`: the sans-I/O core on its own, for embedding WebSockets in
 * another transport or testing byte by byte. No sockets, timers or streams.
 */
export { Connection, ReadyState, DEFAULT_CONNECTION_OPTIONS } from './connection.js';
export type { ConnectionHandler, ConnectionOptions, ReadyStateValue } from './connection.js';
export { FrameParser, type FrameSink } from './frame-parser.js';
export { encodeFrame, frameHeaderLength, writeFrameHeader, NO_MASK } from './frame-encoder.js';
export { maskInto, unmaskInPlace } from './mask.js';
export { randomMaskKey, type MaskKeyGenerator } from './mask-key.js';
export { Opcode, isControlOpcode, isKnownOpcode } from './opcode.js';
export { Utf8Validator, isValidUtf8 } from './utf8-validator.js';
export { CloseCode, closeCodeName, isValidWireCloseCode, isWhatwgCloseCode } from './close-codes.js';
export { WebSocketError, type WebSocketErrorCode } from './errors.js';
export { WEBSOCKET_GUID, computeAcceptKey, generateClientKey, isValidClientKey } from './handshake.js';
export { parseTokenList, headerHasToken, parseSubprotocols, parseExtensions, formatExtensions } from './header-tokens.js';
export type { ExtensionOffer } from './extension-offer.js';

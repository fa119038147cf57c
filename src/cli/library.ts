/**
 * The CLI's one door into the library: it uses the public API only, as any
 * application would (DESIGN.md: cli/ sits on top of api/).
 */
export { WebSocket, WebSocketServer, CloseCode, closeCodeName, UnexpectedResponseError, WebSocketError } from '../index.js';
export type { ClientOptions, VerifyClient } from '../index.js';

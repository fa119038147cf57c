/**
 * wsx — a complete, strict and fast WebSocket implementation for Node.js.
 * The exports mirror ws v8, so `import { WebSocket, WebSocketServer } from 'wsx'`
 * replaces `from 'ws'`.
 */
import { WebSocket } from './api/websocket.js';

export { WebSocket };
export default WebSocket;
export type { BinaryType, SendOptions, ServerSideOptions, ClientOptions } from './api/websocket.js';
export { CloseEvent, ErrorEvent, MessageEvent, OpenEvent } from './api/events.js';
export { CloseCode, closeCodeName, isValidWireCloseCode } from './protocol/close-codes.js';
export { WebSocketError, type WebSocketErrorCode } from './protocol/errors.js';
export { createWebSocketStream } from './api/create-websocket-stream.js';
export { WebSocketStream, type WebSocketStreamOptions, type WebSocketOpenInfo, type WebSocketCloseInfo } from './api/websocket-stream.js';

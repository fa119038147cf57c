/**
 * wsx — a complete, strict and fast WebSocket implementation for Node.js.
 * The exports mirror ws v8, so `import { WebSocket, WebSocketServer } from 'wsx'`
 * replaces `from 'ws'` (the default export carries `Server`, `WebSocketServer`
 * and `createWebSocketStream` too, as ws's does).
 */
import { WebSocket } from './api/websocket.js';
import { WebSocketServer } from './api/websocket-server.js';
import { createWebSocketStream } from './api/create-websocket-stream.js';

export { WebSocket, WebSocketServer, createWebSocketStream };
export type {
  BinaryType,
  SendOptions,
  ServerSideOptions,
  ClientOptions,
  ConnectionLimitsOptions,
  BufferOverflowPolicy,
} from './api/websocket.js';
export {
  HandshakeRejectedError,
  DEFAULT_MAX_PAYLOAD,
  type ServerOptions,
  type VerifyClient,
  type VerifyClientInfo,
  type VerifyClientCallbackSync,
  type VerifyClientCallbackAsync,
  type AllowedOrigins,
  type WebSocketServerEvents,
} from './api/websocket-server.js';
export { WebSocketStream, type WebSocketStreamOptions, type WebSocketOpenInfo, type WebSocketCloseInfo } from './api/websocket-stream.js';
export type { IteratedMessage } from './api/message-iterator.js';
export type { PublishOptions } from './server/pubsub.js';
export { CloseEvent, ErrorEvent, MessageEvent, OpenEvent } from './api/events.js';
export { CloseCode, closeCodeName, isValidWireCloseCode } from './protocol/close-codes.js';
export { WebSocketError, type WebSocketErrorCode } from './protocol/errors.js';
export { UnexpectedResponseError } from './client/http2-connect-response.js';
export { HeartbeatScheduler, type HeartbeatOptions } from './transport/heartbeat-scheduler.js';

type WsCompatibleDefault = typeof WebSocket & {
  Server: typeof WebSocketServer;
  WebSocket: typeof WebSocket;
  WebSocketServer: typeof WebSocketServer;
  createWebSocketStream: typeof createWebSocketStream;
};
const compat = WebSocket as WsCompatibleDefault;
compat.Server = WebSocketServer;
compat.WebSocket = WebSocket;
compat.WebSocketServer = WebSocketServer;
compat.createWebSocketStream = createWebSocketStream;
export default compat;

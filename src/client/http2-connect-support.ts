import type { ClientHttp2Session, Settings } from 'node:http2';
import { CloseCode } from '../protocol/close-codes.js';
import { WebSocketError } from '../protocol/errors.js';

export type ConnectSupportCallback = (error: Error | null, supported: boolean) => void;

function sessionGone(): WebSocketError {
  return new WebSocketError('WSX_ERR_HANDSHAKE', 'The HTTP/2 session closed before its SETTINGS arrived', CloseCode.ABNORMAL_CLOSURE);
}

/**
 * Finds out whether the server on `session` accepts extended CONNECT
 * (SETTINGS_ENABLE_CONNECT_PROTOCOL, RFC 8441 section 3), waiting for its
 * SETTINGS when they have not arrived yet. A session may have received them
 * long ago, which no event tells: a PING answers that, since the server's
 * SETTINGS come before any of its PING acknowledgements. `done` is called
 * once, asynchronously; the returned function cancels.
 */
export function waitForConnectSupport(session: ClientHttp2Session, done: ConnectSupportCallback): () => void {
  let finished = false;
  const finish = (error: Error | null, supported: boolean): void => {
    if (finished) return;
    finished = true;
    cleanup();
    done(error, supported);
  };
  const onSettings = (settings: Settings): void => finish(null, settings.enableConnectProtocol === true);
  const onClose = (): void => finish(sessionGone(), false);
  const onError = (error: Error): void => finish(error, false);
  const ping = (): void => {
    try {
      session.ping((error) => {
        if (error === null) finish(null, currentlySupported(session));
      });
    } catch {
      // Too many pings in flight: the SETTINGS event or the caller's timeout decides.
    }
  };
  const cleanup = (): void => {
    session.removeListener('remoteSettings', onSettings);
    session.removeListener('close', onClose);
    session.removeListener('error', onError);
    session.removeListener('connect', ping);
  };

  if (session.destroyed || session.closed) {
    finished = true;
    process.nextTick(done, sessionGone(), false);
    return () => {};
  }
  if (currentlySupported(session)) {
    finished = true;
    process.nextTick(done, null, true);
    return () => {};
  }
  session.on('remoteSettings', onSettings);
  session.once('close', onClose);
  session.once('error', onError);
  if (session.connecting) session.once('connect', ping);
  else ping();
  return () => {
    finished = true;
    cleanup();
  };
}

/** Whether the SETTINGS received so far allow extended CONNECT. */
function currentlySupported(session: ClientHttp2Session): boolean {
  if (session.connecting || session.destroyed) return false;
  return session.remoteSettings?.enableConnectProtocol === true;
}

/**
 * The HTTP server under `wsx serve`, in one of four kinds: HTTP/1.1 or
 * HTTPS (the default), HTTP/2 over TLS with HTTP/1.1 on the same port
 * (--http2 with a certificate: browsers, wsx and any HTTP/1.1 client), or
 * cleartext HTTP/2 (--http2 alone: h2c with prior knowledge only, since
 * Node's h2c server cannot take HTTP/1.1 and browsers speak HTTP/2 over TLS
 * only). It also knows how to shut each kind down: HTTP/2 sessions get a
 * GOAWAY, idle HTTP/1.1 connections are closed, and whatever is left can be
 * cut off after a grace period.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import {
  createSecureServer as createHttp2SecureServer,
  createServer as createH2cServer,
  type Http2SecureServer,
  type Http2Server,
  type ServerHttp2Session,
} from 'node:http2';
import type { Socket } from 'node:net';
import { UsageError } from './cli-errors.js';
import type { RequestHandler } from './static-files.js';

export type ServeHttpKind = 'http1' | 'http1-tls' | 'h2-tls' | 'h2c';

export interface ServeTls {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface ServeHttpServer {
  readonly kind: ServeHttpKind;
  readonly server: HttpServer | HttpsServer | Http2Server | Http2SecureServer;
  /**
   * Stops taking connections; idle HTTP/1.1 connections close now, HTTP/2
   * sessions get a GOAWAY and close once their streams (WebSockets
   * included) have ended. `onClosed` runs when nothing is left.
   */
  close(onClosed: () => void): void;
  /** Cuts every connection still open. */
  destroyConnections(): void;
}

/** Whether a server of this kind speaks TLS (wss://, https://). */
export function isSecureKind(kind: ServeHttpKind): boolean {
  return kind === 'http1-tls' || kind === 'h2-tls';
}

/** What the startup lines say about the protocols a kind serves. */
export function describeKind(kind: ServeHttpKind): string {
  switch (kind) {
    case 'http1':
    case 'http1-tls':
      return 'HTTP/1.1';
    case 'h2-tls':
      return 'HTTP/2 and HTTP/1.1';
    case 'h2c':
      return 'HTTP/2 cleartext (h2c)';
  }
}

/** A certificate or key that Node refuses (not PEM, or a pair that does not match) is the user's to fix. */
function withTlsCheck<T>(create: () => T): T {
  try {
    return create();
  } catch (error) {
    throw new UsageError(`the TLS certificate and key are not usable (${(error as Error).message})`);
  }
}

export function createServeHttpServer(http2: boolean, tls: ServeTls | undefined, handler: RequestHandler): ServeHttpServer {
  let kind: ServeHttpKind;
  let server: HttpServer | HttpsServer | Http2Server | Http2SecureServer;
  if (!http2) {
    kind = tls === undefined ? 'http1' : 'http1-tls';
    server = tls === undefined ? createHttpServer(handler) : withTlsCheck(() => createHttpsServer({ ...tls }, handler));
  } else {
    kind = tls === undefined ? 'h2c' : 'h2-tls';
    server =
      tls === undefined
        ? createH2cServer(handler)
        : withTlsCheck(() => createHttp2SecureServer({ ...tls, allowHTTP1: true }, handler));
  }

  // Raw TCP sockets of every kind, to cut off what is left after the grace period.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const sessions = new Set<ServerHttp2Session>();
  if (http2) {
    (server as Http2Server | Http2SecureServer).on('session', (session: ServerHttp2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
    });
  }

  return {
    kind,
    server,
    close(onClosed) {
      server.close(() => onClosed());
      // An allowHTTP1 server closes its HTTP/1.1 side here too (a no-op for h2c).
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      for (const session of sessions) session.close();
    },
    destroyConnections() {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    },
  };
}

import type { ClientRequestArgs } from 'node:http';
import { connect as netConnect, isIP, type NetConnectOpts, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

/*
 * The default `createConnection` for handshake requests. Node hands it the
 * whole request options object, whose `path` is the HTTP request target; left
 * in place, net.connect() would read it as a Unix socket path.
 */

export function connectPlain(options: ClientRequestArgs): Socket {
  return netConnect({ ...options, path: undefined } as NetConnectOpts);
}

export function connectSecure(options: ClientRequestArgs): TLSSocket {
  const tlsOptions = { ...options, path: undefined } as ConnectionOptions;
  // SNI carries host names only (RFC 6066); an IP literal gets none.
  if (tlsOptions.servername === undefined && typeof options.host === 'string') {
    tlsOptions.servername = isIP(options.host) === 0 ? options.host : '';
  }
  return tlsConnect(tlsOptions);
}

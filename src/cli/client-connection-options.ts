/**
 * The options that say how to open a client connection, shared by
 * `wsx connect` and `wsx bench`: the URL, request headers, Basic
 * credentials, subprotocols, origin, compression, TLS trust and client
 * certificates, message size, HTTP/2.
 */
import { readFileSync } from 'node:fs';
import type { OutgoingHttpHeaders } from 'node:http';
import type { OptionSpec, ParsedArgs } from './argv-parser.js';
import { basicAuthorization, parseUserPassword } from './basic-auth.js';
import { UsageError } from './cli-errors.js';
import type { ClientOptions } from './library.js';

export const CLIENT_CONNECTION_OPTIONS: readonly OptionSpec[] = [
  { name: 'header', short: 'H', kind: 'list' },
  { name: 'auth', kind: 'string' },
  { name: 'subprotocol', short: 'p', kind: 'list' },
  { name: 'origin', short: 'o', kind: 'string' },
  { name: 'compress', kind: 'flag' },
  { name: 'insecure', short: 'k', kind: 'flag' },
  { name: 'ca', kind: 'string' },
  { name: 'cert', kind: 'string' },
  { name: 'key', kind: 'string' },
  { name: 'max-payload', kind: 'integer', min: 0 },
  { name: 'handshake-timeout', kind: 'integer', min: 0 },
  { name: 'http2', kind: 'flag' },
];

export interface ClientConnection {
  readonly url: string;
  readonly protocols: string[];
  readonly options: ClientOptions;
  /** Whether permessage-deflate was asked for (to report a server that declines it). */
  readonly compress: boolean;
  /** Whether HTTP/2 was asked for (the library falls back to HTTP/1.1 where it is not offered). */
  readonly http2: boolean;
}

/** 'localhost:8080/x' means ws://localhost:8080/x, as in wscat and curl. */
export function normalizeUrl(raw: string): string {
  return raw.includes('://') ? raw : `ws://${raw}`;
}

/** 'Name: value' → [name, value]; the value may be empty, the name may not. */
export function parseHeader(line: string): [string, string] {
  const colon = line.indexOf(':');
  const name = colon === -1 ? '' : line.slice(0, colon).trim();
  if (name === '') throw new UsageError(`-H needs 'Name: value', got '${line}'`);
  return [name, line.slice(colon + 1).trim()];
}

function readOptionFile(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

export function clientConnectionFrom(args: ParsedArgs, command: string): ClientConnection {
  if (args.positionals.length !== 1) {
    throw new UsageError(`wsx ${command} needs exactly one URL, e.g. wsx ${command} ws://127.0.0.1:8080`);
  }
  const url = normalizeUrl(args.positionals[0]!);

  const headers: OutgoingHttpHeaders = {};
  for (const line of args.lists.get('header') ?? []) {
    const [name, value] = parseHeader(line);
    const existing = headers[name];
    headers[name] = existing === undefined ? value : `${String(existing)}, ${value}`;
  }

  const auth = args.strings.get('auth');
  if (auth !== undefined) {
    if (Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
      throw new UsageError('choose one of --auth and -H Authorization');
    }
    headers['Authorization'] = basicAuthorization(parseUserPassword('--auth', auth));
  }

  const compress = args.flags.has('compress');
  const http2 = args.flags.has('http2');
  const options: ClientOptions = {
    headers,
    // ws offers compression by default; the CLI sends exactly what it is told to.
    perMessageDeflate: compress,
    rejectUnauthorized: !args.flags.has('insecure'),
  };
  // wss: ALPN h2; ws: h2c with prior knowledge. Either falls back to an HTTP/1.1 upgrade.
  if (http2) options.http2 = true;
  const origin = args.strings.get('origin');
  if (origin !== undefined) options.origin = origin;
  const ca = args.strings.get('ca');
  if (ca !== undefined) options.ca = readOptionFile('--ca', ca);
  const cert = args.strings.get('cert');
  if (cert !== undefined) options.cert = readOptionFile('--cert', cert);
  const key = args.strings.get('key');
  if (key !== undefined) options.key = readOptionFile('--key', key);
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  const maxPayload = args.integers.get('max-payload');
  if (maxPayload !== undefined) options.maxPayload = maxPayload;
  const handshakeTimeout = args.integers.get('handshake-timeout');
  if (handshakeTimeout !== undefined) options.handshakeTimeout = handshakeTimeout;

  return { url, protocols: args.lists.get('subprotocol') ?? [], options, compress, http2 };
}

const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A connection error as one line, with a hint for the usual certificate and protocol problems. */
export function describeConnectError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && CERTIFICATE_ERRORS.has(code)) {
    return `${error.message} (trust the certificate with --ca <file>, or skip verification with -k)`;
  }
  // Node's HTTP/1.1 parser choking on the answer: an h2c server sends HTTP/2 frames at once.
  if (code !== undefined && code.startsWith('HPE_')) {
    return `${error.message} (the server did not answer in HTTP/1.1; if it speaks only HTTP/2, as an h2c server does, add --http2)`;
  }
  return error.message;
}

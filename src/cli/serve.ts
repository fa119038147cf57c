/**
 * `wsx serve`: a WebSocket server for trying clients out. It echoes each
 * message (default) or broadcasts it to every other client, optionally
 * serves a directory over HTTP on the same port (--static), speaks TLS
 * (--tls-cert/--tls-key) and HTTP/2 (--http2; serve-http-server.ts). The
 * URLs go to stdout; connections and closes are logged on stderr. Ctrl-C
 * (or SIGTERM) closes every client with 1001.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseArgv, type OptionSpec, type ParsedArgs } from './argv-parser.js';
import { BasicAuth, parseUserPassword } from './basic-auth.js';
import { ExitCode, UsageError } from './cli-errors.js';
import { hexInline } from './hex-preview.js';
import { CloseCode, closeCodeName, WebSocket, WebSocketServer, type VerifyClient } from './library.js';
import { createServeHttpServer, describeKind, isSecureKind } from './serve-http-server.js';
import { ServerHeartbeat } from './server-heartbeat.js';
import { createStaticHandler, createUpgradeRequiredHandler, sendText, type RequestHandler, type ServeRequest } from './static-files.js';
import { colorWanted, createStyle, neutralizeControls } from './terminal-style.js';

export const SERVE_OPTIONS: readonly OptionSpec[] = [
  { name: 'echo', kind: 'flag' },
  { name: 'broadcast', kind: 'flag' },
  { name: 'static', kind: 'string' },
  { name: 'port', kind: 'integer', min: 0 },
  { name: 'host', kind: 'string' },
  { name: 'path', kind: 'string' },
  { name: 'compress', kind: 'flag' },
  { name: 'tls-cert', kind: 'string' },
  { name: 'tls-key', kind: 'string' },
  // The names wsx connect uses for its certificate files.
  { name: 'cert', kind: 'string' },
  { name: 'key', kind: 'string' },
  { name: 'http2', kind: 'flag' },
  { name: 'heartbeat', kind: 'integer', min: 1 },
  { name: 'max-payload', kind: 'integer', min: 0 },
  { name: 'auth', kind: 'string' },
  { name: 'verbose', short: 'v', kind: 'flag' },
];

const DEFAULT_PORT = 8080;
const DEFAULT_HOST = '127.0.0.1';
/** How long clients have to answer the 1001 close frame at shutdown. */
const SHUTDOWN_GRACE_MS = 2000;
/** Longest text shown per message with --verbose. */
const VERBOSE_TEXT_CHARS = 200;

function readTlsFile(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

/** '2.0' → 'HTTP/2', '1.1' → 'HTTP/1.1'. */
function httpVersionName(req: ServeRequest): string {
  return req.httpVersionMajor === 2 ? 'HTTP/2' : `HTTP/${req.httpVersion}`;
}

/** Answers 401 to HTTP requests without the credentials, as the upgrades get. */
function withBasicAuth(auth: BasicAuth, handler: RequestHandler): RequestHandler {
  return (req, res) => {
    if (auth.accepts(req.headers.authorization)) {
      handler(req, res);
      return;
    }
    sendText(res, 401, 'Unauthorized: this server asks for a user and password (wsx connect --auth user:password)\n', {
      'WWW-Authenticate': auth.challenge,
    });
  };
}

/** Refuses upgrades (HTTP/1.1 and HTTP/2) without the credentials: 401 with the challenge. */
function basicAuthVerifier(auth: BasicAuth): VerifyClient {
  return (info, done) => {
    if (auth.accepts(info.req.headers.authorization)) done(true);
    else done(false, 401, 'Unauthorized', { 'WWW-Authenticate': auth.challenge });
  };
}

/** --tls-cert or its alias --cert (one spelling only). */
function aliasedPath(args: ParsedArgs, name: string, alias: string): string | undefined {
  const value = args.strings.get(name);
  const aliased = args.strings.get(alias);
  if (value !== undefined && aliased !== undefined) throw new UsageError(`--${alias} is another name for --${name}: give one of them`);
  return value ?? aliased;
}

function peerName(req: ServeRequest): string {
  const socket = req.socket;
  const address = socket.remoteAddress ?? '?';
  return `${address.includes(':') ? `[${address}]` : address}:${String(socket.remotePort ?? '?')}`;
}

export async function runServe(argv: readonly string[]): Promise<number> {
  const args = parseArgv(argv, SERVE_OPTIONS);
  if (args.positionals.length > 0) throw new UsageError(`wsx serve takes no arguments, got '${args.positionals[0]!}'`);
  const broadcast = args.flags.has('broadcast');
  if (broadcast && args.flags.has('echo')) throw new UsageError('choose one of --echo and --broadcast');
  const mode = broadcast ? 'broadcast' : 'echo';
  const staticDir = args.strings.get('static');
  const port = args.integers.get('port') ?? DEFAULT_PORT;
  if (port > 65535) throw new UsageError(`--port must be 0-65535, got ${String(port)}`);
  const host = args.strings.get('host') ?? DEFAULT_HOST;
  const path = args.strings.get('path');
  if (path !== undefined && !path.startsWith('/')) throw new UsageError(`--path must start with '/', got '${path}'`);
  const certPath = aliasedPath(args, 'tls-cert', 'cert');
  const keyPath = aliasedPath(args, 'tls-key', 'key');
  const http2 = args.flags.has('http2');
  if ((certPath === undefined) !== (keyPath === undefined)) throw new UsageError('--tls-cert and --tls-key (or --cert and --key) go together');
  const verbose = args.flags.has('verbose');
  const style = createStyle(colorWanted(process.stderr, args.flags.has('no-color')));
  const log = (line: string): void => {
    process.stderr.write(`${style.dim(clock())} ${line}\n`);
  };

  const tls =
    certPath === undefined
      ? undefined
      : {
          cert: readTlsFile(args.strings.has('cert') ? '--cert' : '--tls-cert', certPath),
          key: readTlsFile(args.strings.has('key') ? '--key' : '--tls-key', keyPath!),
        };
  let wsUrl = '';
  // Over h2c only an HTTP/2 client gets in, so the hint names --http2.
  const handler: RequestHandler =
    staticDir === undefined
      ? createUpgradeRequiredHandler(() => (http2 && tls === undefined ? `--http2 ${wsUrl}` : wsUrl))
      : createStaticHandler(staticDir);
  const authOption = args.strings.get('auth');
  const auth = authOption === undefined ? null : new BasicAuth(parseUserPassword('--auth', authOption));
  const served = createServeHttpServer(http2, tls, auth === null ? handler : withBasicAuth(auth, handler));
  const httpServer = served.server;
  const secure = isSecureKind(served.kind);

  const maxPayload = args.integers.get('max-payload');
  const wss = new WebSocketServer({
    server: httpServer,
    ...(path !== undefined && { path }),
    perMessageDeflate: args.flags.has('compress'),
    ...(maxPayload !== undefined && { maxPayload }),
    ...(auth !== null && { verifyClient: basicAuthVerifier(auth) }),
  });

  const ids = new WeakMap<WebSocket, number>();
  let nextId = 1;
  const heartbeatMs = args.integers.get('heartbeat');
  const heartbeat =
    heartbeatMs === undefined
      ? null
      : new ServerHeartbeat(heartbeatMs, (ws) => log(style.yellow(`#${String(ids.get(ws) ?? '?')} did not answer pings: terminated`)));

  wss.on('connection', (ws: WebSocket, req: ServeRequest) => {
    const id = nextId++;
    ids.set(ws, id);
    const details = [`path ${neutralizeControls(req.url ?? '/')}`];
    // With --http2 a WebSocket may come either way: say which.
    if (http2) details.unshift(httpVersionName(req));
    if (ws.protocol !== '') details.push(`protocol ${ws.protocol}`);
    if (ws.extensions !== '') details.push(ws.extensions);
    log(`${style.green('+')} #${String(id)} ${peerName(req)} connected (${details.join(', ')}; ${String(wss.clients.size)} open)`);
    heartbeat?.add(ws);

    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (verbose) {
        const what = isBinary
          ? `[binary, ${String(data.length)} bytes] ${hexInline(data)}`
          : neutralizeControls(data.toString('utf8').slice(0, VERBOSE_TEXT_CHARS));
        log(`  #${String(id)} ${style.cyan('<')} ${what}`);
      }
      if (mode === 'echo') {
        ws.send(data, { binary: isBinary });
        return;
      }
      for (const client of wss.clients) {
        if (client !== ws && client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
      }
    });
    ws.on('close', (code: number, reason: Buffer) => {
      const why = reason.length > 0 ? ` "${neutralizeControls(reason.toString('utf8'))}"` : '';
      log(
        `${style.red('-')} #${String(id)} closed ${String(code)} ${closeCodeName(code)}${why} (${String(wss.clients.size)} open)`,
      );
    });
  });

  // wss.on('error') also sees the http server's errors (EADDRINUSE, EACCES).
  const listening = new Promise<void>((resolveListen, rejectListen) => {
    httpServer.once('error', rejectListen);
    httpServer.listen(port, host, () => {
      httpServer.off('error', rejectListen);
      resolveListen();
    });
  });
  wss.on('error', () => undefined);
  try {
    await listening;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ` (port ${String(port)} is in use; --port 0 picks a free one)` : '';
    process.stderr.write(`error: cannot listen on ${host}:${String(port)}: ${(error as Error).message}${hint}\n`);
    return ExitCode.CONNECT_FAILED;
  }

  const address = httpServer.address() as AddressInfo;
  const origin = `${hostForUrl(host)}:${String(address.port)}`;
  wsUrl = `${secure ? 'wss' : 'ws'}://${origin}${path ?? '/'}`;
  const over = http2 ? ` over ${describeKind(served.kind)}` : '';
  if (staticDir !== undefined) {
    process.stdout.write(`Serving ${staticDir} on ${secure ? 'https' : 'http'}://${origin}/${over}\n`);
  }
  process.stdout.write(`WebSocket ${mode} server on ${wsUrl}${over}\n`);
  if (served.kind === 'h2c') {
    log(
      style.yellow(
        'h2c: only HTTP/2 clients with prior knowledge can connect (wsx connect --http2, curl --http2-prior-knowledge); ' +
          'browsers and HTTP/1.1 clients cannot. Add --tls-cert/--tls-key to serve HTTP/2 and HTTP/1.1 on one port.',
      ),
    );
  }
  log(style.dim('Press Ctrl-C to stop.'));

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) {
        resolveExit(ExitCode.INTERRUPTED);
        return;
      }
      stopping = true;
      log(`shutting down: closing ${String(wss.clients.size)} connection(s) with 1001`);
      heartbeat?.stop();
      for (const client of wss.clients) client.close(CloseCode.GOING_AWAY, 'server shutting down');
      const grace = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
        served.destroyConnections();
      }, SHUTDOWN_GRACE_MS);
      grace.unref();
      wss.close(() => undefined);
      served.close(() => {
        clearTimeout(grace);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolveExit(ExitCode.OK);
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

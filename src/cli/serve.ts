/**
 * `wsx serve`: a WebSocket server for trying clients out. It echoes each
 * message (default) or broadcasts it to every other client, optionally
 * serves a directory over HTTP on the same port (--static) and speaks TLS
 * (--tls-cert/--tls-key). The URLs go to stdout; connections and closes are
 * logged on stderr. Ctrl-C (or SIGTERM) closes every client with 1001.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseArgv, type OptionSpec } from './argv-parser.js';
import { ExitCode, UsageError } from './cli-errors.js';
import { hexInline } from './hex-preview.js';
import { CloseCode, closeCodeName, WebSocket, WebSocketServer } from './library.js';
import { ServerHeartbeat } from './server-heartbeat.js';
import { createStaticHandler, createUpgradeRequiredHandler, type RequestHandler } from './static-files.js';
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
  { name: 'heartbeat', kind: 'integer', min: 1 },
  { name: 'max-payload', kind: 'integer', min: 0 },
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

function peerName(req: IncomingMessage): string {
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
  const certPath = args.strings.get('tls-cert');
  const keyPath = args.strings.get('tls-key');
  if ((certPath === undefined) !== (keyPath === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  const verbose = args.flags.has('verbose');
  const style = createStyle(colorWanted(process.stderr, args.flags.has('no-color')));
  const log = (line: string): void => {
    process.stderr.write(`${style.dim(clock())} ${line}\n`);
  };

  const secure = certPath !== undefined;
  let wsUrl = '';
  const handler: RequestHandler =
    staticDir === undefined ? createUpgradeRequiredHandler(() => wsUrl) : createStaticHandler(staticDir);
  const httpServer: HttpServer | HttpsServer = secure
    ? createHttpsServer({ cert: readTlsFile('--tls-cert', certPath), key: readTlsFile('--tls-key', keyPath!) }, handler)
    : createHttpServer(handler);

  const maxPayload = args.integers.get('max-payload');
  const wss = new WebSocketServer({
    server: httpServer,
    ...(path !== undefined && { path }),
    perMessageDeflate: args.flags.has('compress'),
    ...(maxPayload !== undefined && { maxPayload }),
  });

  const ids = new WeakMap<WebSocket, number>();
  let nextId = 1;
  const heartbeatMs = args.integers.get('heartbeat');
  const heartbeat =
    heartbeatMs === undefined
      ? null
      : new ServerHeartbeat(heartbeatMs, (ws) => log(style.yellow(`#${String(ids.get(ws) ?? '?')} did not answer pings: terminated`)));

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const id = nextId++;
    ids.set(ws, id);
    const details = [`path ${neutralizeControls(req.url ?? '/')}`];
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
  if (staticDir !== undefined) {
    process.stdout.write(`Serving ${staticDir} on ${secure ? 'https' : 'http'}://${origin}/\n`);
  }
  process.stdout.write(`WebSocket ${mode} server on ${wsUrl}\n`);
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
        httpServer.closeAllConnections();
      }, SHUTDOWN_GRACE_MS);
      grace.unref();
      wss.close(() => undefined);
      httpServer.close(() => {
        clearTimeout(grace);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolveExit(ExitCode.OK);
      });
      httpServer.closeIdleConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

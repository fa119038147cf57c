/**
 * The HTTP side of `wsx serve --static <dir>`: GET and HEAD for the files
 * under one directory, on the same port as the WebSocket endpoint. It is a
 * development server, so it is strict about what leaves the directory:
 * nothing outside it (no '..', no symlink escapes), no dotfiles (.git, .env),
 * no directory listings. The same handlers answer HTTP/1.1 and HTTP/2
 * requests (`wsx serve --http2`).
 */
import { Buffer } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { extname, join, resolve, sep } from 'node:path';

export type ServeRequest = IncomingMessage | Http2ServerRequest;
export type ServeResponse = ServerResponse | Http2ServerResponse;
export type RequestHandler = (req: ServeRequest, res: ServeResponse) => void;

/** What the handlers use of a response; both Node response classes have it. */
interface PlainResponse extends NodeJS.WritableStream {
  writeHead(statusCode: number, headers: OutgoingHttpHeaders): unknown;
  readonly headersSent: boolean;
  destroy(): unknown;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

/** A plain-text answer with its length, not to be sniffed as anything else. */
export function sendText(res: PlainResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  });
  res.end(text);
}

/**
 * The path below the root that a request names, or null when it must not be
 * served: undecodable escapes, NUL bytes, backslashes, dot segments and dotfiles.
 */
export function requestedPath(url: string): string[] | null {
  let end = url.length;
  const query = url.indexOf('?');
  if (query !== -1) end = query;
  const hash = url.indexOf('#');
  if (hash !== -1 && hash < end) end = hash;
  let path: string;
  try {
    path = decodeURIComponent(url.slice(0, end));
  } catch {
    return null;
  }
  if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) return null;
  const segments = path.split('/').filter((segment) => segment !== '');
  for (const segment of segments) {
    if (segment.startsWith('.')) return null;
  }
  if (path.endsWith('/')) segments.push('index.html');
  return segments;
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

export function createStaticHandler(directory: string): RequestHandler {
  const root = resolve(directory);
  const realRoot = realpath(root);
  realRoot.catch(() => undefined); // reported per request

  const serve = async (req: ServeRequest, res: PlainResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    const segments = requestedPath(req.url ?? '/');
    if (segments === null) {
      sendText(res, 404, 'Not Found\n');
      return;
    }
    let file = segments.length === 0 ? join(root, 'index.html') : join(root, ...segments);
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory() === true) {
      file = join(file, 'index.html');
      info = await stat(file).catch(() => null);
    }
    if (info === null || !info.isFile()) {
      sendText(res, 404, 'Not Found\n');
      return;
    }
    // A symlink inside the directory must not lead out of it.
    const real = await realpath(file).catch(() => null);
    const base = await realRoot.catch(() => null);
    if (real === null || base === null || !isInside(base, real)) {
      sendText(res, 404, 'Not Found\n');
      return;
    }

    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(real);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  return (req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error\n');
      else res.destroy();
    });
  };
}

/**
 * The answer to plain HTTP requests when no --static directory is given.
 * `connectArgs` is what follows `wsx connect` in the hint (the URL, and
 * --http2 where only HTTP/2 works).
 */
export function createUpgradeRequiredHandler(connectArgs: () => string): RequestHandler {
  return (req, res) => {
    const text = `This port speaks WebSocket: try  wsx connect ${connectArgs()}\n`;
    // HTTP/2 has no Upgrade and forbids connection-specific headers (RFC 9113 8.2.2).
    if (req.httpVersionMajor === 2) sendText(res, 426, text, { 'Sec-WebSocket-Version': '13' });
    else sendText(res, 426, text, { Upgrade: 'websocket', Connection: 'Upgrade, close', 'Sec-WebSocket-Version': '13' });
  };
}

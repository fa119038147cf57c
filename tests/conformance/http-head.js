// Reading and writing HTTP/1.1 message heads by hand, for the raw peer's
// opening handshakes (RFC 6455 section 4). No HTTP library is involved so that
// the raw peer can send and notice anything at all.

import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function acceptFor(key) {
  return createHash('sha1').update(key + WS_GUID).digest('base64');
}

export function newKey() {
  return randomBytes(16).toString('base64');
}

/**
 * Parse a message head (status or request line + header lines).
 * @returns {{ startLine: string, headers: Array<[string, string]> }}
 */
export function parseHead(text) {
  const lines = text.split('\r\n');
  const headers = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      headers.push([line, '']);
      continue;
    }
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { startLine: lines[0], headers };
}

/** Every value of a header (name compared case-insensitively). */
export function headerValues(headers, name) {
  const lower = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** The comma-separated tokens of every value of a header, lower-cased. */
export function headerTokens(headers, name) {
  return headerValues(headers, name)
    .flatMap((v) => v.split(','))
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
}

/**
 * Collect bytes from `socket` until a complete head (CRLFCRLF) arrives, the
 * socket closes, `maxBytes` is exceeded or `timeoutMs` passes.
 * @returns {Promise<{ head: null|{startLine, headers}, leftover: Buffer, closed: boolean,
 *   timedOut: boolean, at: number }>}
 */
export function readHead(socket, { timeoutMs = 2000, maxBytes = 65536, t0 = performance.now() } = {}) {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let timer;
    const finish = (result) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('end', onClose);
      resolve({ leftover: Buffer.alloc(0), closed: false, timedOut: false, head: null, ...result, at: performance.now() - t0 });
    };
    const onData = (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const end = buf.indexOf('\r\n\r\n');
      if (end !== -1) {
        socket.pause();
        finish({ head: parseHead(buf.subarray(0, end).toString('latin1')), leftover: buf.subarray(end + 4) });
      } else if (buf.length > maxBytes) {
        finish({ head: null });
      }
    };
    const onClose = () => {
      const end = buf.indexOf('\r\n\r\n');
      finish({ head: end === -1 ? null : parseHead(buf.subarray(0, end).toString('latin1')), closed: true, leftover: end === -1 ? Buffer.alloc(0) : buf.subarray(end + 4) });
    };
    timer = setTimeout(() => finish({ timedOut: true }), timeoutMs);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('end', onClose);
    socket.resume();
  });
}

/** Status code of a response head, or null. */
export function statusOf(head) {
  if (!head) return null;
  const parts = head.startLine.split(' ');
  const code = Number(parts[1]);
  return Number.isInteger(code) ? code : null;
}

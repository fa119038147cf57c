// Category 11 (client role) — the opening handshake seen from the target's
// WebSocket client (RFC 6455 4.1): it must accept only a correct 101 answer
// to its own key, offer, and protocols, and otherwise fail without opening.
// The "Close" column shows `open` or `no open` and the error the client raised.

import { OP, encodeFrame } from '../raw-frames.js';
import { acceptFor, headerValues } from '../http-head.js';
import { switchingProtocols } from '../raw-server.js';
import { waitUntil } from '../wait-until.js';

const HANDSHAKE_TIMEOUT_MS = 1000;
const WAIT_MS = 3000;

const lines = (...l) => `${l.join('\r\n')}\r\n\r\n`;
const keyOf = (head) => headerValues(head.headers, 'sec-websocket-key')[0] ?? '';

/**
 * @param {object} c
 * @param {(head) => any} c.respond the raw server's answer (see RawServer.accept)
 * @param {boolean} c.opens whether a conforming client opens
 */
function clientCase(c) {
  return {
    id: c.id,
    desc: c.desc,
    roles: ['client'],
    custom: async (ctx) => {
      const raw = await ctx.rawServer();
      const accepting = raw.accept(c.respond);
      const client = ctx.startClient(`ws://127.0.0.1:${raw.port}/${c.id}`, c.protocols, c.options ?? {});
      const conn = await accepting;
      const settled = await waitUntil(() => client.obs.opened || client.obs.closeCode !== null, c.waitMs ?? WAIT_MS);
      const o = client.obs;
      const notes = [];
      let verdict;
      if (c.opens) {
        verdict = o.opened ? 'OK' : 'FAILED';
        if (!o.opened) notes.push(`did not open (${o.errors.join(', ') || 'no error'})`);
        if (o.opened && c.check) {
          const problems = await c.check({ conn, client });
          if (problems.length) {
            verdict = 'FAILED';
            notes.push(...problems);
          }
        }
      } else if (o.opened) {
        verdict = 'FAILED';
        notes.push('opened the connection');
      } else if (!settled && c.nonStrictIfHangs) {
        verdict = 'NON-STRICT';
        notes.push(c.nonStrictIfHangs);
      } else if (!settled) {
        verdict = 'FAILED';
        notes.push(`neither opened nor failed within ${(c.waitMs ?? WAIT_MS) / 1000} s`);
      } else {
        verdict = o.errors.length ? 'OK' : 'NON-STRICT';
        if (!o.errors.length) notes.push('closed without an error event');
        if (conn.session?.items.length) {
          verdict = 'FAILED';
          notes.push('sent frames on a connection it should have failed');
        }
      }
      client.terminate();
      if (conn.session) await conn.session.shutdown(200);
      else conn.socket?.destroy();
      const close = o.opened ? 'open' : `no open${o.errors.length ? ` (${o.errors[0]})` : ''}`;
      return { verdict, close, note: notes.join('; ') };
    },
  };
}

const cases = [];
const add = (c) => cases.push(clientCase(c));

// 11.20 answers a client must accept.
add({
  id: '11.20.1',
  desc: 'correct 101 with header names in lower case',
  respond: (h) => lines('HTTP/1.1 101 Switching Protocols', 'upgrade: websocket', 'connection: Upgrade', `sec-websocket-accept: ${acceptFor(keyOf(h))}`),
  opens: true,
});
add({
  id: '11.20.2',
  desc: 'correct 101 with "Upgrade: WebSocket" and "Connection: keep-alive, upgrade"',
  respond: (h) => lines('HTTP/1.1 101 Switching Protocols', 'Upgrade: WebSocket', 'Connection: keep-alive, upgrade', `Sec-WebSocket-Accept: ${acceptFor(keyOf(h))}`),
  opens: true,
});
add({
  id: '11.20.3',
  desc: 'correct 101 followed by a text frame in the same write: opens and echoes it',
  respond: (h) => ({ bytes: Buffer.concat([Buffer.from(switchingProtocols(h)), encodeFrame({ opcode: OP.TEXT, payload: 'early' })]) }),
  opens: true,
  check: async ({ conn }) => {
    await conn.session.waitItems(1, 1000);
    const it = conn.session.items[0];
    return it && it.type === 'text' && it.data.toString() === 'early' ? conn.session.anomalies : ['the frame sent with the 101 was not echoed'];
  },
});
add({
  id: '11.20.4',
  desc: 'correct 101 with an unknown extra header and a reason phrase other than "Switching Protocols"',
  respond: (h) => lines('HTTP/1.1 101 Go Ahead', 'Upgrade: websocket', 'Connection: Upgrade', 'X-Server: raw', `Sec-WebSocket-Accept: ${acceptFor(keyOf(h))}`),
  opens: true,
});
add({
  id: '11.20.5',
  desc: 'offers chat and superchat; the server picks superchat',
  protocols: ['chat', 'superchat'],
  respond: (h) => switchingProtocols(h, ['Sec-WebSocket-Protocol: superchat']),
  opens: true,
  check: async ({ client, conn }) => {
    const offered = headerValues(conn.request.headers, 'sec-websocket-protocol').join(',').split(',').map((s) => s.trim());
    const problems = [];
    if (offered.join(',') !== 'chat,superchat') problems.push(`offered ${JSON.stringify(offered)}`);
    if (client.obs.protocol !== 'superchat') problems.push(`protocol is ${JSON.stringify(client.obs.protocol)}`);
    return problems;
  },
});
add({
  id: '11.20.6',
  desc: 'the request itself: GET, HTTP/1.1, Host, Upgrade, Connection, a 16-byte key, version 13',
  respond: (h) => switchingProtocols(h),
  opens: true,
  check: async ({ conn }) => {
    const h = conn.request;
    const problems = [];
    if (!/^GET \S+ HTTP\/1\.1$/.test(h.startLine)) problems.push(`request line ${JSON.stringify(h.startLine)}`);
    if (headerValues(h.headers, 'host').length !== 1) problems.push('Host missing or repeated');
    if ((headerValues(h.headers, 'upgrade')[0] ?? '').toLowerCase() !== 'websocket') problems.push('no "Upgrade: websocket"');
    if (!(headerValues(h.headers, 'connection')[0] ?? '').toLowerCase().includes('upgrade')) problems.push('no "Connection: Upgrade"');
    if (Buffer.from(keyOf(h), 'base64').length !== 16) problems.push(`key ${JSON.stringify(keyOf(h))} is not 16 bytes`);
    if (headerValues(h.headers, 'sec-websocket-version')[0] !== '13') problems.push('version is not 13');
    return problems;
  },
});

// 11.21 answers a client must refuse.
const refuse = [
  ['wrong Sec-WebSocket-Accept', (h) => lines('HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptFor(`${keyOf(h)}x`)}`)],
  ['no Sec-WebSocket-Accept', () => lines('HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade')],
  ['two Sec-WebSocket-Accept headers (right and wrong)', (h) => switchingProtocols(h, [`Sec-WebSocket-Accept: ${acceptFor('x')}`])],
  ['no Upgrade header', (h) => lines('HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptFor(keyOf(h))}`)],
  ['Upgrade: h2c', (h) => lines('HTTP/1.1 101 Switching Protocols', 'Upgrade: h2c', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptFor(keyOf(h))}`)],
  ['no Connection header', (h) => lines('HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', `Sec-WebSocket-Accept: ${acceptFor(keyOf(h))}`)],
  ['Connection: keep-alive (no upgrade token)', (h) => lines('HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: keep-alive', `Sec-WebSocket-Accept: ${acceptFor(keyOf(h))}`)],
  ['status 200 with a body', () => ({ bytes: lines('HTTP/1.1 200 OK', 'Content-Length: 5', 'Connection: close').slice(0, -2) + '\r\nhello', upgrade: false })],
  ['status 403', () => ({ bytes: lines('HTTP/1.1 403 Forbidden', 'Content-Length: 0'), upgrade: false })],
  ['a protocol although the client offered none', (h) => switchingProtocols(h, ['Sec-WebSocket-Protocol: chat'])],
  ['extension x-unknown, never offered', (h) => switchingProtocols(h, ['Sec-WebSocket-Extensions: x-unknown'])],
  ['permessage-deflate, never offered (perMessageDeflate: false)', (h) => switchingProtocols(h, ['Sec-WebSocket-Extensions: permessage-deflate']), { perMessageDeflate: false }],
  ['garbage instead of an HTTP response', () => ({ bytes: 'hello\r\n\r\n', upgrade: false })],
];
refuse.forEach(([name, respond, options], i) => {
  add({ id: `11.21.${i + 1}`, desc: `answer with ${name}: must not open`, respond, options, opens: false });
});
add({
  id: `11.21.${refuse.length + 1}`,
  desc: 'offers chat; the server picks superchat: must not open',
  protocols: ['chat'],
  respond: (h) => switchingProtocols(h, ['Sec-WebSocket-Protocol: superchat']),
  opens: false,
});

// 11.22 servers that do not answer.
add({
  id: '11.22.1',
  desc: `a server that never answers (handshakeTimeout ${HANDSHAKE_TIMEOUT_MS} ms): fails within ${WAIT_MS / 1000} s`,
  options: { handshakeTimeout: HANDSHAKE_TIMEOUT_MS },
  respond: () => null,
  opens: false,
  nonStrictIfHangs: `no handshake timeout within ${WAIT_MS / 1000} s`,
});
add({
  id: '11.22.2',
  desc: 'a server that closes TCP right after the request',
  respond: () => ({ bytes: '', upgrade: false, end: true }),
  opens: false,
});
add({
  id: '11.22.3',
  desc: 'a 101 cut off in the middle of the headers, then TCP closed',
  respond: (h) => ({ bytes: switchingProtocols(h).slice(0, 40), upgrade: false, end: true }),
  opens: false,
});

export default cases;

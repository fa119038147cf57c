// Category 11 (server role) — the opening handshake (RFC 6455 4.2): what the
// target server answers to correct, unusual and broken upgrade requests. The
// "Close" column shows the HTTP status (`drop`: the connection closed without
// a response, `none`: no answer within the wait).

import { performance } from 'node:perf_hooks';
import { OP, encodeFrame } from '../raw-frames.js';
import { exchange, requestHead, standardHeaders, upgradeProblems } from '../raw-client.js';
import { headerTokens, headerValues, newKey } from '../http-head.js';
import { PeerSession } from '../peer-session.js';

const RFC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const RFC_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
const HANDSHAKE_TIMEOUT_MS = 1000; // passed to the target as `handshakeTimeout`
const NEVER_FINISHES_WAIT_MS = 3000;

/** After a 101: one text message must echo and the closing handshake complete. */
async function echoCheck(r) {
  const s = new PeerSession(r.socket, { role: 'client', leftover: r.leftover, t0: r.t0 });
  if (!r.pipelined) await s.sendFrames({ opcode: OP.TEXT, payload: 'handshake check' });
  await s.waitItems(1, 1000);
  const got = s.items[0];
  await s.sendClose(1000);
  await s.waitTargetGone(1000);
  await s.shutdown(300);
  if (!got || got.type !== 'text' || got.data.toString() !== 'handshake check') return ['no echo after the upgrade'];
  return s.anomalies;
}

function outcome(r) {
  if (r.status !== null) return r.status;
  return r.closed ? 'drop' : 'none';
}

const show = (o) => (typeof o === 'number' ? `HTTP ${o}` : o);

/**
 * A case that sends a request and grades the response status.
 * @param {object} c
 * @param {(port: number, key: string) => string|Buffer} c.request
 * @param {Array<number|string>} c.ok statuses (or 'drop'/'none') that are OK
 * @param {Array<number|string>} [c.nonStrict] statuses that are NON-STRICT
 * @param {(r, key) => string[]} [c.check] more problems to look for in the response
 */
function statusCase(c) {
  return {
    id: c.id,
    desc: c.desc,
    roles: ['server'],
    custom: async (ctx) => {
      const srv = await ctx.echoServer(c.server ?? {});
      const key = c.key ?? newKey();
      const t0 = performance.now();
      const r = await exchange(srv.port, c.request(srv.port, key), { chop: c.chop, delayMs: c.delayMs, timeoutMs: c.timeoutMs ?? 2000, maxBytes: 1 << 20 });
      r.pipelined = c.pipelined;
      const o = outcome(r);
      const problems = [];
      if (o === 101) {
        problems.push(...upgradeProblems(r.head, key));
        if (c.check) problems.push(...c.check(r, key));
        if (!problems.length && c.echo !== false) problems.push(...(await echoCheck(r)));
      } else {
        if (c.check && typeof o === 'number') problems.push(...c.check(r, key));
        r.socket.destroy();
      }
      const elapsed = Math.round(performance.now() - t0);
      let verdict = 'FAILED';
      if (c.ok.includes(o)) verdict = 'OK';
      else if (c.nonStrict?.includes(o)) verdict = 'NON-STRICT';
      else if (c.informational?.includes(o)) verdict = 'INFORMATIONAL';
      let note = c.notes?.[o] || (verdict === 'OK' ? '' : `expected ${c.ok.map(show).join(' or ')}`);
      if (problems.length) {
        if (verdict === 'OK') verdict = c.problemVerdict ?? 'FAILED';
        note = [note, ...problems].filter(Boolean).join('; ');
      }
      if (c.afterMs !== undefined && elapsed > c.afterMs && verdict === 'OK') {
        verdict = 'FAILED';
        note = [note, `took ${elapsed} ms`].filter(Boolean).join('; ');
      }
      return { verdict, close: show(o), note };
    },
  };
}

/** A request from header pairs: `edit(headers)` returns the headers to send. */
const req = (edit = (h) => h, { method, path, version } = {}) => (port, key) => requestHead({ method, path, version, headers: edit(standardHeaders(port, key)) });
const without = (name) => (h) => h.filter(([n]) => n.toLowerCase() !== name.toLowerCase());
const replace = (name, value) => (h) => h.map(([n, v]) => (n.toLowerCase() === name.toLowerCase() ? [n, value] : [n, v]));
const plus = (...extra) => (h) => [...h, ...extra];
const REJECT = [400, 426];

const cases = [];
const add = (c) => cases.push(statusCase(c));

// 11.1 correct requests.
add({
  id: '11.1.1',
  desc: `the RFC 6455 sample key ${RFC_KEY}: 101 with Sec-WebSocket-Accept ${RFC_ACCEPT}, then an echo`,
  key: RFC_KEY,
  request: req(),
  ok: [101],
  check: (r) => (headerValues(r.head.headers, 'sec-websocket-accept')[0] === RFC_ACCEPT ? [] : ['wrong Sec-WebSocket-Accept for the RFC sample']),
});
add({
  id: '11.1.2',
  desc: 'no subprotocol or extension offered: none in the response, status line HTTP/1.1 101',
  request: req(),
  ok: [101],
  check: (r) => [
    ...(headerValues(r.head.headers, 'sec-websocket-protocol').length ? ['Sec-WebSocket-Protocol in the response'] : []),
    ...(headerValues(r.head.headers, 'sec-websocket-extensions').length ? ['Sec-WebSocket-Extensions in the response'] : []),
    ...(r.head.startLine.startsWith('HTTP/1.1 101') ? [] : [`status line ${JSON.stringify(r.head.startLine)}`]),
  ],
});
add({
  id: '11.1.3',
  desc: 'a text frame in the same write as the request: 101, then its echo',
  request: (port, key) => Buffer.concat([Buffer.from(req()(port, key), 'latin1'), encodeFrame({ opcode: OP.TEXT, payload: 'handshake check', mask: true })]),
  pipelined: true,
  ok: [101],
});
add({ id: '11.1.4', desc: 'request target with a query string and an encoded space', request: req(undefined, { path: '/chat/room%201?x=1&y=%20' }), ok: [101] });
add({ id: '11.1.5', desc: 'request written 1 byte at a time', request: req(), chop: 1, ok: [101] });
add({
  id: '11.1.6',
  desc: 'unknown and ordinary extra headers (User-Agent, Cookie, X-Custom, Pragma)',
  request: req(plus(['User-Agent', 'conformance/1.0'], ['Cookie', 'a=b; c=d'], ['X-Custom', 'value'], ['Pragma', 'no-cache'])),
  ok: [101],
});
add({ id: '11.1.7', desc: 'request with an Origin from another site (no allow-list configured)', request: req(plus(['Origin', 'https://evil.example'])), ok: [101, 403], notes: { 101: 'accepted: no origin check by default' } });

// 11.2 header-name and value case.
add({ id: '11.2.1', desc: 'all header names in lower case', request: req((h) => h.map(([n, v]) => [n.toLowerCase(), v])), ok: [101] });
add({ id: '11.2.2', desc: 'all header names in upper case', request: req((h) => h.map(([n, v]) => [n.toUpperCase(), v])), ok: [101] });
add({ id: '11.2.3', desc: 'values in odd case: "Upgrade: WebSocket", "Connection: UPGRADE"', request: req((h) => replace('Connection', 'UPGRADE')(replace('Upgrade', 'WebSocket')(h))), ok: [101] });
add({ id: '11.2.4', desc: 'values padded with spaces', request: req((h) => h.map(([n, v]) => [n, `   ${v}   `])), ok: [101] });
add({
  id: '11.2.5',
  desc: 'values padded with tabs (optional whitespace, RFC 7230 3.2)',
  request: req((h) => h.map(([n, v]) => [n, `\t${v}\t`])),
  ok: [101],
  nonStrict: [400, 426],
  notes: { 400: 'tabs around the values not taken as whitespace', 426: 'a tab after "Upgrade" in Connection hides the token (Node\'s HTTP parser)' },
});

// 11.3 Connection tokens.
add({ id: '11.3.1', desc: 'Connection: keep-alive, Upgrade', request: req(replace('Connection', 'keep-alive, Upgrade')), ok: [101] });
add({ id: '11.3.2', desc: 'Connection: Upgrade, keep-alive', request: req(replace('Connection', 'Upgrade, keep-alive')), ok: [101] });
add({ id: '11.3.3', desc: 'Connection: keep-alive,upgrade (no space)', request: req(replace('Connection', 'keep-alive,upgrade')), ok: [101] });
add({ id: '11.3.4', desc: 'two Connection headers: keep-alive and Upgrade', request: req((h) => [...replace('Connection', 'keep-alive')(h), ['Connection', 'Upgrade']]), ok: [101] });
add({ id: '11.3.5', desc: 'Connection: keep-alive, Upgrade, HTTP2-Settings', request: req(replace('Connection', 'keep-alive, Upgrade, HTTP2-Settings')), ok: [101] });
add({ id: '11.3.6', desc: 'Connection: close (no upgrade token)', request: req(replace('Connection', 'close')), ok: REJECT, nonStrict: ['drop'] });
add({ id: '11.3.7', desc: 'Connection: Upgradex (a token that only starts with "upgrade")', request: req(replace('Connection', 'Upgradex')), ok: REJECT, nonStrict: ['drop'] });

// 11.4 missing or wrong headers.
add({ id: '11.4.1', desc: 'no Upgrade header', request: req(without('Upgrade')), ok: REJECT, nonStrict: ['drop'] });
add({ id: '11.4.2', desc: 'no Connection header', request: req(without('Connection')), ok: REJECT, nonStrict: ['drop'] });
add({ id: '11.4.3', desc: 'no Sec-WebSocket-Key header', request: req(without('Sec-WebSocket-Key')), ok: [400], nonStrict: [426, 'drop'] });
add({ id: '11.4.4', desc: 'no Sec-WebSocket-Version header', request: req(without('Sec-WebSocket-Version')), ok: REJECT, nonStrict: ['drop'] });
add({ id: '11.4.5', desc: 'no Host header', request: req(without('Host')), ok: [400], nonStrict: [101, 'drop'], notes: { 101: 'accepted without Host (RFC 6455 4.2.1 requires it)' } });
add({ id: '11.4.6', desc: 'Upgrade: h2c', request: req(replace('Upgrade', 'h2c')), ok: REJECT, nonStrict: ['drop'] });
add({ id: '11.4.7', desc: 'Upgrade: websocket/13 (a protocol version attached)', request: req(replace('Upgrade', 'websocket/13')), ok: REJECT, nonStrict: ['drop'] });

// 11.5 duplicated headers.
add({ id: '11.5.1', desc: 'two different Sec-WebSocket-Key headers', request: req((h) => [...h, ['Sec-WebSocket-Key', newKey()]]), ok: [400], nonStrict: [426, 'drop'] });
add({ id: '11.5.2', desc: 'the same Sec-WebSocket-Key twice', request: req((h) => [...h, h.find(([n]) => n === 'Sec-WebSocket-Key')]), ok: [400], nonStrict: [426, 'drop', 101] });
add({ id: '11.5.3', desc: 'Sec-WebSocket-Version: 13 twice', request: req(plus(['Sec-WebSocket-Version', '13'])), ok: REJECT, nonStrict: [101, 'drop'] });
add({ id: '11.5.4', desc: 'Upgrade: websocket twice', request: req(plus(['Upgrade', 'websocket'])), ok: [101, 400], nonStrict: ['drop'] });
add({ id: '11.5.5', desc: 'two Host headers', request: req(plus(['Host', 'evil.example'])), ok: [400], nonStrict: [101, 'drop'], notes: { 101: 'accepted two Host headers' } });

// 11.6 versions.
const wantsVersionHeader = (r) => (r.status === 426 && !headerTokens(r.head.headers, 'sec-websocket-version').includes('13') ? ['426 without "Sec-WebSocket-Version: 13"'] : []);
const VERSIONS = [
  ['8', [426], [101], 'accepted draft version 8 (hybi-08)'],
  ['14', [426]],
  ['abc', REJECT],
  ['13, 8', REJECT],
  ['', REJECT],
  ['013', REJECT, [101], 'read "013" as 13 (the grammar has no leading zeros)'],
];
VERSIONS.forEach(([v, ok, lenient = [], why = ''], i) => {
  add({
    id: `11.6.${i + 1}`,
    desc: `Sec-WebSocket-Version: ${JSON.stringify(v)}`,
    request: req(replace('Sec-WebSocket-Version', v)),
    ok,
    nonStrict: [400, 'drop', ...lenient],
    notes: { 101: why, 400: ok.includes(426) ? '400 where 426 with "Sec-WebSocket-Version: 13" fits' : '' },
    check: wantsVersionHeader,
    problemVerdict: 'NON-STRICT',
  });
});

// 11.7 methods and HTTP versions.
add({ id: '11.7.1', desc: 'HTTP/1.0 request', request: req(undefined, { version: 'HTTP/1.0' }), ok: [400, 426, 505], nonStrict: [101, 'drop'], notes: { 101: 'accepted HTTP/1.0 (RFC 6455 4.2.1 asks for HTTP/1.1 or higher)' } });
add({ id: '11.7.2', desc: 'POST with the upgrade headers', request: req(plus(['Content-Length', '0']), { method: 'POST' }), ok: [400, 405], nonStrict: [426, 'drop'] });
add({ id: '11.7.3', desc: 'HEAD with the upgrade headers', request: req(undefined, { method: 'HEAD' }), ok: [400, 405], nonStrict: [426, 'drop'] });
add({ id: '11.7.4', desc: 'request line "GET / HTTP/2.0"', request: req(undefined, { version: 'HTTP/2.0' }), ok: [400, 426, 505], nonStrict: ['drop', 101], notes: { 101: 'accepted an HTTP/1.1-style upgrade labelled HTTP/2.0' } });

// 11.8 keys.
const keys = [
  ['not base64', 'not a base64 key!!'],
  ['base64 of 15 bytes', Buffer.alloc(15, 7).toString('base64')],
  ['base64 of 17 bytes', Buffer.alloc(17, 7).toString('base64')],
  ['empty', ''],
  ['16 bytes without the "==" padding', newKey().slice(0, 22)],
  ['of 24 characters with a space inside', ((k) => `${k.slice(0, 10)} ${k.slice(11)}`)(newKey())],
];
keys.forEach(([name, value], i) => {
  add({ id: `11.8.${i + 1}`, desc: `Sec-WebSocket-Key ${name}`, request: req(replace('Sec-WebSocket-Key', value)), ok: [400], nonStrict: [426, 'drop'] });
});

// 11.9 subprotocols.
const chosenFrom = (offered) => (r) => {
  const chosen = headerValues(r.head.headers, 'sec-websocket-protocol');
  if (chosen.length === 0) return [];
  if (chosen.length > 1 || !offered.includes(chosen[0])) return [`chose ${JSON.stringify(chosen)} from ${JSON.stringify(offered)}`];
  return [];
};
const selects = (want) => (r) => {
  const chosen = headerValues(r.head.headers, 'sec-websocket-protocol');
  return chosen.length === 1 && chosen[0] === want ? [] : [`Sec-WebSocket-Protocol ${JSON.stringify(chosen)}, expected ${want}`];
};
add({ id: '11.9.1', desc: 'offers "chat": the answer names chat or nothing', request: req(plus(['Sec-WebSocket-Protocol', 'chat'])), ok: [101], check: chosenFrom(['chat']) });
add({ id: '11.9.2', desc: 'offers "chat, superchat": one of them or nothing', request: req(plus(['Sec-WebSocket-Protocol', 'chat, superchat'])), ok: [101], check: chosenFrom(['chat', 'superchat']) });
add({ id: '11.9.3', desc: 'offers chat and superchat in two headers', request: req(plus(['Sec-WebSocket-Protocol', 'chat'], ['Sec-WebSocket-Protocol', 'superchat'])), ok: [101], check: chosenFrom(['chat', 'superchat']) });
add({
  id: '11.9.4',
  desc: 'handleProtocols picks "superchat" from "chat, superchat"',
  server: { handleProtocols: (protocols) => ([...protocols].includes('superchat') ? 'superchat' : false) },
  request: req(plus(['Sec-WebSocket-Protocol', 'chat, superchat'])),
  ok: [101],
  check: selects('superchat'),
});
add({
  id: '11.9.5',
  desc: 'handleProtocols returns false: 101 without Sec-WebSocket-Protocol',
  server: { handleProtocols: () => false },
  request: req(plus(['Sec-WebSocket-Protocol', 'chat'])),
  ok: [101],
  check: (r) => (headerValues(r.head.headers, 'sec-websocket-protocol').length ? ['answered a protocol although none was chosen'] : []),
});
add({ id: '11.9.6', desc: 'malformed list "chat,,superchat"', request: req(plus(['Sec-WebSocket-Protocol', 'chat,,superchat'])), ok: [400], nonStrict: [101], check: chosenFrom(['chat', 'superchat']), notes: { 101: 'accepted a list with an empty element (RFC 7230 7 lets recipients skip empty elements)' } });
add({ id: '11.9.7', desc: 'duplicate protocols "chat, chat"', request: req(plus(['Sec-WebSocket-Protocol', 'chat, chat'])), ok: [400], nonStrict: [101], check: chosenFrom(['chat']), notes: { 101: 'accepted a repeated protocol' } });
add({ id: '11.9.8', desc: 'a token with a separator "chat/1.0"', request: req(plus(['Sec-WebSocket-Protocol', 'chat/1.0'])), ok: [400], nonStrict: [101], check: chosenFrom(['chat/1.0']), notes: { 101: 'accepted "/" inside a token' } });
add({ id: '11.9.9', desc: 'empty Sec-WebSocket-Protocol header', request: req(plus(['Sec-WebSocket-Protocol', ''])), ok: [101, 400], check: chosenFrom([]) });
add({
  id: '11.9.10',
  desc: '"b", 8000 spaces, "x" as the protocol list: answered within 1 s',
  request: req(plus(['Sec-WebSocket-Protocol', `b${' '.repeat(8000)}x`])),
  ok: [400, 101],
  check: chosenFrom(['b', 'x']),
  afterMs: 1000,
});

// 11.10 extension offers the server does not know (and prototype-named ones).
const offeredOnly = (offered) => (r) => {
  const names = headerTokens(r.head.headers, 'sec-websocket-extensions').map((t) => t.split(';')[0].trim());
  const bad = names.filter((n) => !offered.includes(n));
  return bad.length ? [`answered extensions not offered: ${bad.join(', ')}`] : [];
};
const extensionOffers = [
  ['x-unknown', ['x-unknown']],
  ['constructor', ['constructor']],
  [',;constructor', ['constructor']],
  ['hasOwnProperty, toString', ['hasownproperty', 'tostring']],
  ['foo; constructor', ['foo']],
  ['__proto__; x=1', ['__proto__']],
];
extensionOffers.forEach(([offer, names], i) => {
  add({
    id: `11.10.${i + 1}`,
    desc: `Sec-WebSocket-Extensions: ${offer}`,
    request: req(plus(['Sec-WebSocket-Extensions', offer])),
    ok: [101, 400],
    check: offeredOnly(names),
  });
});

// 11.11 oversized header blocks.
add({ id: '11.11.1', desc: 'one 64 KiB header value', request: req(plus(['X-Big', 'a'.repeat(64 * 1024)])), ok: [431], nonStrict: [400, 413, 'drop'], informational: [101] });
add({
  id: '11.11.2',
  desc: '2000 headers of about 30 bytes (60 KiB)',
  request: req((h) => [...h, ...Array.from({ length: 2000 }, (_, i) => [`X-Header-${i}`, 'some value'])]),
  ok: [431],
  nonStrict: [400, 413, 'drop'],
  informational: [101],
});
add({
  id: '11.11.3',
  desc: '2000 headers before the upgrade headers (past a header-count limit)',
  request: (port, key) => requestHead({ headers: [...Array.from({ length: 2000 }, (_, i) => [`X-Header-${i}`, 'v']), ...standardHeaders(port, key)] }),
  ok: [400, 431],
  nonStrict: [413, 'drop'],
  informational: [101],
});

// 11.12 slow and unfinished requests.
add({
  id: '11.12.1',
  desc: `a request that never finishes (handshakeTimeout ${HANDSHAKE_TIMEOUT_MS} ms offered to the target): closed within ${NEVER_FINISHES_WAIT_MS / 1000} s`,
  server: { handshakeTimeout: HANDSHAKE_TIMEOUT_MS },
  request: (port) => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n`,
  timeoutMs: NEVER_FINISHES_WAIT_MS,
  ok: ['drop', 408, 400],
  nonStrict: ['none'],
  notes: { none: `still open after ${NEVER_FINISHES_WAIT_MS / 1000} s: no handshake timeout (Node's headersTimeout is 60 s)` },
});
add({ id: '11.12.2', desc: 'a correct request written 1 byte every 2 ms', request: req(), chop: 1, delayMs: 2, timeoutMs: 5000, ok: [101] });
add({ id: '11.12.3', desc: 'TLS ClientHello bytes on the plain port', request: () => Buffer.from('16030100a5010000a103035b', 'hex'), timeoutMs: 1500, ok: [400, 'drop'], nonStrict: ['none'] });

export default cases;

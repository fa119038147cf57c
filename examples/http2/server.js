// A page and its WebSockets on one port, over HTTP/2 with TLS.
//
//   npx tsc -p tsconfig.json && node examples/http2/server.js
//
// then open https://localhost:8443/ (the certificate is the self-signed test
// one: accept the warning). Browsers open the page's wss:// WebSocket as an
// HTTP/2 stream on the page's own connection (RFC 8441); clients without
// HTTP/2 use the usual HTTP/1.1 upgrade on the same port (allowHTTP1).
// `node examples/http2/server.js --client` also connects a wsx client over HTTP/2.
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { WebSocket, WebSocketServer } from '../../dist/index.js';
import { TEST_CERT, TEST_KEY } from './test-certificate.js';

const PORT = Number(process.env.PORT ?? 8443);
const page = readFileSync(new URL('./index.html', import.meta.url));

const server = http2.createSecureServer({
  key: TEST_KEY,
  cert: TEST_CERT,
  allowHTTP1: true,
  // Bound what one client can open at once (Node's default is unlimited).
  settings: { maxConcurrentStreams: 256 },
});

// Ordinary requests: the page. WebSocket streams never reach this handler.
server.on('request', (req, res) => {
  if (req.url !== '/') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(page);
});

// Attaching turns SETTINGS_ENABLE_CONNECT_PROTOCOL on for the server.
const wss = new WebSocketServer({ server, path: '/echo', perMessageDeflate: true });

wss.on('connection', (ws, req) => {
  // req.httpVersion is '2.0' for an HTTP/2 stream, '1.1' for an upgrade.
  console.log(`WebSocket over HTTP/${ws.httpVersion} from ${req.socket.remoteAddress}`);
  ws.send(`hello, you came over HTTP/${ws.httpVersion}`);
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});

server.listen(PORT, () => {
  const { port } = server.address();
  console.log(`https://localhost:${port}/`);
  if (process.argv.includes('--client')) runClient(port);
});

function runClient(port) {
  // http2: true shares one session per origin between WebSockets.
  const ws = new WebSocket(`wss://localhost:${port}/echo`, { http2: true, ca: TEST_CERT });
  ws.on('message', (data) => {
    console.log(`client (HTTP/${ws.httpVersion}) got: ${data}`);
    if (String(data) === 'ping over h2') ws.close(1000, 'done');
    else ws.send('ping over h2');
  });
  ws.on('close', (code, reason) => {
    console.log(`client closed: ${code} ${reason}`);
    wss.close();
    server.close();
  });
}

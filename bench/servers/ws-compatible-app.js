// The application every ws-compatible server runs (ws and wsx share it, so they are
// measured on identical code): echo each message with its type; on /pub, broadcast to the
// /sub connections — with `wss.publish` when the server has pub/sub, else the usual loop
// over `wss.clients` skipping the sender.

import { serveControl } from './control-channel.js';

const TOPIC = 'bench';

/**
 * @param {Function} WebSocketServer the ws-compatible server class
 * @param {object} details extra fields for the ready line
 * @param {object} [httpServer] a server (an http2 one, say) to attach to instead of a port of
 *   its own; it is listened on here
 */
export function runWsCompatibleServer(WebSocketServer, details, httpServer) {
  const common = { maxPayload: 4 * 1024 * 1024, perMessageDeflate: false };
  const wss = new WebSocketServer(httpServer ? { server: httpServer, ...common } : { host: '127.0.0.1', port: 0, ...common });
  const hasPublish = typeof wss.publish === 'function';
  wss.on('connection', (ws, req) => {
    ws.on('error', () => {}); // the load resets sockets when a run ends
    if (req.url === '/sub') {
      if (hasPublish) ws.subscribe(TOPIC);
      return;
    }
    if (req.url === '/pub') {
      if (hasPublish) {
        ws.on('message', (data, isBinary) => wss.publish(TOPIC, data, { binary: isBinary }));
      } else {
        ws.on('message', (data, isBinary) => {
          for (const client of wss.clients) {
            if (client !== ws) client.send(data, { binary: isBinary });
          }
        });
      }
      return;
    }
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  wss.on('error', (err) => {
    process.stderr.write(`server error: ${err.stack ?? err}\n`);
    process.exit(1);
  });
  const ready = () => serveControl({ port: (httpServer ?? wss).address().port, broadcast: hasPublish ? 'publish' : 'loop', ...details });
  if (httpServer) httpServer.listen(0, '127.0.0.1', ready);
  else wss.on('listening', ready);
}

// A connected pair of in-process WebSockets on 127.0.0.1 (one side from the
// implementation under test, the other from a Node peer such as `ws`), with
// the bookkeeping to close everything in an `after` hook.
import { nextEvent, settleWithin, withTimeout } from './peers.js';

const OPEN = 1;

export class NodePairFactory {
  /**
   * @param {object} o
   * @param {Function} o.Server WebSocketServer class (ws-compatible)
   * @param {Function} o.Client WebSocket class (ws-compatible)
   * @param {object} [o.serverOptions]
   * @param {object} [o.clientOptions]
   */
  constructor({ Server, Client, serverOptions = {}, clientOptions = {} }) {
    this.Server = Server;
    this.Client = Client;
    this.serverOptions = serverOptions;
    this.clientOptions = clientOptions;
    this.server = null;
    this.url = '';
    this.sockets = new Set();
  }

  async start() {
    this.server = new this.Server({ host: '127.0.0.1', port: 0, ...this.serverOptions });
    this.server.on('connection', (ws) => this.sockets.add(ws));
    await nextEvent(this.server, 'listening', 5_000);
    this.url = `ws://127.0.0.1:${this.server.address().port}/interop`;
  }

  /** Opens a client and resolves once both ends are open. */
  async open(clientOptions = {}) {
    const connection = nextEvent(this.server, 'connection', 5_000);
    const client = new this.Client(this.url, { ...this.clientOptions, ...clientOptions });
    this.sockets.add(client);
    const clientError = new Promise((_, reject) => client.once('error', reject));
    const [[server]] = await withTimeout(
      Promise.race([Promise.all([connection, nextEvent(client, 'open', 5_000)]), clientError]),
      6_000,
      'opening a pair',
    );
    return { client, server };
  }

  /** Reuses `pair` while both ends are open, otherwise opens a new one. */
  async reuse(pair, clientOptions) {
    if (pair && pair.client.readyState === OPEN && pair.server.readyState === OPEN) return pair;
    return this.open(clientOptions);
  }

  async stop() {
    for (const ws of this.sockets) {
      // terminate() destroys the socket; late errors from it are irrelevant here.
      ws.on('error', () => {});
      ws.terminate();
    }
    this.sockets.clear();
    if (this.server) {
      const server = this.server;
      this.server = null;
      await settleWithin(new Promise((resolve) => server.close(() => resolve())), 5_000);
    }
  }
}

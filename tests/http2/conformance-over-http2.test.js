// The conformance suite's framing, fragmentation, UTF-8 and close categories
// (tests/conformance/cases) over HTTP/2 (h2c), in both roles: the suite's raw
// peer (PeerSession: hand-assembled frames, chopped writes, every byte of the
// target's answers recorded) speaks on an extended CONNECT stream instead of
// a TCP connection. Only the transport differs from tests/conformance: the
// cases, the scripts and the verdicts are the suite's own.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { categories, allCases } from '../conformance/cases/index.js';
import { Runner } from '../conformance/runner.js';
import { loadTarget, startEchoClient } from '../conformance/targets.js';
import { PeerSession } from '../conformance/peer-session.js';
import { waitUntil } from '../conformance/wait-until.js';
import { connectHeaders, rawSession } from '../helpers/http2-fixtures.js';

const CATEGORIES = new Set(['1', '5', '6', '7']);
const OPEN_WAIT_MS = 5000;

/** PeerSession was written for a net.Socket; a stream lacks only this. */
function asPeerSocket(stream) {
  stream.setNoDelay = () => {};
  return stream;
}

/** An extended CONNECT stream's answer, or null when the stream closed first. */
function response(stream) {
  return new Promise((resolve) => {
    stream.once('response', (headers) => resolve(headers));
    stream.once('close', () => resolve(null));
  });
}

class Http2Runner extends Runner {
  /** The target's echo server on an h2c server, recording what the application saw per path. */
  async h2EchoServer() {
    if (this.h2Echo) return this.h2Echo;
    const server = http2.createServer();
    const wss = new this.target.WebSocketServer({ server });
    const observations = new Map();
    wss.on('connection', (ws, req) => {
      const obs = { opened: true, messages: 0, closeCode: null, closeReason: null, errors: [], protocol: ws.protocol };
      observations.set(req.url, obs);
      ws.on('message', (data, isBinary) => {
        obs.messages++;
        if (ws.readyState === 1) ws.send(data, { binary: isBinary });
      });
      ws.on('error', (err) => obs.errors.push(err.code ?? err.message));
      ws.on('close', (code, reason) => {
        obs.closeCode = code;
        obs.closeReason = reason?.toString();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const session = await rawSession(`http://127.0.0.1:${server.address().port}`);
    this.h2Echo = {
      observations,
      session,
      async close() {
        session.destroy();
        for (const ws of wss.clients) ws.terminate();
        await new Promise((resolve) => wss.close(() => resolve()));
        await new Promise((resolve) => server.close(() => resolve()));
      },
    };
    return this.h2Echo;
  }

  /** A raw h2c server: each WebSocket stream is answered 200 and handed to the next accept(). */
  async h2RawServer() {
    if (this.h2Raw) return this.h2Raw;
    const server = http2.createServer({ settings: { enableConnectProtocol: true } });
    const sessions = new Set();
    let pending = null;
    server.on('session', (session) => {
      sessions.add(session);
      session.on('error', () => {});
      session.once('close', () => sessions.delete(session));
    });
    server.on('stream', (stream) => {
      stream.on('error', () => {});
      const p = pending;
      pending = null;
      if (!p) {
        stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      clearTimeout(p.timer);
      stream.respond({ ':status': 200 }, { endStream: false });
      p.resolve({ session: new PeerSession(asPeerSocket(stream), { role: 'server', t0: performance.now() }) });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.h2Raw = {
      port: server.address().port,
      accept(timeoutMs = 3000) {
        return new Promise((resolve) => {
          pending = {
            resolve,
            timer: setTimeout(() => {
              pending = null;
              resolve({ error: 'the target client opened no stream' });
            }, timeoutMs),
          };
        });
      },
      async close() {
        for (const session of sessions) session.destroy();
        await new Promise((resolve) => server.close(() => resolve()));
      },
    };
    return this.h2Raw;
  }

  async runAgainstServer(c) {
    const srv = await this.h2EchoServer();
    const path = `/${c.id}`;
    const stream = srv.session.request(connectHeaders(path), { endStream: false });
    stream.on('error', () => {});
    const headers = await response(stream);
    if (headers === null || headers[':status'] !== 200) {
      stream.destroy();
      return { verdict: 'FAILED', close: 'none', note: `handshake: ${headers === null ? 'stream closed' : `status ${headers[':status']}`}` };
    }
    const s = new PeerSession(asPeerSocket(stream), { role: 'client' });
    s.handshake = { head: null, problems: [] };
    s.t0 = performance.now();
    const r = await this.runScript(c, s);
    const obs = srv.observations.get(path);
    if (obs?.errors.length) r.appErrors = obs.errors;
    return r;
  }

  async runAgainstClient(c) {
    const raw = await this.h2RawServer();
    const accepting = raw.accept();
    const client = startEchoClient(this.target, `ws://127.0.0.1:${raw.port}/${c.id}`, undefined, { http2: true });
    const conn = await accepting;
    if (!conn.session) {
      client.terminate();
      return { verdict: 'FAILED', close: 'none', note: `handshake: ${conn.error} (client errors: ${client.obs.errors.join(', ') || 'none'})` };
    }
    const opened = await waitUntil(() => client.obs.opened || client.obs.closeCode !== null, OPEN_WAIT_MS);
    if (!opened || !client.obs.opened) {
      conn.session.socket.destroy();
      client.terminate();
      return { verdict: 'FAILED', close: 'none', note: `the client did not open (errors: ${client.obs.errors.join(', ') || 'none'})` };
    }
    if (client.ws.httpVersion !== '2') {
      client.terminate();
      return { verdict: 'FAILED', close: 'none', note: `the client runs on HTTP/${client.ws.httpVersion}` };
    }
    conn.session.t0 = performance.now();
    const r = await this.runScript(c, conn.session);
    await Promise.race([client.done, new Promise((resolve) => setTimeout(resolve, 300))]);
    client.terminate();
    return r;
  }

  async close() {
    await super.close();
    await this.h2Echo?.close();
    await this.h2Raw?.close();
  }
}

const target = await loadTarget('wsx');
const runner = new Http2Runner(target);
after(() => runner.close());

const cases = allCases();
for (const role of ['server', 'client']) {
  for (const cat of categories) {
    if (!CATEGORIES.has(String(cat.category))) continue;
    const selected = cases.filter((c) => c.category === cat.category && c.roles.includes(role) && !c.custom);
    if (!selected.length) continue;
    test(`conformance over HTTP/2, ${role} role: ${cat.category} ${cat.title} (${selected.length} cases)`, async (t) => {
      const failed = [];
      const verdicts = {};
      for (const c of selected) {
        const r = await runner.runCase(c, role);
        verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
        if (r.verdict === 'FAILED') failed.push(`${r.id} ${r.description} [close ${r.close}]: ${r.note}`);
      }
      t.diagnostic(`verdicts: ${JSON.stringify(verdicts)}`);
      assert.deepEqual(failed, [], `FAILED cases:\n${failed.join('\n')}`);
      assert.ok(verdicts.OK > 0);
    });
  }
}

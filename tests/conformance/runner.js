// Runs conformance cases one at a time against a target, in the server role
// (raw client → target's WebSocketServer) and the client role (target's
// WebSocket → raw server), and collects one result per case and role.

import { performance } from 'node:perf_hooks';
import { openSession } from './raw-client.js';
import { startRawServer } from './raw-server.js';
import { startEchoServer, startEchoClient } from './targets.js';
import { judge, observedClose, rank } from './verdict.js';
import { waitUntil } from './wait-until.js';

// How long the target gets to react: to echo (generous, so a loaded machine
// cannot turn a slow echo into FAILED) or to fail the connection (shorter: a
// target that ignores a violation costs this much per case).
const ECHO_WAIT_MS = 5000;
const FAIL_WAIT_MS = 2000;
const QUIET_MS = 300;
const RUN_LIMIT_MS = 20000; // safety net for a case's own script
const TCP_CLOSE_WAIT_MS = 1000; // how long a target server gets to close TCP after the closing handshake

function withLimit(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} exceeded ${ms} ms`)), ms);
    }),
  ]);
}

/** Bring the exchange to an end the way the expectation needs, bounded in time. */
async function settle(expect, s, waitMs) {
  const alternatives = Array.isArray(expect) ? expect : [expect];
  const primary = alternatives[0];
  if (primary.echo) {
    // Wait for the primary echo; when a shorter alternative is met (e.g. one
    // pong for ten pings), stop once nothing more arrives for QUIET_MS.
    const shortest = Math.min(...alternatives.filter((a) => a.echo).map((a) => a.echo.length));
    const deadline = performance.now() + waitMs;
    for (;;) {
      const before = s.items.length;
      if (await s.waitFor(() => s.items.length >= primary.echo.length || s.targetGone, QUIET_MS)) break;
      if (performance.now() > deadline) break;
      if (s.items.length >= shortest && s.items.length === before) break;
    }
    await s.waitFor(() => s.targetGone, 10); // a short grace to catch anything extra
  } else {
    await s.waitTargetGone(waitMs);
  }
  if (!s.targetGone && !s.closed) {
    // Start the closing handshake: an echo expectation is judged on it, and it
    // releases a target that ignored what it should have failed on.
    s.closedBySettle = true;
    await s.sendClose(1000);
    await s.waitTargetGone(waitMs);
  }
  if (s.role === 'client') {
    // The target is the server: it should close TCP first (RFC 6455 7.1.1).
    s.targetClosedTcp = await s.waitFor(() => s.endedAt !== null, TCP_CLOSE_WAIT_MS);
  }
  await s.shutdown(300);
}

export class Runner {
  /**
   * @param {{ name: string, WebSocketServer: any, WebSocket: any }} target
   * @param {{ log?: (result: object) => void }} [opts] called with each result as it comes
   */
  constructor(target, opts = {}) {
    this.target = target;
    this.log = opts.log ?? (() => {});
    this.servers = new Map(); // JSON of options → echo server
    this.rawServer = null;
  }

  async echoServer(options = {}) {
    const key = JSON.stringify(options, (k, v) => (typeof v === 'function' ? v.toString() : v));
    let srv = this.servers.get(key);
    if (!srv) {
      srv = await startEchoServer(this.target, options);
      this.servers.set(key, srv);
    }
    return srv;
  }

  async raw() {
    this.rawServer ??= await startRawServer();
    return this.rawServer;
  }

  async close() {
    for (const srv of this.servers.values()) await srv.close();
    this.servers.clear();
    if (this.rawServer) await this.rawServer.close();
    this.rawServer = null;
  }

  /** Run one case in one role; never throws. */
  async runCase(c, role) {
    const t0 = performance.now();
    let r;
    try {
      if (c.custom) r = await withLimit(c.custom(this.context(role)), RUN_LIMIT_MS, 'case');
      else if (c.sweep) r = await this.runSweep(c, role);
      else r = await this.runFrames(c, role);
    } catch (err) {
      r = { verdict: 'FAILED', close: 'none', note: `harness: ${err.message}` };
    }
    const result = {
      role,
      id: c.id,
      category: c.category,
      description: c.desc,
      verdict: r.verdict,
      close: r.close,
      ms: Math.round(performance.now() - t0),
      note: r.note ?? '',
    };
    this.log(result);
    return result;
  }

  runFrames(c, role) {
    return role === 'server' ? this.runAgainstServer(c) : this.runAgainstClient(c);
  }

  /** Run each sub-case on its own connection; the worst verdict is the case's. */
  async runSweep(c, role) {
    let worst = 'OK';
    const closes = new Set();
    const notes = [];
    for (const sub of c.sweep) {
      const r = await this.runFrames({ ...c, ...sub, sweep: undefined }, role);
      closes.add(r.close);
      if (rank(r.verdict) < rank(worst)) worst = r.verdict;
      if (r.verdict !== 'OK' && notes.length < 8) notes.push(`${sub.label}: ${r.verdict}${r.note ? ` (${r.note})` : ''}`);
    }
    const close = closes.size <= 3 ? [...closes].join(' ') : `${closes.size} codes`;
    return { verdict: worst, close, note: notes.join('; ') };
  }

  context(role) {
    return {
      role,
      target: this.target,
      echoServer: (o) => this.echoServer(o),
      rawServer: () => this.raw(),
      startClient: (url, protocols, options) => startEchoClient(this.target, url, protocols, options),
    };
  }

  async runScript(c, s) {
    let runError = null;
    try {
      await withLimit(Promise.resolve(c.run(s)), RUN_LIMIT_MS, 'script');
    } catch (err) {
      runError = err.message;
    }
    const expect = typeof c.expect === 'function' ? c.expect() : c.expect;
    const primary = Array.isArray(expect) ? expect[0] : expect;
    await settle(expect, s, c.waitMs ?? (primary.echo ? ECHO_WAIT_MS : FAIL_WAIT_MS));
    const j = judge(expect, s);
    let { verdict, note } = j;
    if (s.role === 'client' && s.targetClosedTcp === false && verdict === 'OK') {
      verdict = 'NON-STRICT';
      note = [note, 'the server did not close TCP within 1 s of the closing handshake'].filter(Boolean).join('; ');
    }
    if (runError) note = [note, `script: ${runError}`].filter(Boolean).join('; ');
    return { verdict, note, close: observedClose(s) };
  }

  async runAgainstServer(c) {
    const srv = await this.echoServer(c.server ?? {});
    const path = `/${c.id}`;
    const s = await openSession(srv.port, path);
    if (s.handshake.problems.length) {
      s.socket.destroy();
      return { verdict: 'FAILED', close: 'none', note: `handshake: ${s.handshake.problems.join('; ')}` };
    }
    s.t0 = performance.now();
    const r = await this.runScript(c, s);
    const obs = srv.observations.get(path);
    if (obs?.errors.length) r.appErrors = obs.errors;
    return r;
  }

  async runAgainstClient(c) {
    const raw = await this.raw();
    const accepting = raw.accept();
    const client = startEchoClient(this.target, `ws://127.0.0.1:${raw.port}/${c.id}`, undefined, c.client ?? {});
    const conn = await accepting;
    if (!conn.session) {
      client.terminate();
      return { verdict: 'FAILED', close: 'none', note: `handshake: ${conn.error ?? 'no session'} (client errors: ${client.obs.errors.join(', ') || 'none'})` };
    }
    // Let the client see the 101 before the case starts talking.
    const opened = await waitUntil(() => client.obs.opened || client.obs.closeCode !== null, ECHO_WAIT_MS);
    if (!opened || !client.obs.opened) {
      conn.session.socket.destroy();
      client.terminate();
      return { verdict: 'FAILED', close: 'none', note: `the client did not open (errors: ${client.obs.errors.join(', ') || 'none'})` };
    }
    conn.session.t0 = performance.now();
    const r = await this.runScript(c, conn.session);
    await Promise.race([client.done, new Promise((resolve) => setTimeout(resolve, 300))]);
    client.terminate();
    return r;
  }
}

/**
 * Run the suite (or the cases whose id starts with one of `only`) against a
 * target and return { meta, results }.
 * @param {{ name: string }} target from loadTarget()
 * @param {{ cases: any[], roles?: string[], only?: string[], log?: (r: any) => void }} opts
 */
export async function runSuite(target, { cases, roles = ['server', 'client'], only = [], log }) {
  const started = Date.now();
  const runner = new Runner(target, { log });
  const results = [];
  const selected = cases.filter((c) => !only.length || only.some((p) => c.id === p || c.id.startsWith(`${p}.`)));
  try {
    for (const role of roles) {
      for (const c of selected) {
        if (c.roles.includes(role)) results.push(await runner.runCase(c, role));
      }
    }
  } finally {
    await runner.close();
  }
  return {
    meta: {
      target: target.name,
      targetVersion: target.version ?? '',
      date: new Date(started).toISOString().slice(0, 10),
      node: process.version,
      durationMs: Date.now() - started,
    },
    results,
  };
}

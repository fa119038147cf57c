// Drives tests/interop/peers/websockets_peer.py (Python's websockets) over
// JSON lines: requests with ids on stdin, replies and events on stdout.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PYTHON, budgeted } from './peers.js';

const SCRIPT = fileURLToPath(new URL('../interop/peers/websockets_peer.py', import.meta.url));

export class PythonPeer {
  constructor() {
    this.child = spawn(SYSTEM_PYTHON, ['-u', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.nextId = 1;
    this.pending = new Map(); // id -> { resolve, reject, timer, cmd }
    this.events = []; // unconsumed events, in arrival order
    this.waiters = []; // { match, resolve, reject, timer }
    this.stderr = '';
    this.exited = false;
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (s) => {
      if (this.stderr.length < 20_000) this.stderr += s;
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const err = new Error(`python peer exited (${code ?? signal}); stderr:\n${this.stderr}`);
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(err);
      }
      this.pending.clear();
      for (const w of this.waiters) {
        clearTimeout(w.timer);
        w.reject(err);
      }
      this.waiters = [];
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line));
  }

  onLine(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      this.stderr += `unparsable stdout line: ${line.slice(0, 200)}\n`;
      return;
    }
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg);
      else p.reject(new Error(`python peer ${p.cmd.op} failed: ${msg.error}`));
      return;
    }
    const i = this.waiters.findIndex((w) => w.match(msg));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      clearTimeout(w.timer);
      w.resolve(msg);
    } else {
      this.events.push(msg);
    }
  }

  /** Sends a command; resolves with the reply, rejects on failure or timeout. */
  request(cmd, ms = 15_000) {
    ms = budgeted(ms);
    if (this.exited) return Promise.reject(new Error(`python peer is not running; stderr:\n${this.stderr}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`python peer: no reply to ${cmd.op} within ${ms} ms; stderr:\n${this.stderr}`));
      }, ms);
      this.pending.set(id, { resolve, reject, timer, cmd });
      this.child.stdin.write(JSON.stringify({ ...cmd, id }) + '\n');
    });
  }

  /**
   * The next event named `event` on connection `conn` (any when undefined)
   * whose fields include `where` (e.g. { hex }); each event is consumed once.
   */
  nextEvent(conn, event, ms = 15_000, where = {}) {
    ms = budgeted(ms);
    const match = (m) =>
      m.event === event &&
      (conn === undefined || m.conn === conn) &&
      Object.entries(where).every(([k, v]) => m[k] === v);
    const i = this.events.findIndex(match);
    if (i >= 0) return Promise.resolve(this.events.splice(i, 1)[0]);
    if (this.exited) return Promise.reject(new Error(`python peer is not running; stderr:\n${this.stderr}`));
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve, reject, timer: null };
      waiter.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`python peer: no '${event}' event on conn ${conn} within ${ms} ms; stderr:\n${this.stderr}`));
      }, ms);
      this.waiters.push(waiter);
    });
  }

  /** Closes stdin (the peer then shuts down) and kills it if it lingers. */
  async stop() {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
}

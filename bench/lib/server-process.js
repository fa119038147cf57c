// Starts one benchmark server, waits for its ready line and talks to it over stdin/stdout
// (see bench/servers/control-channel.js). stderr is kept so a crash can be reported.

import { spawn } from 'node:child_process';
import { track } from './child-registry.js';
import { pinned, pinningPlan } from './pinning.js';

const READY_TIMEOUT_MS = 15_000;
const STATS_TIMEOUT_MS = 10_000;

export class ServerProcess {
  constructor(target) {
    this.target = target;
    this.child = null;
    this.info = null;
    this.stderr = '';
    this.exited = false;
    this.exitCode = null;
    this.lineWaiters = [];
    this.pendingText = '';
  }

  async start() {
    // WSX_BENCH_SERVER_WRAP runs each server under a tool, e.g. 'strace -c -f -o /tmp/sys.txt'
    // to count its system calls (bench/notes.md uses it for the large-message limit).
    const wrap = (process.env.WSX_BENCH_SERVER_WRAP ?? '').split(/\s+/).filter(Boolean);
    const base = wrap.length === 0
      ? { command: this.target.command, args: this.target.args }
      : { command: wrap[0], args: [...wrap.slice(1), this.target.command, ...this.target.args] };
    const { command, args } = pinned(pinningPlan().serverCpu, base.command, base.args);
    this.child = track(
      spawn(command, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, ...this.target.env },
      }),
    );
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => this.onStdout(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.child.stdin.on('error', () => {});
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      this.exitCode = code ?? signal;
      for (const w of this.lineWaiters.splice(0)) w.reject(this.crashError());
    });
    this.child.on('error', (err) => {
      this.exited = true;
      for (const w of this.lineWaiters.splice(0)) w.reject(err);
    });
    this.info = await this.nextLine('ready', READY_TIMEOUT_MS);
    return this.info;
  }

  get pid() {
    return this.child?.pid ?? 0;
  }

  crashError() {
    // The first error line says what happened; the last lines say where.
    const lines = this.stderr.trim().split('\n');
    const first = lines.find((l) => /Error|error:/.test(l));
    const tail = [...new Set([first, ...lines.slice(-4)].filter(Boolean))].join('\n');
    return new Error(`${this.target.label} server exited (${this.exitCode})${tail ? `: ${tail}` : ''}`);
  }

  onStdout(chunk) {
    this.pendingText += chunk;
    let nl;
    while ((nl = this.pendingText.indexOf('\n')) !== -1) {
      const line = this.pendingText.slice(0, nl);
      this.pendingText = this.pendingText.slice(nl + 1);
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        continue; // a stray log line from the server
      }
      const i = this.lineWaiters.findIndex((w) => w.type === msg.type);
      if (i !== -1) this.lineWaiters.splice(i, 1)[0].resolve(msg);
    }
  }

  nextLine(type, timeoutMs) {
    if (this.exited) return Promise.reject(this.crashError());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.lineWaiters.indexOf(waiter);
        if (i !== -1) this.lineWaiters.splice(i, 1);
        reject(new Error(`${this.target.label} server: no "${type}" answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        type,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.lineWaiters.push(waiter);
    });
  }

  /** The server's own RSS/heap/CPU; with gc it collects garbage first (for RSS deltas). */
  stats(gc = false) {
    const answer = this.nextLine('stats', STATS_TIMEOUT_MS);
    if (!this.exited) this.child.stdin.write(gc ? 'stats gc\n' : 'stats\n');
    return answer;
  }

  async stop() {
    if (!this.child || this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end('exit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}

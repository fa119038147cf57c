// The server side of the runner's control channel, over stdin/stdout lines (works the same
// under Node and Bun). The server announces {"type":"ready","port":N}; the runner writes
// "stats" or "stats gc" and gets {"type":"stats",rss,heapUsed,cpuMicros,timeMs}; the server
// measures itself, so RSS is the server process's own. stdin closing means the runner is gone.

function collectGarbage() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  } else if (typeof globalThis.Bun !== 'undefined') {
    globalThis.Bun.gc(true);
  }
}

function send(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

export function serveControl(info) {
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line === 'stats' || line === 'stats gc') {
        if (line === 'stats gc') collectGarbage();
        const mem = process.memoryUsage();
        const cpu = process.cpuUsage();
        send({ type: 'stats', rss: mem.rss, heapUsed: mem.heapUsed, cpuMicros: cpu.user + cpu.system, timeMs: performance.now() });
      } else if (line === 'exit') {
        process.exit(0);
      }
    }
  });
  process.stdin.on('end', () => process.exit(0));
  send({ type: 'ready', ...info });
}

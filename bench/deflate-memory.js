#!/usr/bin/env node
// Memory per idle connection of a wsx server with permessage-deflate, for the
// README's figures:
//
//   node bench/deflate-memory.js [--connections N] [--modes a,b] [--json]
//
// For each mode a wsx echo server runs in its own process (started with
// --expose-gc, so the figures are not blurred by the load); this process opens
// N connections with the `ws` client (which offers permessage-deflate with
// client_max_window_bits, as browsers do), each exchanges one compressed
// 4 KiB text message with the server (so the server has inflated and
// deflated once), and the connections then stay idle. The server reports its
// memory after a full GC before the connections and after them; the
// difference divided by N is the cost of one connection. zlib's own buffers
// live outside the JS heap, so RSS is the figure that counts them.

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebSocket as WsClient } from 'ws';

const MODES = {
  plain: { what: 'no permessage-deflate (the connection itself)', server: false },
  takeover: { what: 'defaults: context takeover, 15-bit windows, memLevel 8', server: true },
  'no-takeover': {
    what: 'server_no_context_takeover + client_no_context_takeover',
    server: { serverNoContextTakeover: true, clientNoContextTakeover: true },
  },
  'mem-level-1': {
    what: 'context takeover, 15-bit windows, zlibDeflateOptions.memLevel 1',
    server: { zlibDeflateOptions: { memLevel: 1 } },
  },
  'small-window': {
    what: 'context takeover, 10-bit windows both ways, memLevel 4',
    server: { serverMaxWindowBits: 10, clientMaxWindowBits: 10, zlibDeflateOptions: { memLevel: 4 } },
  },
  'server-no-takeover': {
    what: 'server_no_context_takeover only (the client keeps its window)',
    server: { serverNoContextTakeover: true },
  },
};

const MESSAGE = Buffer.from('permessage-deflate memory figure: the quick brown fox jumps over the lazy dog. '.repeat(53)).subarray(0, 4096);
const BATCH = 250;
const MiB = 1024 * 1024;

// ---- the server process ----------------------------------------------------------

async function serverMain() {
  const { WebSocketServer } = await import('../dist/index.js');
  const mode = MODES[process.env.DEFLATE_MEMORY_MODE];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: mode.server, clientTracking: true });
  let negotiated = '';
  wss.on('connection', (ws) => {
    negotiated = ws.extensions;
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  await once(wss, 'listening');
  const measure = async () => {
    for (let i = 0; i < 4; i++) {
      global.gc();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, clients: wss.clients.size, negotiated };
  };
  process.on('message', async (msg) => {
    if (msg === 'measure') process.send({ measured: await measure() });
    if (msg === 'exit') {
      for (const ws of wss.clients) ws.terminate();
      wss.close(() => process.exit(0));
    }
  });
  process.send({ port: wss.address().port });
}

// ---- the load (this process) ---------------------------------------------------------

function parseArgs(argv) {
  const opts = { connections: 2000, modes: Object.keys(MODES), json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--connections') opts.connections = Number(argv[++i]);
    else if (a === '--modes') opts.modes = argv[++i].split(',');
    else if (a === '--json') opts.json = true;
    else throw new Error(`unknown option ${a} (--connections N, --modes ${Object.keys(MODES).join(',')}, --json)`);
  }
  if (!Number.isInteger(opts.connections) || opts.connections < 1 || opts.connections > 10000) {
    throw new Error('--connections must be an integer from 1 to 10000');
  }
  for (const m of opts.modes) if (!MODES[m]) throw new Error(`unknown mode ${m}`);
  return opts;
}

function request(child, msg) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(msg);
  });
}

/** Opens one client, exchanges one compressed message, and leaves it open. */
function openOne(url) {
  return new Promise((resolve, reject) => {
    const ws = new WsClient(url, { perMessageDeflate: true });
    const timer = setTimeout(() => reject(new Error('a connection took more than 20 s')), 20000);
    ws.once('error', reject);
    ws.once('open', () => ws.send(MESSAGE));
    ws.once('message', () => {
      clearTimeout(timer);
      resolve(ws);
    });
  });
}

async function runMode(name, connections) {
  const child = fork(fileURLToPath(import.meta.url), ['--server'], {
    execArgv: ['--expose-gc'],
    env: { ...process.env, DEFLATE_MEMORY_MODE: name },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const clients = [];
  try {
    const [{ port }] = await once(child, 'message');
    const url = `ws://127.0.0.1:${port}/`;
    // One connection first, so lazily created state (zlib limiter, code paths) is in the baseline.
    clients.push(await openOne(url));
    const before = (await request(child, 'measure')).measured;
    const started = Date.now();
    while (clients.length < connections + 1) {
      const n = Math.min(BATCH, connections + 1 - clients.length);
      clients.push(...(await Promise.all(Array.from({ length: n }, () => openOne(url)))));
    }
    const after = (await request(child, 'measure')).measured;
    return {
      mode: name,
      what: MODES[name].what,
      extensions: after.negotiated,
      connections,
      seconds: (Date.now() - started) / 1000,
      rssPerConnection: (after.rss - before.rss) / connections,
      heapPerConnection: (after.heapUsed - before.heapUsed) / connections,
      rssTotal: after.rss,
    };
  } finally {
    for (const ws of clients) ws.terminate();
    if (child.connected) child.send('exit');
    await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null) child.kill();
  }
}

const kib = (bytes) => (bytes / 1024).toFixed(1);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const results = [];
  for (const mode of opts.modes) {
    process.stderr.write(`${mode}: ${opts.connections} connections…\n`);
    results.push(await runMode(mode, opts.connections));
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  const lines = [
    `Server memory per idle connection, ${opts.connections} connections on 127.0.0.1, each after one compressed 4 KiB echo (Node ${process.version}).`,
    '',
    '| mode | negotiated | RSS / connection | JS heap / connection | server RSS total |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.mode}: ${r.what} | \`${r.extensions || 'none'}\` | ${kib(r.rssPerConnection)} KiB | ${kib(r.heapPerConnection)} KiB | ${(r.rssTotal / MiB).toFixed(0)} MiB |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv.includes('--server')) {
  await serverMain();
} else {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

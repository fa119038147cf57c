// Load generator process (forked by bench/run.js, pinned to its own core when possible).
// Receives one job over IPC, runs it, sends the result and exits.

import { runEcho } from './echo-job.js';
import { runLatency } from './latency-job.js';
import { runConnect } from './connect-job.js';
import { runBroadcast } from './broadcast-job.js';

const jobs = { echo: runEcho, latency: runLatency, connect: runConnect, broadcast: runBroadcast };

// The runner owns us: if it goes away, stop at once.
process.on('disconnect', () => process.exit(0));

process.on('message', async (msg) => {
  if (!msg || msg.type !== 'job') return;
  try {
    const run = jobs[msg.job.kind];
    if (!run) throw new Error(`unknown job kind ${msg.job.kind}`);
    const result = await run(msg.job);
    process.send({ type: 'result', result }, () => process.exit(0));
  } catch (err) {
    process.send({ type: 'error', message: err instanceof Error ? err.message : String(err) }, () => process.exit(1));
  }
});
process.send({ type: 'ready' });

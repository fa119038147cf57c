// Paired comparison of two builds of wsx on the in-memory server echo path (the "server echo
// path in memory" micro-benchmark), in one process:
//   node bench/micro/paired-echo.js BASE_DIST NEW_DIST [CASE] [SECONDS]
// BASE_DIST and NEW_DIST are compiled dist/ folders (for example a `git worktree` of the
// commit before a change, built with `npx tsc`, beside this tree's dist/). CASE picks the
// stream by a part of its name ("16 B", "1 KiB", "64 KiB"; default "1 KiB").
//
// Why paired and in one process: on these shared VMs the speed of the whole machine moves by
// up to 2x from minute to minute, far more than one change gains. Here both builds are loaded
// side by side (separate module instances, each with its own compiled code) and take turns in
// 50 ms slices, alternating which goes first, so each pair of slices sees the same machine.
// Each slice is CPU time per echoed message; the result is the median of new/base over the
// pairs. The same build on both sides (two copies of one dist/) gives 0.99-1.00, with half
// the pairs within ±3-6 %.

import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { pipelineCases } from './pipeline.bench.js';
import { quantile } from '../lib/stats.js';

const SLICE_MS = 50;

const [baseDist, newDist, which = '1 KiB', seconds = '10'] = process.argv.slice(2);
if (!baseDist || !newDist || !Number(seconds)) {
  process.stderr.write('usage: node bench/micro/paired-echo.js BASE_DIST NEW_DIST [CASE] [SECONDS]\n');
  process.exit(2);
}

async function echoCase(dist) {
  const file = path.resolve(dist, 'api', 'websocket.js');
  if (!existsSync(file)) throw new Error(`${file} not found: build that tree first`);
  const { WebSocket } = await import(pathToFileURL(file).href);
  const found = pipelineCases({ ws: {}, wsx: { WebSocket } }).find((c) => c.impl === 'wsx' && c.case.includes(which));
  if (!found || found.skipped) throw new Error(`no runnable echo case matching "${which}" in ${dist}`);
  return found;
}

let cases;
try {
  cases = { base: await echoCase(baseDist), new: await echoCase(newDist) };
} catch (error) {
  process.stderr.write(`paired-echo: ${error.message}\n`);
  process.exit(1);
}
const samples = { base: [], new: [] };

/** CPU nanoseconds per echoed message over one slice. */
async function slice(c) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let messages = 0;
  while (performance.now() - start < SLICE_MS) {
    await c.fn();
    messages += c.reps;
  }
  const used = process.cpuUsage(cpu);
  return ((used.user + used.system) * 1000) / messages;
}

const end = performance.now() + Number(seconds) * 1000;
for (let turn = 0; performance.now() < end; turn++) {
  for (const name of turn % 2 === 0 ? ['base', 'new'] : ['new', 'base']) samples[name].push(await slice(cases[name]));
}

const ratios = samples.new.map((v, i) => v / samples.base[i]);
process.stdout.write(
  `${cases.base.case}: ${ratios.length} pairs of ${SLICE_MS} ms slices\n` +
    `  base ${baseDist}: median ${quantile(samples.base, 0.5).toFixed(0)} ns CPU per message\n` +
    `  new  ${newDist}: median ${quantile(samples.new, 0.5).toFixed(0)} ns CPU per message\n` +
    `  new/base, median of pairs: ${quantile(ratios, 0.5).toFixed(3)} (quartiles ${quantile(ratios, 0.25).toFixed(3)}-${quantile(ratios, 0.75).toFixed(3)})\n`,
);

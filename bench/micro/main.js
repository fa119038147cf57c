// Micro-benchmarks of the hot-path pieces, wsx beside ws. Run through bench/run.js (which
// pins it and sets WS_NO_BUFFER_UTIL=1 so "ws" is ws's JS path) or directly:
//   node bench/micro/main.js [--time MS] [--json]

import { loadWs, loadBufferutil } from './ws-pieces.js';
import { loadWsx } from './wsx-pieces.js';
import { runCases } from './measure.js';
import { maskCases } from './mask.bench.js';
import { parseCases } from './parse.bench.js';
import { utf8Cases } from './utf8.bench.js';
import { encodeCases } from './encode.bench.js';
import { deflateCases } from './deflate.bench.js';
import { pipelineCases } from './pipeline.bench.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const timeIndex = args.indexOf('--time');
const timeMs = timeIndex !== -1 ? Number(args[timeIndex + 1]) : 300;

const ctx = { ws: loadWs(), bufferutil: loadBufferutil(), wsx: await loadWsx() };
const cases = [
  ...parseCases(ctx),
  ...maskCases(ctx),
  ...utf8Cases(ctx),
  ...encodeCases(ctx),
  ...(await deflateCases(ctx)),
  ...pipelineCases(ctx),
];
const rows = await runCases(cases, timeMs);
if (json) {
  process.stdout.write(JSON.stringify(rows));
} else {
  const { renderMicro } = await import('../lib/report.js');
  process.stdout.write(`${renderMicro(rows)}\n`);
}

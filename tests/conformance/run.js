#!/usr/bin/env node
// The conformance suite's command line:
//   node tests/conformance/run.js [--target wsx|ws] [--out CONFORMANCE.md] [--json conformance.json]
//                                 [--only 6.4,7.9] [--role server|client] [--verbose]
// Against wsx it writes CONFORMANCE.md and conformance.json at the repository
// root by default; against another target only where --out/--json say.
// Exits 1 when a case is FAILED.

import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { categories, allCases } from './cases/index.js';
import { runSuite } from './runner.js';
import { loadTarget } from './targets.js';
import { countVerdicts, writeReports } from './report.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'wsx' },
    out: { type: 'string' },
    json: { type: 'string' },
    only: { type: 'string' },
    role: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

if (values.target !== 'wsx' && values.target !== 'ws') {
  console.error(`unknown target ${values.target} (wsx or ws)`);
  process.exit(2);
}
const out = values.out ?? (values.target === 'wsx' ? path.join(root, 'CONFORMANCE.md') : undefined);
const json = values.json ?? (values.target === 'wsx' ? path.join(root, 'conformance.json') : undefined);

const target = await loadTarget(values.target);
const log = (r) => {
  if (values.verbose || r.verdict === 'FAILED') {
    console.log(`${r.verdict.padEnd(13)} ${r.role.padEnd(6)} ${r.id.padEnd(9)} ${String(r.close).padEnd(9)} ${String(r.ms).padStart(6)} ms  ${r.description}${r.note ? ` — ${r.note}` : ''}`);
  }
};
const report = await runSuite(target, {
  cases: allCases(),
  roles: values.role ? [values.role] : undefined,
  only: values.only ? values.only.split(',').map((s) => s.trim()) : [],
  log,
});
await writeReports({ ...report, categories }, { out, json });
const counts = countVerdicts(report.results);
console.log(`${report.results.length} cases against ${values.target} in ${(report.meta.durationMs / 1000).toFixed(1)} s: ${Object.entries(counts).map(([v, n]) => `${n} ${v}`).join(', ')}${out ? ` — ${path.relative(process.cwd(), out)}` : ''}`);
process.exitCode = counts.FAILED ? 1 : 0;

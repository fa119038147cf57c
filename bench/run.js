#!/usr/bin/env node
// Entry point of `npm run bench`: server scenarios (separate server and load processes,
// pinned to different cores) and micro-benchmarks, reported as Markdown tables or JSON.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs, USAGE } from './lib/args.js';
import { PROFILES, SCENARIOS } from './lib/scenarios.js';
import { discoverTargets } from './lib/targets.js';
import { installCleanup, killAll } from './lib/child-registry.js';
import { runMatrix } from './lib/run-matrix.js';
import { summarizeScenario } from './lib/summarize.js';
import { renderMicro, renderScenario } from './lib/report.js';
import { machineInfo, renderMachine } from './lib/machine-info.js';
import { runMicroSuite } from './lib/micro-process.js';
import { pinningPlan } from './lib/pinning.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (opts.render) {
    renderSaved(opts.render, opts.md ?? 'BENCHMARKS.md');
    return;
  }
  if (opts.noPin) process.env.WSX_BENCH_NO_PIN = '1';
  installCleanup();
  // With --json, stdout carries only the JSON document.
  const log = (line) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);

  const profileName = opts.smoke ? 'smoke' : opts.quick ? 'quick' : 'full';
  const profile = { ...PROFILES[profileName] };
  if (opts.durationMs) {
    profile.durationMs = opts.durationMs;
    profile.warmupMs = Math.min(1000, Math.round(opts.durationMs / 3));
  }
  const runs = opts.runs ?? profile.runs;

  const known = new Set([...SCENARIOS.map((s) => s.name), 'micro', 'echo']);
  for (const name of opts.only ?? []) {
    if (!known.has(name)) throw new Error(`unknown scenario ${name}\n${USAGE}`);
  }
  const wanted = (name) => !opts.only || opts.only.includes(name) || (name.startsWith('echo-') && opts.only.includes('echo'));
  const scenarios = SCENARIOS.filter((s) => wanted(s.name));
  const withMicro = wanted('micro');

  const allTargets = await discoverTargets(repoRoot);
  for (const name of opts.targets ?? []) {
    if (!allTargets.some((t) => t.name === name)) throw new Error(`unknown target ${name}\n${USAGE}`);
  }
  const selected = allTargets.filter((t) => (opts.targets ? opts.targets.includes(t.name) : !t.optIn));
  const targets = selected.filter((t) => !t.skip);
  const machine = machineInfo(repoRoot, allTargets);

  const envUsed = ['BUN_BIN', 'BUFFERUTIL_DIR'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`);
  const command = [...envUsed, 'node bench/run.js', ...withoutMd(process.argv.slice(2))].join(' ');
  log(`# wsx benchmarks (${profileName}: ${runs} run${runs === 1 ? '' : 's'}, ${profile.warmupMs} ms warm-up + ${profile.durationMs} ms measured)`);
  log(renderMachine(machine));
  for (const t of selected) log(`- ${targetLine(t)}`);
  log('');

  const results = await runMatrix(scenarios, targets, profile, runs, (line) => log(line));
  log('');
  const sections = [];
  const summaries = {};
  for (const scenario of scenarios) {
    summaries[scenario.name] = summarizeScenario(scenario, results[scenario.name]);
    const text = renderScenario(scenario, summaries[scenario.name], runs);
    sections.push(text);
    log(text);
  }

  let micro = [];
  if (withMicro) {
    log('  micro-benchmarks…');
    micro = await runMicroSuite(repoRoot, { timeMs: opts.smoke ? 5 : opts.quick ? 100 : 400, bufferutilDir: allTargets.find((t) => t.name === 'ws+bufferutil')?.env.NODE_PATH ?? null });
    const text = renderMicro(micro);
    sections.push(text);
    log(text);
  }

  if (opts.md) {
    const file = path.resolve(repoRoot, opts.md);
    writeFileSync(file, markdownDocument(command, profileName, runs, profile, machine, selected, sections));
    log(`wrote ${path.relative(process.cwd(), file) || file}`);
  }
  if (opts.json) {
    const doc = {
      command,
      profile: profileName,
      runs,
      warmupMs: profile.warmupMs,
      durationMs: profile.durationMs,
      machine,
      pinning: pinningPlan(),
      targets: selected.map((t) => ({ name: t.name, label: t.label, skipped: t.skip ?? null, version: t.version ?? null, note: t.note ?? null })),
      scenarios: Object.fromEntries(scenarios.map((s) => [s.name, { title: s.title, ...summaries[s.name], perRun: results[s.name] }])),
      micro,
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  }
}

/** Rebuilds the Markdown report from a saved --json document (after editing bench/notes.md, say). */
function renderSaved(jsonFile, mdFile) {
  const doc = JSON.parse(readFileSync(path.resolve(jsonFile), 'utf8'));
  const sections = [];
  for (const scenario of SCENARIOS) {
    const saved = doc.scenarios?.[scenario.name];
    if (saved) sections.push(renderScenario(scenario, saved, doc.runs));
  }
  if (doc.micro?.length) sections.push(renderMicro(doc.micro));
  const targets = doc.targets.map((t) => ({ ...t, ...(t.skipped ? { skip: t.skipped } : {}), note: t.note }));
  const profile = { warmupMs: doc.warmupMs, durationMs: doc.durationMs };
  const file = path.resolve(repoRoot, mdFile);
  writeFileSync(file, markdownDocument(doc.command, doc.profile, doc.runs, profile, doc.machine, targets, sections));
  process.stdout.write(`wrote ${path.relative(process.cwd(), file) || file} from ${jsonFile}\n`);
}

/** bench/notes.md (hand-written analysis: profiles, limits) is carried into every regenerated BENCHMARKS.md. */
function notesSection() {
  const file = path.join(repoRoot, 'bench', 'notes.md');
  if (!existsSync(file)) return [];
  return ['## Notes (from bench/notes.md)', '', readFileSync(file, 'utf8').trim(), ''];
}

/** The arguments without --md and its file, so the printed command regenerates BENCHMARKS.md. */
function withoutMd(args) {
  const out = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--md') {
      if (args[i + 1] && !args[i + 1].startsWith('--')) i++;
      continue;
    }
    out.push(args[i]);
  }
  return out;
}

function targetLine(t) {
  if (t.skip) return `target ${t.label}: skipped — ${t.skip}`;
  return `target ${t.label}: included${t.version ? ` (v${t.version})` : ''}${t.note ? ` — ${t.note}` : ''}`;
}

function markdownDocument(command, profileName, runs, profile, machine, targets, sections) {
  return [
    '# wsx benchmarks',
    '',
    'Generated by `bench/run.js`; do not edit by hand. Regenerate after every change to the hot path:',
    '',
    '```sh',
    `npm run build && ${command} --md`,
    '```',
    '',
    `Profile: ${profileName} — ${runs} run${runs === 1 ? '' : 's'} per scenario and target, ${profile.warmupMs} ms warm-up then ${profile.durationMs} ms measured; the tables show medians.`,
    'Each run starts a fresh server process; the load comes from a separate Node process that sends pre-encoded masked frames and counts replies by reading frame headers only (bench/load/).',
    'Ratios are wsx divided by the other target (for echo-1k-h2: wsx over HTTP/2 divided by wsx over HTTP/1.1 and by the raw HTTP/2 echo), computed within each run and then the median taken, because absolute numbers drift on this shared machine.',
    'MB/s counts payload bytes echoed per second (one direction). CPU % is the share of one core used in the measured window, sampled by the load generator at the window edges (the server\'s from /proc/<pid>/stat); "other CPU %" is what the rest of the machine used meanwhile — a run with a high value was disturbed. RSS and heap per connection are reported by the server process itself, after a GC, with every connection open and idle.',
    '',
    'Optional targets: Bun runs when a bun binary is found (`BUN_BIN`, `node_modules/@oven/bun-linux-x64/bin/bun` — e.g. `npm install --no-save @oven/bun-linux-x64`, which works without bun\'s postinstall — `node_modules/bun/bin/bun.exe`, or `PATH`); wsx+bufferutil and ws+bufferutil run when `bufferutil` resolves from the repository (it is a dev dependency, so `npm ci` installs it) or from `BUFFERUTIL_DIR` (a node_modules folder holding it). A skipped target is listed below with the reason.',
    '',
    '## Machine',
    '',
    renderMachine(machine),
    ...targets.map((t) => `- ${targetLine(t)}`),
    '',
    '## Results',
    '',
    ...sections,
    ...notesSection(),
  ].join('\n');
}

main().then(
  () => {
    killAll();
  },
  (err) => {
    killAll();
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  },
);

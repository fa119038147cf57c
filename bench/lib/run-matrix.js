// Runs every selected scenario on every available target, `runs` times. Within one run the
// targets go back to back (in an order rotated per run) so ratios compare like with like.

import os from 'node:os';
import { waitForQuiet } from './cpu-sampler.js';
import { ServerProcess } from './server-process.js';
import { runLoad } from './load-process.js';
import { metricsFromRun, scenarioTargets } from './scenarios.js';

/** A measured window in which other processes used this much of a core or more counts as disturbed. */
const DISTURBED_PERCENT = 40;
const DISTURBED_RETRIES = 2;

/** How much other work ran during a successful outcome's window (0 when unknown). */
function disturbance(outcome) {
  const other = outcome.metrics.otherCpuPercent;
  return typeof other === 'number' && Number.isFinite(other) ? other : 0;
}

async function runOne(scenario, target, profile) {
  const job = scenario.job(profile, target);
  const server = new ServerProcess(target);
  try {
    const info = await server.start();
    job.port = info.port;
    job.serverPid = server.pid;
    const budget = (job.warmupMs ?? 0) + (job.durationMs ?? 0) + 60_000;
    const { result, marks } = await runLoad(job, server, budget);
    if (server.exited) throw server.crashError();
    const metrics = metricsFromRun(result, marks);
    const problems = [];
    if (result.unexpected > 0) problems.push(`${result.unexpected} replies with the wrong type or length`);
    if (result.closes > 0) problems.push(`${result.closes} close frames from the server`);
    if (result.failedConnections > 0) problems.push(`${result.failedConnections} connections failed`);
    return { ok: true, metrics, problems, serverInfo: info };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    await server.stop();
  }
}

/**
 * @returns {Promise<Record<string, Record<string, Array<object>>>>} scenario → target → per-run outcome
 */
export async function runMatrix(scenarios, allTargets, profile, runs, log) {
  const results = {};
  for (const scenario of scenarios) {
    const targets = scenarioTargets(scenario, allTargets);
    results[scenario.name] = {};
    for (const t of targets) results[scenario.name][t.name] = [];
    for (let run = 0; run < runs; run++) {
      const order = targets.map((_, i) => targets[(i + run) % targets.length]);
      for (const target of order) {
        // A run that other work disturbed is repeated (up to `retries` times, when the
        // profile waits for quiet at all) and the least disturbed attempt is kept.
        const retries = profile.quietWaitMs > 0 ? DISTURBED_RETRIES : 0;
        let outcome = null;
        for (let attempt = 0; attempt <= retries; attempt++) {
          if (profile.quietWaitMs > 0) {
            const quiet = await waitForQuiet(profile.quietWaitMs, os.cpus().length);
            if (quiet.otherPercent >= 30) log(`  (machine busy: other work used ${Math.round(quiet.otherPercent)}% of a core after waiting ${quiet.waitedMs} ms)`);
          }
          const next = await runOne(scenario, target, profile);
          if (!next.ok) {
            outcome ??= next; // a failure is reported as it was, not retried
            break;
          }
          if (outcome === null || disturbance(next) < disturbance(outcome)) outcome = next;
          if (disturbance(outcome) < DISTURBED_PERCENT) break;
          if (attempt < retries) log(`${describe(scenario, target, run, runs, next)} — disturbed (other work ${Math.round(disturbance(next))}% of a core), repeating`);
        }
        results[scenario.name][target.name][run] = outcome;
        log(describe(scenario, target, run, runs, outcome));
      }
    }
  }
  return results;
}

function describe(scenario, target, run, runs, outcome) {
  const head = `  ${scenario.name} run ${run + 1}/${runs} ${scenario.labels?.[target.name] ?? target.label}:`;
  if (!outcome.ok) return `${head} FAILED ${outcome.error}`;
  const main = scenario.metrics[0];
  const value = outcome.metrics[main.key];
  const extra = outcome.problems.length ? ` (${outcome.problems.join('; ')})` : '';
  return `${head} ${main.label} ${formatNumber(value, main.digits ?? 0)}${extra}`;
}

export function formatNumber(value, digits = 0) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// Turns per-run outcomes into medians and pairwise ratios: for every run the ratio
// wsx/other (or the scenario's own subject/base) is computed from that run's two numbers,
// then the median of those ratios is taken.

import { median, spreadPercent } from './stats.js';
import { COMMON_METRICS } from './scenarios.js';

export const RATIO_BASES = ['ws', 'ws+bufferutil', 'bun', 'raw', 'http-floor'];

const BASE_NAMES = { raw: 'limit', bun: 'Bun', 'http-floor': 'http floor' };

/** Which target is divided by which, and how each ratio is labelled (scenario.ratios or wsx over RATIO_BASES). */
export function ratioPlan(scenario) {
  if (scenario.ratios) return { subject: scenario.ratios.subject, bases: scenario.ratios.bases.map(([name, label]) => ({ name, label })) };
  return { subject: 'wsx', bases: RATIO_BASES.map((name) => ({ name, label: `wsx/${BASE_NAMES[name] ?? name}` })) };
}

export function summarizeScenario(scenario, perTarget) {
  const columns = [...scenario.metrics, ...COMMON_METRICS];
  const rows = {};
  for (const [target, runs] of Object.entries(perTarget)) {
    const good = runs.filter((r) => r && r.ok);
    const row = { runs: runs.length, okRuns: good.length, errors: runs.filter((r) => r && !r.ok).map((r) => r.error), problems: [] };
    for (const r of good) row.problems.push(...r.problems);
    for (const c of columns) {
      const values = good.map((r) => r.metrics[c.key]);
      row[c.key] = median(values);
      row[`${c.key}Runs`] = values;
    }
    row.spreadPercent = spreadPercent(good.map((r) => r.metrics[scenario.metrics[0].key]));
    rows[target] = row;
  }
  const ratios = {};
  const plan = ratioPlan(scenario);
  const wsx = perTarget[plan.subject];
  for (const metric of scenario.metrics.filter((m) => m.ratio)) {
    ratios[metric.key] = {};
    for (const { name: base } of plan.bases) {
      const other = perTarget[base];
      if (!wsx || !other) continue;
      const perRun = [];
      for (let i = 0; i < wsx.length; i++) {
        const a = wsx[i];
        const b = other[i];
        if (a?.ok && b?.ok && b.metrics[metric.key] > 0) perRun.push(a.metrics[metric.key] / b.metrics[metric.key]);
      }
      if (perRun.length) ratios[metric.key][base] = { median: median(perRun), runs: perRun };
    }
  }
  return { columns, rows, ratios };
}

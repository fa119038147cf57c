// Renders results as Markdown tables: the same text goes to the terminal and BENCHMARKS.md.

import { formatNumber } from './run-matrix.js';
import { TARGET_LABELS, TARGET_ORDER } from './targets.js';
import { ratioPlan } from './summarize.js';

function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

export function renderScenario(scenario, summary, runs) {
  const out = [`### ${scenario.name}: ${scenario.title}`, ''];
  const header = ['target', ...summary.columns.map((c) => c.label), 'spread'];
  const rows = [];
  const notes = [];
  const limits = scenario.limits ?? [['raw', 'raw net']];
  const label = (name) => scenario.labels?.[name] ?? TARGET_LABELS[name];
  for (const name of scenario.targets ?? TARGET_ORDER) {
    const row = summary.rows[name];
    if (!row) continue;
    if (row.okRuns === 0) {
      rows.push([label(name), ...summary.columns.map(() => 'failed'), '']);
      notes.push(`${label(name)} failed: ${row.errors[0] ?? 'unknown error'}`);
      continue;
    }
    rows.push([
      label(name),
      ...summary.columns.map((c) => formatNumber(row[c.key], c.digits ?? 0)),
      Number.isFinite(row.spreadPercent) ? `${formatNumber(row.spreadPercent, 0)}%` : '',
    ]);
    if (!limits.some(([limit]) => limit === name) && row.loadCpuPercent >= 90) {
      notes.push(`${label(name)}: the load generator used ${formatNumber(row.loadCpuPercent, 0)}% of its core, so this number is a lower bound (the server may be faster than the load can show)`);
    }
    if (row.errors.length) notes.push(`${label(name)}: ${row.errors.length} of ${row.runs} runs failed (${row.errors[0]})`);
    if (row.problems.length) notes.push(`${label(name)}: ${[...new Set(row.problems)].join('; ')}`);
  }
  out.push(table(header, rows), '');
  const ratioLines = [];
  const plan = ratioPlan(scenario);
  for (const [key, bases] of Object.entries(summary.ratios)) {
    const metric = scenario.metrics.find((m) => m.key === key);
    const parts = plan.bases.filter((b) => bases[b.name]).map((b) => `${b.label} **${formatNumber(bases[b.name].median, 2)}×**`);
    if (parts.length) ratioLines.push(`- ${metric.label} (${metric.better} is better): ${parts.join(', ')}`);
  }
  if (ratioLines.length) out.push(`Ratios (median of per-run ratios over ${runs} run${runs === 1 ? '' : 's'}):`, ...ratioLines, '');
  for (const [limit, phrase] of limits) {
    const raw = summary.rows[limit];
    if (!raw || raw.okRuns === 0 || !Number.isFinite(raw.loadCpuPercent)) continue;
    const bound = raw.loadCpuPercent >= 90 ? 'the load generator is saturated here, so this row is its ceiling' : 'the load generator had headroom';
    out.push(
      `Load generator vs. the limit: against ${phrase} the load used ${formatNumber(raw.loadCpuPercent, 0)}% of a core and the server ${formatNumber(raw.serverCpuPercent, 0)}% (${bound}); any target below that row is bounded by its server.`,
      '',
    );
  }
  for (const n of scenario.notes ?? []) notes.push(n);
  for (const n of notes) out.push(`> ${n}`);
  if (notes.length) out.push('');
  return out.join('\n');
}

export function renderMicro(rows) {
  if (!rows.length) return '';
  const out = [];
  const groups = [...new Set(rows.map((r) => r.group))];
  for (const group of groups) {
    const inGroup = rows.filter((r) => r.group === group);
    out.push(`### micro: ${group}`, '');
    out.push(
      table(
        ['case', 'implementation', 'ns/op', 'MB/s', 'note'],
        inGroup.map((r) => [r.case, r.impl, r.skipped ? '–' : formatNumber(r.nsPerOp, r.nsPerOp < 100 ? 1 : 0), r.skipped ? '–' : formatNumber(r.megabytesPerSec, 0), r.note ?? '']),
      ),
      '',
    );
  }
  return out.join('\n');
}

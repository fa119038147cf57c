// Small statistics for run results.

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** The value at fraction `q` (0-1) of the sorted values, by the lower nearest rank. */
export function quantile(values, q) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  return v.length === 0 ? NaN : v[Math.floor(q * (v.length - 1))];
}

/** (max - min) / median, in percent: how much the runs disagree. */
export function spreadPercent(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (v.length < 2) return NaN;
  const m = median(v);
  return m === 0 ? NaN : (100 * (Math.max(...v) - Math.min(...v))) / m;
}

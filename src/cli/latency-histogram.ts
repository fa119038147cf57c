/**
 * Latency percentiles for `wsx bench` in constant memory, however many
 * round trips are recorded: a log-linear histogram of microseconds. Values
 * under 128 µs are counted exactly; above, each power of two is split into
 * 64 buckets, so a percentile is off by less than 1/64 (1.6 %). The maximum
 * and the mean are exact.
 */
const EXACT = 128;
const SUB_BUCKETS = 64;
const SUB_BITS = 6; // log2(SUB_BUCKETS)
const EXACT_BITS = 7; // log2(EXACT)
/** Values are clamped to 2^32 - 1 µs (71 minutes). */
const MAX_VALUE = 0xffffffff;
const BUCKETS = EXACT + (32 - EXACT_BITS) * SUB_BUCKETS;

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sum = 0;
  private maxValue = 0;

  get count(): number {
    return this.total;
  }

  get max(): number {
    return this.maxValue;
  }

  get mean(): number {
    return this.total === 0 ? 0 : this.sum / this.total;
  }

  /** Records one latency in microseconds (fractions are dropped). */
  record(microseconds: number): void {
    const value = Math.min(MAX_VALUE, Math.max(0, Math.floor(microseconds)));
    this.counts[bucketOf(value)]!++;
    this.total++;
    this.sum += value;
    if (value > this.maxValue) this.maxValue = value;
  }

  /**
   * The value under which `percent` % of the recordings fall (the upper
   * bound of the bucket holding that rank, never more than the maximum).
   */
  percentile(percent: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((percent / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(upperBoundOf(i), this.maxValue);
    }
    return this.maxValue;
  }
}

function bucketOf(value: number): number {
  if (value < EXACT) return value;
  const log2 = 31 - Math.clz32(value);
  const shift = log2 - SUB_BITS;
  return EXACT + (log2 - EXACT_BITS) * SUB_BUCKETS + ((value >>> shift) - SUB_BUCKETS);
}

function upperBoundOf(bucket: number): number {
  if (bucket < EXACT) return bucket;
  const group = Math.floor((bucket - EXACT) / SUB_BUCKETS);
  const sub = (bucket - EXACT) % SUB_BUCKETS;
  const shift = group + EXACT_BITS - SUB_BITS;
  return (SUB_BUCKETS + sub + 1) * 2 ** shift - 1;
}

/**
 * What `wsx bench` prints: the live progress line (a terminal only), the
 * summary for people and the summary as one JSON object (--json).
 * MB means 10^6 bytes of message payload, counted in one direction.
 */
import type { LatencyHistogram } from './latency-histogram.js';
import type { Style } from './terminal-style.js';

export interface BenchSettings {
  readonly url: string;
  readonly connections: number;
  readonly size: number;
  readonly pipeline: number;
  readonly binary: boolean;
  /** Seconds asked for, or null when only --messages bounds the run. */
  readonly duration: number | null;
  readonly messages: number | null;
}

export interface BenchResult {
  readonly settings: BenchSettings;
  readonly connectionsOpened: number;
  /** Round trips completed. */
  readonly messages: number;
  /** Payload bytes received back. */
  readonly bytes: number;
  /** Seconds from the first send to the last reply. */
  readonly elapsed: number;
  readonly latency: LatencyHistogram;
  /** Connection failures, unexpected closes and replies of the wrong size. */
  readonly errors: number;
  readonly errorSamples: readonly string[];
}

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function perSecond(count: number, seconds: number): number {
  return seconds > 0 ? count / seconds : 0;
}

function ms(microseconds: number): string {
  return `${(microseconds / 1000).toFixed(microseconds < 10_000 ? 3 : 1)} ms`;
}

export function progressLine(elapsed: number, messagesPerSecond: number, bytesPerSecond: number, open: number, total: number): string {
  return (
    `${elapsed.toFixed(1).padStart(6)} s  ${number.format(messagesPerSecond).padStart(10)} msg/s  ` +
    `${(bytesPerSecond / 1e6).toFixed(2).padStart(8)} MB/s  ${String(open)}/${String(total)} connections`
  );
}

export function humanSummary(result: BenchResult, style: Style): string[] {
  const s = result.settings;
  const kind = s.binary ? 'binary' : 'text';
  const bound = [
    ...(s.duration !== null ? [`${String(s.duration)} s`] : []),
    ...(s.messages !== null ? [`at most ${number.format(s.messages)} messages`] : []),
  ].join(', ');
  const h = result.latency;
  const lines = [
    style.bold(`wsx bench ${s.url}`),
    `  ${String(result.connectionsOpened)}/${String(s.connections)} connections, ${String(s.size)}-byte ${kind} messages, ` +
      `pipeline ${String(s.pipeline)}, ${bound}`,
    `  round trips  ${number.format(result.messages)} in ${result.elapsed.toFixed(2)} s = ` +
      style.green(`${number.format(perSecond(result.messages, result.elapsed))} msg/s`),
    `  throughput   ${(perSecond(result.bytes, result.elapsed) / 1e6).toFixed(2)} MB/s each way`,
    `  latency      p50 ${ms(h.percentile(50))}   p90 ${ms(h.percentile(90))}   ` +
      `p99 ${ms(h.percentile(99))}   max ${ms(h.max)}`,
  ];
  if (result.errors > 0) {
    lines.push(style.red(`  errors       ${number.format(result.errors)}`));
    for (const sample of result.errorSamples) lines.push(style.red(`    ${sample}`));
  }
  return lines;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function jsonSummary(result: BenchResult): string {
  const s = result.settings;
  const h = result.latency;
  const toMs = (microseconds: number): number => round(microseconds / 1000, 3);
  return JSON.stringify({
    url: s.url,
    connections: s.connections,
    connectionsOpened: result.connectionsOpened,
    size: s.size,
    binary: s.binary,
    pipeline: s.pipeline,
    duration: s.duration,
    messageLimit: s.messages,
    elapsedSeconds: round(result.elapsed, 4),
    messages: result.messages,
    messagesPerSecond: round(perSecond(result.messages, result.elapsed), 1),
    bytes: result.bytes,
    megabytesPerSecond: round(perSecond(result.bytes, result.elapsed) / 1e6, 3),
    latencyMs: { p50: toMs(h.percentile(50)), p90: toMs(h.percentile(90)), p99: toMs(h.percentile(99)), max: toMs(h.max), mean: toMs(h.mean) },
    errors: result.errors,
    errorSamples: result.errorSamples,
  });
}

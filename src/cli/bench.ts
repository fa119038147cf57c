/**
 * `wsx bench <url>`: a load generator for an echo server. It opens
 * --connections sockets, keeps --pipeline messages of --size bytes in
 * flight on each, and times every round trip until --duration seconds (or
 * --messages round trips) have passed. Replies are matched to sends in
 * order, which is what an echo server gives back.
 */
import { randomBytes } from 'node:crypto';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgv, type OptionSpec } from './argv-parser.js';
import { humanSummary, jsonSummary, progressLine, type BenchResult, type BenchSettings } from './bench-report.js';
import { ExitCode, UsageError } from './cli-errors.js';
import { CLIENT_CONNECTION_OPTIONS, clientConnectionFrom, describeConnectError } from './client-connection-options.js';
import { LatencyHistogram } from './latency-histogram.js';
import { CloseCode, WebSocket } from './library.js';
import { colorWanted, createStyle } from './terminal-style.js';

export const BENCH_OPTIONS: readonly OptionSpec[] = [
  ...CLIENT_CONNECTION_OPTIONS,
  { name: 'connections', short: 'c', kind: 'integer', min: 1 },
  { name: 'size', short: 's', kind: 'integer', min: 0 },
  { name: 'pipeline', short: 'P', kind: 'integer', min: 1 },
  { name: 'duration', short: 'd', kind: 'string' },
  { name: 'messages', short: 'n', kind: 'integer', min: 1 },
  { name: 'binary', short: 'b', kind: 'flag' },
  { name: 'json', kind: 'flag' },
];

const DEFAULT_DURATION_S = 10;
/** A run without any reply for this long is stopped: the server is probably not echoing. */
const STALL_MS = 5000;
/** After the end, how long replies still in flight are waited for. */
const DRAIN_MS = 2000;
/** Error descriptions kept for the summary. */
const MAX_ERROR_SAMPLES = 5;

/** Seconds as a positive decimal ('10', '0.5'). */
function parseSeconds(value: string): number {
  let dots = 0;
  let ok = value.length > 0 && value.length <= 12;
  for (let i = 0; ok && i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x2e) dots++;
    else if (c < 0x30 || c > 0x39) ok = false;
  }
  const seconds = Number(value);
  if (!ok || dots > 1 || !(seconds > 0)) throw new UsageError(`--duration needs seconds > 0, e.g. 10 or 0.5, got '${value}'`);
  return seconds;
}

/** Printable ASCII for text messages (valid UTF-8, and not trivially compressible). */
function makePayload(size: number, binary: boolean): Buffer {
  const bytes = randomBytes(size);
  if (binary) return bytes;
  for (let i = 0; i < size; i++) bytes[i] = 0x21 + (bytes[i]! % 94);
  return bytes;
}

/** One connection and the send times of its messages in flight (a ring, oldest first). */
interface Lane {
  readonly ws: WebSocket;
  readonly sentAt: Float64Array;
  head: number;
  tail: number;
  inFlight: number;
  open: boolean;
}

export async function runBench(argv: readonly string[]): Promise<number> {
  const args = parseArgv(argv, BENCH_OPTIONS);
  const connection = clientConnectionFrom(args, 'bench');
  const messageLimit = args.integers.get('messages') ?? null;
  const durationArg = args.strings.get('duration');
  const duration =
    durationArg !== undefined ? parseSeconds(durationArg) : messageLimit !== null ? null : DEFAULT_DURATION_S;
  const settings: BenchSettings = {
    url: connection.url,
    connections: args.integers.get('connections') ?? 1,
    size: args.integers.get('size') ?? 64,
    pipeline: args.integers.get('pipeline') ?? 1,
    binary: args.flags.has('binary'),
    duration,
    messages: messageLimit,
  };
  const json = args.flags.has('json');
  const errStyle = createStyle(colorWanted(process.stderr, args.flags.has('no-color')));
  const outStyle = createStyle(colorWanted(process.stdout, args.flags.has('no-color')));
  const showProgress = !json && process.stderr.isTTY === true;
  const payload = makePayload(settings.size, settings.binary);
  const sendOptions = { binary: settings.binary };

  const latency = new LatencyHistogram();
  const errorSamples: string[] = [];
  let errors = 0;
  const noteError = (message: string): void => {
    errors++;
    if (errorSamples.length < MAX_ERROR_SAMPLES) errorSamples.push(message);
  };

  const lanes: Lane[] = [];
  let opened = 0;
  let everOpened = 0;
  let settled = 0;
  let sending = false;
  let sent = 0;
  let completed = 0;
  let bytes = 0;
  let inFlight = 0;
  let startedAt = 0;
  let lastReplyAt = 0;
  let onDrained: (() => void) | null = null;

  const sendOne = (lane: Lane): void => {
    lane.sentAt[lane.tail] = performance.now();
    lane.tail = lane.tail + 1 === lane.sentAt.length ? 0 : lane.tail + 1;
    lane.inFlight++;
    inFlight++;
    sent++;
    lane.ws.send(payload, sendOptions);
  };

  const mayContinue = (): boolean => sending && (messageLimit === null || sent < messageLimit);

  await new Promise<void>((allSettled) => {
    const settle = (): void => {
      if (++settled === settings.connections) allSettled();
    };
    for (let i = 0; i < settings.connections; i++) {
      const ws = new WebSocket(connection.url, connection.protocols, connection.options);
      const lane: Lane = { ws, sentAt: new Float64Array(settings.pipeline), head: 0, tail: 0, inFlight: 0, open: false };
      lanes.push(lane);
      let wasOpen = false;
      ws.on('open', () => {
        wasOpen = true;
        lane.open = true;
        opened++;
        everOpened++;
        settle();
      });
      ws.on('unexpected-response', (req: ClientRequest, res: IncomingMessage) => {
        noteError(`handshake refused: HTTP ${String(res.statusCode)} ${res.statusMessage ?? ''}`);
        req.destroy();
        ws.terminate();
      });
      ws.on('error', (error: Error) => {
        if (!wasOpen) noteError(describeConnectError(error));
      });
      ws.on('message', (data: Buffer) => {
        const now = performance.now();
        if (lane.inFlight === 0) {
          noteError('a message arrived that was not a reply');
          return;
        }
        latency.record((now - lane.sentAt[lane.head]!) * 1000);
        lane.head = lane.head + 1 === lane.sentAt.length ? 0 : lane.head + 1;
        lane.inFlight--;
        inFlight--;
        completed++;
        bytes += data.length;
        lastReplyAt = now;
        if (data.length !== settings.size) noteError(`a reply of ${String(data.length)} bytes to a ${String(settings.size)}-byte message`);
        if (mayContinue()) sendOne(lane);
        else if (inFlight === 0) onDrained?.();
      });
      ws.on('close', (code: number) => {
        if (!wasOpen) {
          settle();
          return;
        }
        lane.open = false;
        opened--;
        if (sending) noteError(`a connection closed during the run (${String(code)})`);
        inFlight -= lane.inFlight;
        lane.inFlight = 0;
        if (inFlight === 0) onDrained?.();
      });
    }
  });

  if (opened === 0) {
    for (const sample of errorSamples) process.stderr.write(errStyle.red(`error: ${sample}`) + '\n');
    process.stderr.write(errStyle.red(`error: none of the ${String(settings.connections)} connections opened`) + '\n');
    return ExitCode.CONNECT_FAILED;
  }
  if (connection.http2) {
    let fellBack = 0;
    for (const lane of lanes) if (lane.open && lane.ws.httpVersion !== '2') fellBack++;
    if (fellBack > 0) {
      process.stderr.write(
        errStyle.yellow(`${String(fellBack)} of ${String(opened)} connections fell back to HTTP/1.1 (no WebSockets over HTTP/2 there)`) + '\n',
      );
    }
  }

  // The run: every open connection fills its pipeline, each reply sends the next message.
  startedAt = performance.now();
  lastReplyAt = startedAt;
  sending = true;
  for (const lane of lanes) {
    for (let i = 0; i < settings.pipeline && lane.open && mayContinue(); i++) sendOne(lane);
  }

  let progressTimer: NodeJS.Timeout | null = null;
  if (showProgress) {
    let lastCount = 0;
    let lastBytes = 0;
    let lastTime = startedAt;
    progressTimer = setInterval(() => {
      const now = performance.now();
      const seconds = (now - lastTime) / 1000;
      const line = progressLine(
        (now - startedAt) / 1000,
        (completed - lastCount) / seconds,
        (bytes - lastBytes) / seconds,
        opened,
        settings.connections,
      );
      process.stderr.write(`\r\x1b[K${line}`);
      lastCount = completed;
      lastBytes = bytes;
      lastTime = now;
    }, 1000);
  }

  let interrupted = false;
  await new Promise<void>((ended) => {
    let drainTimer: NodeJS.Timeout | null = null;
    const end = (): void => {
      clearTimeout(durationTimer);
      clearInterval(stallTimer);
      if (drainTimer !== null) clearTimeout(drainTimer);
      process.off('SIGINT', onSignal);
      onDrained = null;
      ended();
    };
    const stop = (): void => {
      if (!sending) return;
      sending = false;
      if (inFlight === 0) {
        end();
        return;
      }
      onDrained = end;
      drainTimer = setTimeout(() => {
        noteError(`${String(inFlight)} replies still missing ${String(DRAIN_MS)} ms after the end`);
        end();
      }, DRAIN_MS);
    };
    const onSignal = (): void => {
      interrupted = true;
      stop();
    };
    process.on('SIGINT', onSignal);
    // With --messages, the last reply ends the run.
    onDrained = () => {
      if (!mayContinue()) stop();
    };
    const durationTimer = setTimeout(stop, duration === null ? 2 ** 31 - 1 : duration * 1000);
    const stallTimer = setInterval(() => {
      if (opened === 0) stop();
      else if (inFlight > 0 && performance.now() - lastReplyAt > STALL_MS) {
        noteError(`no reply for ${String(STALL_MS / 1000)} s: is the server an echo server?`);
        stop();
      }
    }, 250);
    if (inFlight === 0) stop();
  });

  if (progressTimer !== null) {
    clearInterval(progressTimer);
    process.stderr.write('\r\x1b[K');
  }
  const elapsed = ((completed > 0 ? lastReplyAt : performance.now()) - startedAt) / 1000;

  // Close every connection and give the closing handshakes a moment.
  await new Promise<void>((closed) => {
    let open = 0;
    const timer = setTimeout(() => {
      for (const lane of lanes) lane.ws.terminate();
      closed();
    }, DRAIN_MS);
    const one = (): void => {
      if (--open === 0) {
        clearTimeout(timer);
        closed();
      }
    };
    for (const lane of lanes) {
      if (lane.ws.readyState === WebSocket.CLOSED) continue;
      open++;
      lane.ws.once('close', one);
      if (lane.ws.readyState === WebSocket.OPEN) lane.ws.close(CloseCode.NORMAL_CLOSURE);
      else lane.ws.terminate();
    }
    if (open === 0) {
      clearTimeout(timer);
      closed();
    }
  });

  const result: BenchResult = {
    settings,
    connectionsOpened: everOpened,
    messages: completed,
    bytes,
    elapsed,
    latency,
    errors,
    errorSamples,
  };
  if (json) process.stdout.write(jsonSummary(result) + '\n');
  else for (const line of humanSummary(result, outStyle)) process.stdout.write(line + '\n');

  if (interrupted) return ExitCode.INTERRUPTED;
  return completed > 0 ? ExitCode.OK : ExitCode.CONNECT_FAILED;
}

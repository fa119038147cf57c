/**
 * How `wsx connect` reports what happens on a connection, in two forms:
 * - human: messages on stdout as `HH:MM:SS.mmm < text` (`>` for sent ones),
 *   binary as its size and a hex/ASCII preview, status lines on stderr;
 *   colours only where the stream allows (terminal-style.ts), and peer text
 *   stripped of terminal control sequences;
 * - JSON (--json): one object per line on stdout, for jq and scripts.
 */
import { hexPreviewRows } from './hex-preview.js';
import { CloseCode } from './library.js';
import { neutralizeControls, type Style } from './terminal-style.js';

export type Direction = 'in' | 'out';

/** Where lines go; connect.ts redraws its prompt around them. */
export interface LineSink {
  out(line: string): void;
  err(line: string): void;
}

export interface OpenInfo {
  readonly url: string;
  readonly protocol: string;
  readonly extensions: string;
  /** The HTTP version the WebSocket runs on. */
  readonly httpVersion: '1.1' | '2';
  /** Whether --http2 was given: then the human line names the version (otherwise always 1.1). */
  readonly http2Requested: boolean;
}

export interface HandshakeFailure {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** Bytes of body not shown (the printer shows at most a few KiB). */
  readonly truncated: number;
}

export interface EventPrinter {
  open(info: OpenInfo): void;
  message(direction: Direction, data: Buffer, isBinary: boolean): void;
  control(kind: 'ping' | 'pong', direction: Direction, data: Buffer): void;
  close(code: number, reason: string, closeCodeName: string): void;
  handshakeFailed(failure: HandshakeFailure): void;
  error(message: string, code?: string): void;
  /** Something worth knowing that is not an error (e.g. compression declined). */
  notice(message: string): void;
  /** Text meant for a person only (help, hints); dropped in JSON mode. */
  info(message: string): void;
}

/** Closes that end a session successfully (exit code 0). */
export function isNormalClose(code: number): boolean {
  return code === CloseCode.NORMAL_CLOSURE || code === CloseCode.GOING_AWAY || code === CloseCode.NO_STATUS_RECEIVED;
}

function clock(date: Date = new Date()): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export function createHumanPrinter(sink: LineSink, out: Style, err: Style, echoSent: boolean): EventPrinter {
  const marker = (direction: Direction): string => (direction === 'in' ? out.cyan('<') : out.green('>'));
  const stamp = (): string => out.dim(clock());
  return {
    open(info) {
      const details: string[] = [];
      if (info.protocol !== '') details.push(`protocol: ${info.protocol}`);
      if (info.extensions !== '') details.push(`extensions: ${info.extensions}`);
      const suffix = details.length > 0 ? ` (${details.join(', ')})` : '';
      const over = info.http2Requested ? ` over HTTP/${info.httpVersion}` : '';
      sink.err(err.green(`Connected to ${info.url}${over}${suffix}`));
    },
    message(direction, data, isBinary) {
      if (direction === 'out' && !echoSent) return;
      if (!isBinary) {
        sink.out(`${stamp()} ${marker(direction)} ${neutralizeControls(data.toString('utf8'))}`);
        return;
      }
      sink.out(`${stamp()} ${marker(direction)} ${out.magenta(`[binary, ${String(data.length)} bytes]`)}`);
      for (const row of hexPreviewRows(data)) sink.out(`    ${out.dim(row)}`);
    },
    control(kind, direction, data) {
      const payload = data.length > 0 ? ` ${neutralizeControls(data.toString('utf8'))}` : '';
      sink.out(`${stamp()} ${marker(direction)} ${out.yellow(kind)}${payload}`);
    },
    close(code, reason, name) {
      const why = reason === '' ? '' : ` "${neutralizeControls(reason)}"`;
      const normal = isNormalClose(code);
      const text = `Disconnected: ${String(code)} ${name}${why}`;
      sink.err(normal ? err.dim(text) : err.red(text));
    },
    handshakeFailed(failure) {
      sink.err(err.red(`error: the server refused the WebSocket handshake: HTTP ${String(failure.status)} ${failure.statusText}`));
      const body = failure.body.trimEnd();
      if (body !== '') {
        for (const line of neutralizeControls(body).split('\n')) sink.err(`  ${line}`);
      }
      if (failure.truncated > 0) sink.err(err.dim(`  … ${String(failure.truncated)} more bytes of body`));
    },
    error(message) {
      sink.err(err.red(`error: ${neutralizeControls(message)}`));
    },
    notice(message) {
      sink.err(err.yellow(message));
    },
    info(message) {
      sink.err(err.dim(message));
    },
  };
}

export function createJsonPrinter(sink: LineSink): EventPrinter {
  const emit = (event: Record<string, unknown>): void => {
    sink.out(JSON.stringify({ event: event['event'], time: new Date().toISOString(), ...event }));
  };
  return {
    open(info) {
      emit({ event: 'open', url: info.url, protocol: info.protocol, extensions: info.extensions, httpVersion: info.httpVersion });
    },
    message(direction, data, isBinary) {
      if (isBinary) {
        emit({ event: 'message', direction, type: 'binary', size: data.length, base64: data.toString('base64') });
      } else {
        emit({ event: 'message', direction, type: 'text', size: data.length, data: data.toString('utf8') });
      }
    },
    control(kind, direction, data) {
      emit({ event: kind, direction, size: data.length, data: data.toString('utf8') });
    },
    close(code, reason, name) {
      emit({ event: 'close', code, name, reason });
    },
    handshakeFailed(failure) {
      emit({
        event: 'error',
        message: `the server refused the WebSocket handshake: HTTP ${String(failure.status)} ${failure.statusText}`,
        status: failure.status,
        statusText: failure.statusText,
        headers: failure.headers,
        body: failure.body,
        truncated: failure.truncated,
      });
    },
    error(message, code) {
      emit(code === undefined ? { event: 'error', message } : { event: 'error', message, code });
    },
    notice(message) {
      emit({ event: 'notice', message });
    },
    info() {
      // People-only text has no place in a machine stream.
    },
  };
}

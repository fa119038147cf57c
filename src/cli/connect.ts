/**
 * `wsx connect <url>`: a WebSocket client for the terminal and for scripts.
 * Three ways to feed it:
 * - interactive (stdin is a terminal): a readline prompt with history, each
 *   line a text message, slash commands for the rest (slash-commands.ts);
 * - a pipe: each line read is sent verbatim; at the end of input it waits
 *   --wait ms for replies, then closes;
 * - -x/--execute: the given messages are sent, then the same wait and close.
 */
import { Buffer } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { STATUS_CODES, type ClientRequest, type IncomingMessage } from 'node:http';
import { createInterface, type Interface } from 'node:readline';
import { parseArgv, type OptionSpec } from './argv-parser.js';
import { ExitCode, UsageError } from './cli-errors.js';
import { CLIENT_CONNECTION_OPTIONS, clientConnectionFrom, describeConnectError } from './client-connection-options.js';
import {
  createHumanPrinter,
  createJsonPrinter,
  isNormalClose,
  type EventPrinter,
  type HandshakeFailure,
  type LineSink,
} from './event-printer.js';
import { CloseCode, closeCodeName, UnexpectedResponseError, WebSocket } from './library.js';
import { parseSlashCommand, SLASH_HELP } from './slash-commands.js';
import { colorWanted, createStyle } from './terminal-style.js';

export const CONNECT_OPTIONS: readonly OptionSpec[] = [
  ...CLIENT_CONNECTION_OPTIONS,
  { name: 'execute', short: 'x', kind: 'list' },
  { name: 'wait', short: 'w', kind: 'string' },
  { name: 'ping-interval', kind: 'integer', min: 1 },
  { name: 'json', kind: 'flag' },
  { name: 'show-ping-pong', kind: 'flag' },
];

/** Default time to wait for replies after the last message of -x or a pipe. */
const DEFAULT_WAIT_MS = 1000;
/** The most of a refused handshake's body that is shown. */
const MAX_BODY_SHOWN = 4096;
/** How long to keep reading a refused handshake's body. */
const BODY_READ_TIMEOUT_MS = 2000;
/** After /quit or the end of input, how long the peer has to answer our close frame. */
const CLOSE_GRACE_MS = 3000;

/** --wait: milliseconds, or 'forever' to stay until the server closes (null). */
function parseWait(value: string | undefined): number | null {
  if (value === undefined) return DEFAULT_WAIT_MS;
  if (value === 'forever' || value === 'inf') return null;
  let ok = value.length > 0 && value.length <= 10;
  for (let i = 0; ok && i < value.length; i++) ok = value.charCodeAt(i) >= 0x30 && value.charCodeAt(i) <= 0x39;
  if (!ok) throw new UsageError(`--wait needs milliseconds or 'forever', got '${value}'`);
  return Number(value);
}

function readBody(res: IncomingMessage): Promise<{ body: string; truncated: number }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let truncated = 0;
    const done = (): void => {
      clearTimeout(timer);
      resolve({ body: Buffer.concat(chunks).toString('utf8'), truncated });
    };
    const timer = setTimeout(done, BODY_READ_TIMEOUT_MS);
    res.on('data', (chunk: Buffer) => {
      const room = MAX_BODY_SHOWN - kept;
      if (room > 0) {
        chunks.push(chunk.subarray(0, room));
        kept += Math.min(room, chunk.length);
      }
      truncated += Math.max(0, chunk.length - Math.max(room, 0));
    });
    res.on('end', done);
    res.on('error', done);
  });
}

export async function runConnect(argv: readonly string[]): Promise<number> {
  const args = parseArgv(argv, CONNECT_OPTIONS);
  const connection = clientConnectionFrom(args, 'connect');
  const wait = parseWait(args.strings.get('wait'));
  const execute = args.lists.get('execute');
  const json = args.flags.has('json');
  const showPingPong = args.flags.has('show-ping-pong');
  const pingInterval = args.integers.get('ping-interval');
  const noColor = args.flags.has('no-color');
  const interactive = execute === undefined && process.stdin.isTTY === true;

  let ws: WebSocket;
  try {
    ws = new WebSocket(connection.url, connection.protocols, connection.options);
  } catch (error) {
    // Thrown synchronously for a malformed URL or option.
    throw new UsageError((error as Error).message);
  }

  return new Promise<number>((resolve) => {
    let rl: Interface | null = null;
    /** The readline showing a prompt (interactive mode only). */
    let promptRl: Interface | null = null;
    let opened = false;
    let weClosed = false;
    let finished = false;
    let handshakeReported = false;
    let pingTimer: NodeJS.Timeout | null = null;
    let waitTimer: NodeJS.Timeout | null = null;
    let graceTimer: NodeJS.Timeout | null = null;
    const pending: string[] = [];

    // Lines printed while the prompt is shown: clear the prompt, print, redraw it.
    const promptOut = process.stdout.isTTY ? process.stdout : process.stderr;
    const around = (write: () => void): void => {
      if (promptRl === null || promptOut.isTTY !== true) {
        write();
        return;
      }
      promptOut.write('\r\x1b[K');
      write();
      promptRl.prompt(true);
    };
    const sink: LineSink = {
      out: (line) => around(() => process.stdout.write(line + '\n')),
      err: (line) => around(() => process.stderr.write(line + '\n')),
    };
    const printer: EventPrinter = json
      ? createJsonPrinter(sink)
      : createHumanPrinter(
          sink,
          createStyle(colorWanted(process.stdout, noColor)),
          createStyle(colorWanted(process.stderr, noColor)),
          !interactive,
        );

    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      if (pingTimer !== null) clearInterval(pingTimer);
      if (waitTimer !== null) clearTimeout(waitTimer);
      if (graceTimer !== null) clearTimeout(graceTimer);
      promptRl = null;
      if (rl !== null) {
        const closing = rl;
        rl = null;
        closing.close();
      }
      if (execute === undefined) process.stdin.destroy();
      resolve(code);
    };

    /** Starts our closing handshake; a peer that never answers is cut off after a grace period. */
    const closeNormally = (code: number = CloseCode.NORMAL_CLOSURE, reason = ''): void => {
      weClosed = true;
      if (ws.readyState !== WebSocket.OPEN) {
        if (ws.readyState === WebSocket.CONNECTING) {
          finish(ExitCode.CONNECT_FAILED);
          ws.terminate();
        }
        return;
      }
      ws.close(code, reason);
      graceTimer ??= setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    };

    const sendText = (text: string, done?: () => void): void => {
      ws.send(text, (error) => {
        if (error) printer.error(`send failed: ${error.message}`);
        done?.();
      });
      printer.message('out', Buffer.from(text, 'utf8'), false);
    };

    const sendBinary = (data: Buffer): void => {
      ws.send(data, { binary: true }, (error) => {
        if (error) printer.error(`send failed: ${error.message}`);
      });
      printer.message('out', data, true);
    };

    /** After the last scripted or piped message: wait for replies, then close. */
    const closeAfterWait = (): void => {
      if (wait === null || finished) return;
      waitTimer = setTimeout(() => closeNormally(), wait);
    };

    const runCommandLine = (line: string): void => {
      const command = parseSlashCommand(line);
      switch (command.kind) {
        case 'text':
          sendText(command.text);
          break;
        case 'ping':
        case 'pong':
          if (command.kind === 'ping') ws.ping(command.data);
          else ws.pong(command.data);
          if (showPingPong || json) printer.control(command.kind, 'out', Buffer.from(command.data, 'utf8'));
          break;
        case 'close':
          try {
            closeNormally(command.code, command.reason);
          } catch (error) {
            weClosed = false;
            printer.error((error as Error).message);
          }
          break;
        case 'binary':
          sendBinary(command.data);
          break;
        case 'file':
          readFile(command.path).then(
            (data) => {
              if (ws.readyState !== WebSocket.OPEN) return;
              sendBinary(data);
              printer.info(`sent ${command.path} (${String(data.length)} bytes)`);
            },
            (error: NodeJS.ErrnoException) => printer.error(`cannot read ${command.path}: ${error.code ?? error.message}`),
          );
          break;
        case 'quit':
          closeNormally();
          break;
        case 'help':
          for (const help of SLASH_HELP) printer.info(help);
          break;
        case 'invalid':
          printer.error(command.message);
          break;
      }
    };

    const startInteractive = (): void => {
      const input = createInterface({
        input: process.stdin,
        output: promptOut,
        terminal: true,
        historySize: 1000,
        removeHistoryDuplicates: true,
        prompt: '> ',
      });
      rl = input;
      promptRl = input;
      input.on('line', (line) => {
        if (ws.readyState === WebSocket.OPEN) runCommandLine(line);
        else printer.error('not connected');
        promptRl?.prompt();
      });
      // Ctrl-C: first a clean close, a second one gives up at once.
      input.on('SIGINT', () => {
        if (weClosed) finish(ExitCode.INTERRUPTED);
        else closeNormally(CloseCode.NORMAL_CLOSURE);
      });
      // Ctrl-D
      input.on('close', () => {
        if (!finished && !weClosed) closeNormally();
      });
      printer.info('Type a message and press Enter; /help lists the commands.');
      input.prompt();
    };

    const startPipe = (): void => {
      const input = createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });
      rl = input;
      let inFlight = 0;
      let ended = false;
      const maybeDone = (): void => {
        if (ended && inFlight === 0) closeAfterWait();
      };
      const send = (line: string): void => {
        inFlight++;
        sendText(line, () => {
          inFlight--;
          maybeDone();
        });
      };
      input.on('line', (line) => {
        if (opened && ws.readyState === WebSocket.OPEN) send(line);
        else if (!opened) pending.push(line);
      });
      input.on('close', () => {
        if (rl === input) rl = null;
        ended = true;
        if (opened) maybeDone();
      });
      // Lines that arrived before the handshake finished.
      ws.once('open', () => {
        for (const line of pending.splice(0)) send(line);
        maybeDone();
      });
    };

    const startExecute = (messages: string[]): void => {
      let left = messages.length;
      for (const message of messages) {
        sendText(message, () => {
          if (--left === 0) closeAfterWait();
        });
      }
    };

    ws.on('unexpected-response', (req: ClientRequest, res: IncomingMessage) => {
      handshakeReported = true;
      void readBody(res).then(({ body, truncated }) => {
        const failure: HandshakeFailure = {
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body,
          truncated,
        };
        printer.handshakeFailed(failure);
        req.destroy();
        ws.terminate();
        finish(ExitCode.CONNECT_FAILED);
      });
    });

    ws.on('open', () => {
      opened = true;
      printer.open({
        url: ws.url,
        protocol: ws.protocol,
        extensions: ws.extensions,
        httpVersion: ws.httpVersion,
        http2Requested: connection.http2,
      });
      if (connection.http2 && ws.httpVersion !== '2') {
        printer.notice('the server does not take WebSockets over HTTP/2: fell back to HTTP/1.1');
      }
      if (connection.compress && !ws.extensions.includes('permessage-deflate')) {
        printer.notice('the server declined permessage-deflate: messages go uncompressed');
      }
      if (pingInterval !== undefined) {
        pingTimer = setInterval(() => {
          if (ws.readyState !== WebSocket.OPEN) return;
          ws.ping();
          if (showPingPong) printer.control('ping', 'out', Buffer.alloc(0));
        }, pingInterval);
      }
      if (execute !== undefined) startExecute(execute);
      else if (interactive) startInteractive();
    });

    ws.on('message', (data: Buffer, isBinary: boolean) => {
      printer.message('in', data, isBinary);
    });
    ws.on('ping', (data: Buffer) => {
      if (showPingPong) printer.control('ping', 'in', data);
    });
    ws.on('pong', (data: Buffer) => {
      if (showPingPong) printer.control('pong', 'in', data);
    });
    ws.on('error', (error: Error) => {
      if (handshakeReported) return;
      if (error instanceof UnexpectedResponseError) {
        // An HTTP/2 refusal: the library read the status, headers and body for us.
        handshakeReported = true;
        const shown = error.body.subarray(0, MAX_BODY_SHOWN);
        printer.handshakeFailed({
          status: error.statusCode,
          statusText: STATUS_CODES[error.statusCode] ?? '', // HTTP/2 has no reason phrase
          headers: error.headers,
          body: shown.toString('utf8'),
          truncated: error.body.length - shown.length,
        });
        finish(ExitCode.CONNECT_FAILED);
        return;
      }
      printer.error(describeConnectError(error), (error as NodeJS.ErrnoException).code);
    });
    ws.on('close', (code: number, reason: Buffer) => {
      // No prompt to redraw after the last line.
      promptRl = null;
      if (handshakeReported) return;
      if (!opened) {
        finish(ExitCode.CONNECT_FAILED);
        return;
      }
      printer.close(code, reason.toString('utf8'), closeCodeName(code));
      finish(weClosed || isNormalClose(code) ? ExitCode.OK : ExitCode.ABNORMAL_CLOSE);
    });

    // Outside interactive mode, Ctrl-C (or a kill) closes cleanly once, then gives up.
    if (!interactive) {
      const onSignal = (): void => {
        if (weClosed || !opened) finish(ExitCode.INTERRUPTED);
        else closeNormally(CloseCode.NORMAL_CLOSURE);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }
    if (execute === undefined && !interactive) startPipe();
  });
}

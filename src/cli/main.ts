#!/usr/bin/env node
/**
 * The `wsx` command: picks the subcommand, prints help and the version, and
 * turns the outcome into an exit code (see cli-errors.ts).
 */
import { readFileSync } from 'node:fs';
import { closestWord } from './argv-parser.js';
import { runBench } from './bench.js';
import { ExitCode, UsageError } from './cli-errors.js';
import { runConnect } from './connect.js';
import { helpText, type HelpTopic } from './help-text.js';
import { runServe } from './serve.js';
import { colorWanted, createStyle } from './terminal-style.js';

type Command = (argv: readonly string[]) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  connect: runConnect,
  serve: runServe,
  bench: runBench,
};

/** After a command is done, what still holds the event loop (a stdin reader) gets this long. */
const EXIT_GRACE_MS = 500;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function printHelp(topic: HelpTopic, argv: readonly string[]): void {
  const style = createStyle(colorWanted(process.stdout, argv.includes('--no-color')));
  process.stdout.write(helpText(topic, style, version()));
}

function isHelpTopic(name: string): name is HelpTopic {
  return name === 'connect' || name === 'serve' || name === 'bench';
}

async function run(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(helpText('main', createStyle(false), version()));
    return ExitCode.USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = rest[0];
    if (topic !== undefined && !isHelpTopic(topic)) throw new UsageError(`no help for '${topic}'`);
    printHelp(topic ?? 'main', argv);
    return ExitCode.OK;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${version()}\n`);
    return ExitCode.OK;
  }
  const command = COMMANDS[name];
  if (command === undefined || !isHelpTopic(name)) {
    const near = closestWord(name, Object.keys(COMMANDS));
    throw new UsageError(
      near === undefined
        ? `unknown command '${name}' (the commands are connect, serve and bench)`
        : `unknown command '${name}' (did you mean ${near}?)`,
    );
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    printHelp(name, rest);
    return ExitCode.OK;
  }
  return command(rest);
}

// A reader that went away (`wsx connect … | head -1`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.OK);
  throw error;
});

const argv = process.argv.slice(2);
run(argv).then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  },
  (error: unknown) => {
    const command = argv[0] !== undefined && isHelpTopic(argv[0]) ? `wsx ${argv[0]}` : 'wsx';
    if (error instanceof UsageError) {
      process.stderr.write(`${command}: ${error.message}\nRun '${command} --help' for the options.\n`);
      process.exitCode = ExitCode.USAGE;
    } else {
      process.stderr.write(`${command}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = ExitCode.CONNECT_FAILED;
    }
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  },
);

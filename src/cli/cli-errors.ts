/**
 * Exit codes of the wsx command and the error type for a wrong command line.
 * Scripts switch on these numbers, so they are part of the CLI's interface
 * (documented in `wsx --help` and docs/cli.md).
 */
export const ExitCode = {
  /** The connection closed normally (1000, 1001 or no status), or the command finished. */
  OK: 0,
  /** The connection could not be opened: network error, TLS error, refused handshake. */
  CONNECT_FAILED: 1,
  /** The command line is wrong. */
  USAGE: 2,
  /** The connection was open and then closed abnormally or with an error code. */
  ABNORMAL_CLOSE: 3,
  /** Interrupted with Ctrl-C a second time (128 + SIGINT). */
  INTERRUPTED: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A mistake on the command line: printed with a hint to use --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

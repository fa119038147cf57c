/**
 * ANSI colours for one output stream, decided once: only when the stream is
 * a terminal, and never with --no-color or a non-empty NO_COLOR variable
 * (https://no-color.org). When off, every style returns its text unchanged,
 * so pipes and files get plain text.
 */
export interface Style {
  readonly enabled: boolean;
  dim(text: string): string;
  bold(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
}

interface MaybeTerminal {
  readonly isTTY?: boolean;
}

export function colorWanted(stream: MaybeTerminal, noColorFlag: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (noColorFlag) return false;
  const noColor = env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  return stream.isTTY === true;
}

function wrap(enabled: boolean, open: number, close: number): (text: string) => string {
  if (!enabled) return (text) => text;
  const start = `\x1b[${String(open)}m`;
  const end = `\x1b[${String(close)}m`;
  return (text) => start + text + end;
}

export function createStyle(enabled: boolean): Style {
  return {
    enabled,
    dim: wrap(enabled, 2, 22),
    bold: wrap(enabled, 1, 22),
    red: wrap(enabled, 31, 39),
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    blue: wrap(enabled, 34, 39),
    magenta: wrap(enabled, 35, 39),
    cyan: wrap(enabled, 36, 39),
  };
}

/** Removes control characters from text received from a peer before it reaches a terminal. */
export function neutralizeControls(text: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // C0 controls except tab and newline, DEL, and C1 controls (CSI is 0x9b).
    const control = (c < 0x20 && c !== 0x09 && c !== 0x0a) || c === 0x7f || (c >= 0x80 && c <= 0x9f);
    if (control) {
      out += text.slice(start, i) + `\\x${c.toString(16).padStart(2, '0')}`;
      start = i + 1;
    }
  }
  return start === 0 ? text : out + text.slice(start);
}

/**
 * A small command-line parser written for wsx (the CLI has no runtime
 * dependencies). Each command declares its options once; the parser
 * accepts `--name value`, `--name=value`, `-n value`, repeatable options,
 * and `--` to end option parsing, and reports mistakes as UsageErrors that
 * name the option (with a suggestion for misspelled ones).
 */
import { UsageError } from './cli-errors.js';

export type OptionKind = 'flag' | 'string' | 'list' | 'integer';

export interface OptionSpec {
  /** Long name without the dashes, e.g. 'max-payload'. */
  readonly name: string;
  /** One-letter alias without the dash, e.g. 'H'. */
  readonly short?: string;
  readonly kind: OptionKind;
  /** For 'integer': the smallest accepted value (default 0). */
  readonly min?: number;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: ReadonlySet<string>;
  readonly strings: ReadonlyMap<string, string>;
  readonly lists: ReadonlyMap<string, string[]>;
  readonly integers: ReadonlyMap<string, number>;
}

/** Options every command understands. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'help', short: 'h', kind: 'flag' },
  { name: 'no-color', kind: 'flag' },
];

export function parseArgv(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const all = [...COMMON_OPTIONS, ...specs];
  const byLong = new Map<string, OptionSpec>();
  const byShort = new Map<string, OptionSpec>();
  for (const spec of all) {
    byLong.set(spec.name, spec);
    if (spec.short !== undefined) byShort.set(spec.short, spec);
  }

  const positionals: string[] = [];
  const flags = new Set<string>();
  const strings = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const integers = new Map<string, number>();

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    // A lone '-' and negative numbers given as positionals are not options.
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }

    let spec: OptionSpec | undefined;
    let inlineValue: string | undefined;
    let written: string;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      if (eq !== -1) inlineValue = arg.slice(eq + 1);
      spec = byLong.get(name);
      written = `--${name}`;
      if (spec === undefined) throw new UsageError(unknownOptionMessage(written, all));
    } else {
      const letter = arg.slice(1, 2);
      spec = byShort.get(letter);
      written = `-${letter}`;
      if (spec === undefined) throw new UsageError(unknownOptionMessage(arg, all));
      if (arg.length > 2) inlineValue = arg[2] === '=' ? arg.slice(3) : arg.slice(2);
    }

    if (spec.kind === 'flag') {
      if (inlineValue !== undefined) throw new UsageError(`${written} takes no value`);
      flags.add(spec.name);
      continue;
    }

    let value = inlineValue;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`${written} needs a value`);
      value = argv[++i]!;
    }

    switch (spec.kind) {
      case 'string':
        strings.set(spec.name, value);
        break;
      case 'list': {
        const list = lists.get(spec.name);
        if (list === undefined) lists.set(spec.name, [value]);
        else list.push(value);
        break;
      }
      case 'integer':
        integers.set(spec.name, parseInteger(written, value, spec.min ?? 0));
        break;
    }
  }

  return { positionals, flags, strings, lists, integers };
}

/** A decimal integer (digits only, so '1e3', '0x10' and '' are refused). */
function parseInteger(written: string, value: string, min: number): number {
  let digits = value;
  const negative = value.startsWith('-');
  if (negative) digits = value.slice(1);
  let ok = digits.length > 0 && digits.length <= 15;
  for (let i = 0; ok && i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 0x30 || c > 0x39) ok = false;
  }
  const n = ok ? (negative ? -Number(digits) : Number(digits)) : NaN;
  if (!ok || n < min) {
    throw new UsageError(`${written} needs an integer >= ${String(min)}, got '${value}'`);
  }
  return n;
}

/** The candidate closest to a misspelled word (at most two edits away), if any. */
export function closestWord(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

function unknownOptionMessage(written: string, specs: readonly OptionSpec[]): string {
  let start = 0;
  while (written[start] === '-') start++;
  const best = closestWord(written.slice(start), specs.map((spec) => spec.name));
  return best === undefined ? `unknown option ${written}` : `unknown option ${written} (did you mean --${best}?)`;
}

/** Levenshtein distance; option names are short, so the quadratic table is fine. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

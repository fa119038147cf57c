// The hand-written argument parser of the wsx command.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgv, closestWord } from '../../dist/cli/argv-parser.js';
import { UsageError } from '../../dist/cli/cli-errors.js';

const SPECS = [
  { name: 'header', short: 'H', kind: 'list' },
  { name: 'origin', short: 'o', kind: 'string' },
  { name: 'json', kind: 'flag' },
  { name: 'insecure', short: 'k', kind: 'flag' },
  { name: 'port', kind: 'integer', min: 0 },
  { name: 'connections', short: 'c', kind: 'integer', min: 1 },
];

function usage(fn, message) {
  assert.throws(fn, (error) => error instanceof UsageError && error.message === message);
}

describe('parseArgv', () => {
  test('long, short, inline and separate values; repeatable lists; positionals anywhere', () => {
    const args = parseArgv(
      ['ws://x', '-H', 'A: 1', '--header=B: 2', '-HC: 3', '--origin', 'o', '-k', '--json', '--port=0', '-c', '12', 'extra'],
      SPECS,
    );
    assert.deepEqual(args.positionals, ['ws://x', 'extra']);
    assert.deepEqual(args.lists.get('header'), ['A: 1', 'B: 2', 'C: 3']);
    assert.equal(args.strings.get('origin'), 'o');
    assert.deepEqual([...args.flags].sort(), ['insecure', 'json']);
    assert.equal(args.integers.get('port'), 0);
    assert.equal(args.integers.get('connections'), 12);
  });

  test('-- ends the options; a lone - is a positional; values may start with -', () => {
    const args = parseArgv(['--origin', '-weird', '-', '--', '--json', '-k'], SPECS);
    assert.equal(args.strings.get('origin'), '-weird');
    assert.deepEqual(args.positionals, ['-', '--json', '-k']);
    assert.equal(args.flags.size, 0);
  });

  test('common options: --help, -h, --no-color', () => {
    const args = parseArgv(['-h', '--no-color'], SPECS);
    assert.deepEqual([...args.flags].sort(), ['help', 'no-color']);
  });

  test('mistakes are UsageErrors that name the option', () => {
    usage(() => parseArgv(['--jsn'], SPECS), 'unknown option --jsn (did you mean --json?)');
    usage(() => parseArgv(['--zzzzzz'], SPECS), 'unknown option --zzzzzz');
    usage(() => parseArgv(['-z'], SPECS), 'unknown option -z');
    usage(() => parseArgv(['--origin'], SPECS), '--origin needs a value');
    usage(() => parseArgv(['--json=yes'], SPECS), '--json takes no value');
    usage(() => parseArgv(['--port', '1e3'], SPECS), "--port needs an integer >= 0, got '1e3'");
    usage(() => parseArgv(['--port', '0x10'], SPECS), "--port needs an integer >= 0, got '0x10'");
    usage(() => parseArgv(['--port', ''], SPECS), "--port needs an integer >= 0, got ''");
    usage(() => parseArgv(['--port', '-1'], SPECS), "--port needs an integer >= 0, got '-1'");
    usage(() => parseArgv(['-c', '0'], SPECS), "-c needs an integer >= 1, got '0'");
  });

  test('closestWord suggests within two edits only', () => {
    assert.equal(closestWord('conect', ['connect', 'serve', 'bench']), 'connect');
    assert.equal(closestWord('srve', ['connect', 'serve', 'bench']), 'serve');
    assert.equal(closestWord('xyz', ['connect', 'serve', 'bench']), undefined);
  });
});

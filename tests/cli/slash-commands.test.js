// The interactive commands of `wsx connect`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSlashCommand } from '../../dist/cli/slash-commands.js';

test('plain lines and // are text', () => {
  assert.deepEqual(parseSlashCommand('hello /x'), { kind: 'text', text: 'hello /x' });
  assert.deepEqual(parseSlashCommand(''), { kind: 'text', text: '' });
  assert.deepEqual(parseSlashCommand('//ping'), { kind: 'text', text: '/ping' });
  assert.deepEqual(parseSlashCommand('///'), { kind: 'text', text: '//' });
});

test('ping, pong, quit, help', () => {
  assert.deepEqual(parseSlashCommand('/ping'), { kind: 'ping', data: '' });
  assert.deepEqual(parseSlashCommand('/ping  two words'), { kind: 'ping', data: 'two words' });
  assert.deepEqual(parseSlashCommand('/pong x'), { kind: 'pong', data: 'x' });
  assert.deepEqual(parseSlashCommand('/quit'), { kind: 'quit' });
  assert.deepEqual(parseSlashCommand('/exit'), { kind: 'quit' });
  assert.deepEqual(parseSlashCommand('/help'), { kind: 'help' });
});

test('/close with no code, a code, a code and a reason', () => {
  assert.deepEqual(parseSlashCommand('/close'), { kind: 'close', code: undefined, reason: '' });
  assert.deepEqual(parseSlashCommand('/close 4000'), { kind: 'close', code: 4000, reason: '' });
  assert.deepEqual(parseSlashCommand('/close 1001 going  away now'), { kind: 'close', code: 1001, reason: 'going  away now' });
  assert.equal(parseSlashCommand('/close bye').kind, 'invalid');
  assert.equal(parseSlashCommand('/close 10000').kind, 'invalid');
});

test('/binary takes hex bytes', () => {
  assert.deepEqual(parseSlashCommand('/binary de ad:BE EF'), { kind: 'binary', data: Buffer.from([0xde, 0xad, 0xbe, 0xef]) });
  assert.deepEqual(parseSlashCommand('/binary 00ff'), { kind: 'binary', data: Buffer.from([0, 255]) });
  for (const bad of ['/binary', '/binary abc', '/binary zz', '/binary 0g', '/binary \x10\x19']) {
    assert.equal(parseSlashCommand(bad).kind, 'invalid', bad);
  }
});

test('/file needs a path; unknown commands are reported', () => {
  assert.deepEqual(parseSlashCommand('/file /tmp/a b.bin'), { kind: 'file', path: '/tmp/a b.bin' });
  assert.equal(parseSlashCommand('/file').kind, 'invalid');
  assert.deepEqual(parseSlashCommand('/nope 1'), {
    kind: 'invalid',
    message: "unknown command /nope (type /help; '//' sends a line starting with '/')",
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Opcode, isControlOpcode, isKnownOpcode } from '../../dist/protocol/opcode.js';

test('Opcode values are those of RFC 6455 section 5.2 / 11.8', () => {
  assert.deepEqual({ ...Opcode }, { CONTINUATION: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 });
});

test('isKnownOpcode accepts 0-2 and 8-10 only; isControlOpcode is true for 8-15', () => {
  for (let op = 0; op < 16; op++) {
    assert.equal(isKnownOpcode(op), [0, 1, 2, 8, 9, 10].includes(op), `known ${op}`);
    assert.equal(isControlOpcode(op), op >= 8, `control ${op}`);
  }
});

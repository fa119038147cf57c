// The hex/ASCII preview of binary messages and the hex parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hexPreviewRows, hexInline, parseHex } from '../../dist/cli/hex-preview.js';

test('rows of 16 bytes with offset, a gap after 8, and printable ASCII', () => {
  const data = Buffer.concat([Buffer.from('Hello, '), Buffer.from([0x00, 0x7f, 0x80]), Buffer.from('world!!')]);
  assert.deepEqual(hexPreviewRows(data), [
    '00000000  48 65 6c 6c 6f 2c 20 00  7f 80 77 6f 72 6c 64 21  |Hello, ...world!|',
    '00000010  21                                                |!|',
  ]);
  assert.deepEqual(hexPreviewRows(Buffer.alloc(0)), []);
});

test('long data is cut at the limit and the rest is counted', () => {
  const rows = hexPreviewRows(Buffer.alloc(100, 0x41), 32);
  assert.equal(rows.length, 3);
  assert.equal(rows[2], '… 68 more bytes');
  assert.equal(hexPreviewRows(Buffer.alloc(64)).length, 4, '64 bytes fit the default limit');
  assert.equal(hexPreviewRows(Buffer.alloc(65)).at(-1), '… 1 more bytes');
});

test('hexInline for log lines', () => {
  assert.equal(hexInline(Buffer.from([1, 2, 0x41])), '01 02 41 |..A|');
  assert.equal(hexInline(Buffer.alloc(20, 0x62), 2), '62 62 |bb| …');
});

test('parseHex accepts pairs with optional separators, refuses the rest', () => {
  assert.deepEqual(parseHex('DEadBeef'), Buffer.from([0xde, 0xad, 0xbe, 0xef]));
  assert.deepEqual(parseHex('de:ad be\tef'), Buffer.from([0xde, 0xad, 0xbe, 0xef]));
  assert.deepEqual(parseHex(''), Buffer.alloc(0));
  for (const bad of ['a', 'abc', 'gg', '0x10', '12-34', '\x10\x19', '１２']) assert.equal(parseHex(bad), null, JSON.stringify(bad));
});

// Colours only on a terminal without --no-color/NO_COLOR; peer text made harmless for terminals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorWanted, createStyle, neutralizeControls } from '../../dist/cli/terminal-style.js';

test('colorWanted: a TTY, no flag, NO_COLOR unset or empty', () => {
  assert.equal(colorWanted({ isTTY: true }, false, {}), true);
  assert.equal(colorWanted({ isTTY: true }, false, { NO_COLOR: '' }), true);
  assert.equal(colorWanted({ isTTY: true }, false, { NO_COLOR: '1' }), false);
  assert.equal(colorWanted({ isTTY: true }, true, {}), false);
  assert.equal(colorWanted({ isTTY: false }, false, {}), false);
  assert.equal(colorWanted({}, false, {}), false);
});

test('styles wrap only when enabled', () => {
  assert.equal(createStyle(true).red('x'), '\x1b[31mx\x1b[39m');
  assert.equal(createStyle(false).red('x'), 'x');
  assert.equal(createStyle(false).bold('x'), 'x');
});

test('neutralizeControls escapes C0 (but tab and newline), DEL and C1', () => {
  assert.equal(neutralizeControls('plain text, ünïcode ✓'), 'plain text, ünïcode ✓');
  assert.equal(neutralizeControls('a\tb\nc'), 'a\tb\nc');
  assert.equal(neutralizeControls('\x1b[2J\r\x07\x7f\x9b1m\x00'), '\\x1b[2J\\x0d\\x07\\x7f\\x9b1m\\x00');
});

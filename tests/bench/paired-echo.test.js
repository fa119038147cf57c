// The paired comparison tool (bench/micro/paired-echo.js) runs end to end on this tree's
// dist/ against itself and prints a ratio; a missing build is a clear error, not a crash.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOOL = path.join(repoRoot, 'bench', 'micro', 'paired-echo.js');
const DIST = path.join(repoRoot, 'dist');

test('paired-echo compares two builds on the in-memory echo path and prints the median ratio', async () => {
  const { stdout } = await run(process.execPath, [TOOL, DIST, DIST, '16 B', '1'], { cwd: repoRoot });
  assert.match(stdout, /^16 B binary, 16 per read: \d+ pairs of 50 ms slices$/m);
  const ratio = Number(/new\/base, median of pairs: ([\d.]+)/.exec(stdout)?.[1]);
  assert.ok(ratio > 0 && Number.isFinite(ratio), stdout);
});

test('paired-echo refuses a folder without a build, with a message', async () => {
  await assert.rejects(run(process.execPath, [TOOL, path.join(repoRoot, 'no-such-dist'), DIST, '16 B', '1']), (error) => {
    assert.equal(error.code, 1);
    assert.match(error.stderr, /^paired-echo: .*no-such-dist.*websocket\.js not found: build that tree first\n$/);
    return true;
  });
  await assert.rejects(run(process.execPath, [TOOL]), (error) => error.code === 2 && /usage:/.test(error.stderr));
});

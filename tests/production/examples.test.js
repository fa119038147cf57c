// The production-feature examples in examples/ run with `node examples/x.js`,
// exit 0 by themselves and print what they demonstrate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function run(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const examples = {
  'examples/heartbeat.js': [/frozen closed with 1006 \(The peer stopped answering/, /healthy is still open, frozen is closed/],
  'examples/backpressure.js': [/slow closed with 1008/, /fast client received 67108864 of 67108864 bytes/],
  'examples/pubsub.js': [/recipients of an announcement: 3/, /bob got: alice: hi room 1/, /moderator got: binary alert/],
  'examples/async-iteration.js': [/client got #6: 1000 bytes/, /the loop ended after 6 messages/],
  'examples/websocket-stream.js': [/client got HELLO/, /client got STREAMS/, /client: closed with \{ closeCode: 1000, reason: 'done' \}/],
  'examples/create-websocket-stream.js': [/server digest matches the data sent/],
  'examples/graceful-shutdown.js': [/client \d: closed 1001 \(server shutting down\)/, /every connection is gone; exiting/],
  'examples/limits.js': [/cross-site page: refused \(.*403\)/, /third from the same address: refused \(.*503\)/, /slowloris: HTTP\/1.1 408/, /flooder: closed by the server with 1008/],
};

for (const [file, patterns] of Object.entries(examples)) {
  test(`${file} runs and exits 0`, { timeout: 40_000 }, async () => {
    const { code, signal, stdout, stderr } = await run(file);
    assert.equal(signal, null, `killed: it did not exit by itself\n${stdout}\n${stderr}`);
    assert.equal(code, 0, `exit code ${code}\n${stdout}\n${stderr}`);
    for (const pattern of patterns) assert.match(stdout, pattern);
  });
}

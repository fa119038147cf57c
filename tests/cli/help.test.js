// `wsx --help`, per-command help, --version and the command dispatcher.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCli } from '../helpers/cli-process.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

describe('wsx help', { timeout: 30_000 }, () => {
  test('--help lists the commands, examples and exit codes, on stdout, exit 0', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    const text = result.stdout;
    assert.ok(text.startsWith(`wsx ${pkg.version} — WebSocket client, server and load generator\n`));
    for (const line of ['wsx connect <url> [options]', 'wsx serve [options]', 'wsx bench <url> [options]', 'Exit codes']) {
      assert.ok(text.includes(line), line);
    }
    assert.ok(!text.includes('\x1b['), 'no colours on a pipe');
    const again = await runCli(['-h']);
    assert.equal(again.stdout, text);
  });

  test('each command has its own help, by --help or by `wsx help <command>`', async () => {
    const expected = {
      connect: ['-x, --execute <msg>', '--json', '/binary <hex>', '--ping-interval <ms>', '-k, --insecure'],
      serve: ['--broadcast', '--static <dir>', '--tls-cert <file>', '--heartbeat <ms>', '1001'],
      bench: ['-c, --connections <n>', '-P, --pipeline <n>', '-d, --duration <s>', 'p99'],
    };
    for (const [command, parts] of Object.entries(expected)) {
      const viaFlag = await runCli([command, '--help']);
      assert.equal(viaFlag.code, 0);
      for (const part of parts) assert.ok(viaFlag.stdout.includes(part), `${command}: ${part}`);
      const viaHelp = await runCli(['help', command]);
      assert.equal(viaHelp.stdout, viaFlag.stdout);
    }
  });

  test('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${pkg.version}\n`);
  });

  test('no command or an unknown one: usage on stderr, exit 2', async () => {
    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /wsx connect <url>/);

    const unknown = await runCli(['conect']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, "wsx: unknown command 'conect' (did you mean connect?)\nRun 'wsx --help' for the options.\n");
  });
});

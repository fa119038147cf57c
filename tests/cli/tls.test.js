// wss:// end to end: `wsx serve --tls-cert/--tls-key` with a self-signed
// certificate made here by openssl, and `wsx connect` trusting it with --ca,
// skipping verification with -k, or refusing it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, runCli, killAllCli, jsonLines } from '../helpers/cli-process.js';

const TEST_TIMEOUT = 20_000;
const OPENSSL = '/usr/bin/openssl';

function opensslMissing() {
  if (!existsSync(OPENSSL)) return `${OPENSSL} not found: install Debian package openssl`;
  return false;
}

describe('wsx serve/connect over TLS', { timeout: 60_000, skip: opensslMissing() }, () => {
  let dir;
  let cert;
  let key;
  let server;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wsx-tls-'));
    cert = join(dir, 'cert.pem');
    key = join(dir, 'key.pem');
    const made = spawnSync(
      OPENSSL,
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { encoding: 'utf8', timeout: 15_000 },
    );
    assert.equal(made.status, 0, made.stderr);
    server = await startServe(['--tls-cert', cert, '--tls-key', key, '--port', '0']);
  });

  after(() => {
    killAllCli();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('serve prints a wss:// URL', () => {
    assert.match(server.url, /^wss:\/\/127\.0\.0\.1:\d+\/$/);
  });

  test('connect --ca trusts the self-signed certificate', { timeout: TEST_TIMEOUT }, async () => {
    const result = await runCli(['connect', server.url, '--ca', cert, '-x', 'secret', '--json', '--wait', '300']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      jsonLines(result.stdout).map((e) => [e.event, e.direction, e.data]),
      [
        ['open', undefined, undefined],
        ['message', 'out', 'secret'],
        ['message', 'in', 'secret'],
        ['close', undefined, undefined],
      ],
    );
  });

  test('connect -k skips verification', { timeout: TEST_TIMEOUT }, async () => {
    const result = await runCli(['connect', server.url, '-k', '-x', 'anyway', '--wait', '300']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /< anyway/);
  });

  test('without --ca or -k the certificate is refused: exit 1 with a hint', { timeout: TEST_TIMEOUT }, async () => {
    const result = await runCli(['connect', server.url, '-x', 'never']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^error: self[- ]signed certificate \(trust the certificate with --ca <file>, or skip verification with -k\)$/m);
  });

  test('a missing --ca file is a usage error', { timeout: TEST_TIMEOUT }, async () => {
    const result = await runCli(['connect', server.url, '--ca', join(dir, 'nope.pem')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--ca: cannot read .*nope\.pem \(ENOENT\)/);
  });

  test('bench runs over wss:// too', { timeout: TEST_TIMEOUT }, async () => {
    const result = await runCli(['bench', server.url, '--ca', cert, '-n', '20', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.messages, 20);
    assert.equal(summary.errors, 0);
  });
});

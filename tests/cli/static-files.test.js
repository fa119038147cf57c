// What `wsx serve --static` agrees to serve.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaticHandler, requestedPath } from '../../dist/cli/static-files.js';

test('requestedPath: segments below the root, index.html for directories', () => {
  assert.deepEqual(requestedPath('/'), ['index.html']);
  assert.deepEqual(requestedPath('/a/b.js?x=1#y'), ['a', 'b.js']);
  assert.deepEqual(requestedPath('/a//b/'), ['a', 'b', 'index.html']);
  assert.deepEqual(requestedPath('/sp%20ace.txt'), ['sp ace.txt']);
});

test('requestedPath refuses dot segments, dotfiles, NUL, backslashes and bad escapes', () => {
  for (const url of ['/../x', '/a/../../x', '/%2e%2e/x', '/a%2f..%2f..%2fx', '/.git/config', '/a/.env', '/a%00b', '/a%5c..%5cb', '/%e0%a4%a', 'relative', '']) {
    assert.equal(requestedPath(url), null, url);
  }
});

const root = mkdtempSync(join(tmpdir(), 'wsx-static-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a symlink that leads out of the directory is not followed', async () => {
  const site = join(root, 'site');
  mkdirSync(site);
  mkdirSync(join(site, 'sub'));
  writeFileSync(join(site, 'index.html'), '<p>home</p>');
  writeFileSync(join(site, 'sub', 'index.html'), '<p>sub</p>');
  writeFileSync(join(root, 'secret.txt'), 'secret');
  symlinkSync(join(root, 'secret.txt'), join(site, 'leak.txt'));
  symlinkSync(join(site, 'index.html'), join(site, 'alias.html'));

  const server = createServer(createStaticHandler(site));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const get = (path) =>
    new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port: server.address().port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode, body }));
      })
        .on('error', reject)
        .end();
    });
  try {
    assert.deepEqual(await get('/'), { status: 200, body: '<p>home</p>' });
    assert.deepEqual(await get('/sub'), { status: 200, body: '<p>sub</p>' });
    assert.deepEqual(await get('/alias.html'), { status: 200, body: '<p>home</p>' });
    assert.equal((await get('/leak.txt')).status, 404);
    assert.equal((await get('/nothing')).status, 404);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

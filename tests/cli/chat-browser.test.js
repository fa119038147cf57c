// The chat demo in a real browser: `wsx serve --broadcast --static
// examples/chat` and two headless Chromium pages (Debian package chromium,
// driven by playwright-core). A message typed in one page appears in the
// other; after the server restarts on the same port both pages reconnect on
// their own and the room works again.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { chromiumMissing, SYSTEM_CHROMIUM } from '../helpers/peers.js';
import { startServe, killAllCli } from '../helpers/cli-process.js';

const LAUNCH_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WAIT = 15_000;
const missing = chromiumMissing();

/** A page of the chat as `name` (the name is in localStorage before the page's script runs). */
async function openChat(browser, url, name) {
  const context = await browser.newContext();
  await context.addInitScript((n) => localStorage.setItem('wsx-chat-name', n), name);
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('#status[data-state="open"]').waitFor({ timeout: WAIT });
  return page;
}

/** Texts of the chat lines (not system lines) as 'who: text'. */
function chatLines(page) {
  return page.$$eval('#messages li.chat', (items) =>
    items.map((li) => `${li.querySelector('.who')?.textContent}: ${li.querySelector('.text')?.textContent}`),
  );
}

function systemLines(page) {
  return page.$$eval('#messages li.system .text', (items) => items.map((el) => el.textContent));
}

async function say(page, text) {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
}

/** Waits until `page` shows a chat line 'who: text'. */
async function expectLine(page, who, text) {
  await page
    .locator('#messages li.chat', { has: page.locator('.who', { hasText: who }) })
    .filter({ has: page.locator('.text', { hasText: text }) })
    .first()
    .waitFor({ timeout: WAIT });
}

describe('chat demo in headless Chromium', { skip: missing ?? false, timeout: 60_000 }, () => {
  let browser;
  let server;

  before(async () => {
    browser = await chromium.launch({ executablePath: SYSTEM_CHROMIUM, args: LAUNCH_ARGS, timeout: WAIT });
    server = await startServe(['--broadcast', '--static', 'examples/chat', '--port', '0']);
  });

  after(async () => {
    killAllCli();
    await browser?.close();
  });

  test('two pages talk, and both reconnect after a server restart', { timeout: 55_000 }, async () => {
    const [httpUrl] = server.stdout.match(/http:\/\/\S+/);
    const port = server.port;
    const alice = await openChat(browser, httpUrl, 'alice');
    const bob = await openChat(browser, httpUrl, 'bob');

    // Joins: alice sees bob arrive; bob learns alice is there.
    await alice.locator('#messages li.system', { hasText: 'bob joined' }).waitFor({ timeout: WAIT });
    await bob.locator('#people li', { hasText: 'alice' }).waitFor({ timeout: WAIT });

    await say(alice, 'hello from alice');
    await expectLine(bob, 'alice', 'hello from alice');
    await say(bob, 'hi alice <b>not bold</b>');
    await expectLine(alice, 'bob', 'hi alice <b>not bold</b>');
    assert.equal(await alice.locator('#messages b').count(), 0, 'peer text is never parsed as HTML');
    assert.deepEqual(await chatLines(alice), ['alice: hello from alice', 'bob: hi alice <b>not bold</b>']);
    assert.deepEqual(await chatLines(bob), ['alice: hello from alice', 'bob: hi alice <b>not bold</b>']);

    // Restart the server on the same port.
    server.child.kill('SIGTERM');
    assert.equal((await server.exit()).code, 0);
    for (const page of [alice, bob]) {
      await page.locator('#status[data-state="closed"]').waitFor({ timeout: WAIT });
      assert.equal(await page.locator('#send').isDisabled(), true);
    }
    server = await startServe(['--broadcast', '--static', 'examples/chat', '--port', String(port)]);
    for (const page of [alice, bob]) {
      await page.locator('#status[data-state="open"][data-connects="2"]').waitFor({ timeout: 20_000 });
    }
    await server.waitFor('stderr', /#2 .*connected/);

    await say(bob, 'back again');
    await expectLine(alice, 'bob', 'back again');
    await say(alice, 'welcome back');
    await expectLine(bob, 'alice', 'welcome back');

    // A reconnection is not a new arrival.
    assert.deepEqual((await systemLines(alice)).filter((l) => l.endsWith('joined')), ['bob joined']);
    assert.deepEqual((await systemLines(bob)).filter((l) => l.endsWith('joined')), []);
    assert.ok((await systemLines(bob)).includes('reconnected'));
  });
});

// Availability of the system peers and small event helpers for interop tests.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const SYSTEM_PYTHON = '/usr/bin/python3';
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/**
 * Why Python's websockets cannot be used here, or null when it can.
 * Always the Debian interpreter: the pyenv python3 on PATH lacks the module.
 */
export function pythonWebsocketsMissing() {
  if (!existsSync(SYSTEM_PYTHON)) {
    return `${SYSTEM_PYTHON} not found: install Debian package python3-websockets`;
  }
  const probe = spawnSync(
    SYSTEM_PYTHON,
    ['-c', 'import websockets, sys; sys.stdout.write(websockets.__version__)'],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (probe.status !== 0) {
    return `${SYSTEM_PYTHON} cannot import websockets: install Debian package python3-websockets`;
  }
  const major = Number(probe.stdout.split('.')[0]);
  if (!(major >= 10)) {
    return `python websockets ${probe.stdout} is too old (need >= 10): install Debian package python3-websockets`;
  }
  return null;
}

/** Why headless Chromium cannot be used here, or null when it can. */
export function chromiumMissing() {
  if (!existsSync(SYSTEM_CHROMIUM)) {
    return `${SYSTEM_CHROMIUM} not found: install Debian package chromium`;
  }
  return null;
}

let deadline = Infinity;

/**
 * Bounds the whole test file: once `ms` have passed, every wait below fails
 * at once instead of running to its own timeout, so a hanging implementation
 * cannot keep a file running for minutes.
 */
export function setTimeBudget(ms) {
  deadline = Date.now() + ms;
}

/** `ms`, shortened to what is left of the file's time budget. */
export function budgeted(ms) {
  return Math.max(0, Math.min(ms, deadline - Date.now()));
}

/** Explains a shortened wait in a timeout message. */
export function budgetNote(wait, asked) {
  return wait < asked ? " (the test file's time budget is used up)" : '';
}

/**
 * Resolves with the arguments of the next `event` on an EventEmitter,
 * rejects after `ms` (a safety net; no test relies on the timing itself).
 */
export function nextEvent(emitter, event, ms = 10_000) {
  const wait = budgeted(ms);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(event, onEvent);
      reject(new Error(`timed out after ${wait} ms${budgetNote(wait, ms)} waiting for '${event}'`));
    }, wait);
    function onEvent(...args) {
      clearTimeout(timer);
      resolve(args);
    }
    emitter.once(event, onEvent);
  });
}

/** Rejects after `ms` unless `promise` settles first. */
export function withTimeout(promise, ms, what) {
  const wait = budgeted(ms);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${wait} ms${budgetNote(wait, ms)}: ${what}`)), wait);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Teardown: waits up to `ms` for `promise` (outside the budget), never rejects. */
export async function settleWithin(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([promise.catch(() => {}), timeout]);
  clearTimeout(timer);
}

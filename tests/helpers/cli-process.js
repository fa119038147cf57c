// Runs the wsx command (dist/cli/main.js) as a child process for the CLI
// tests: collects its output, waits for lines in it with a bound, and kills
// whatever is still running when a test file ends (killAllCli in `after`).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

const live = new Set();

/**
 * Starts `node dist/cli/main.js ...args`. `input` (a string) is written to
 * stdin and stdin is ended; with `keepStdin` it stays open; otherwise stdin
 * is ended at once (a closed pipe, like `< /dev/null`).
 */
export function startCli(args, { input, keepStdin = false, env = {} } = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  const out = { stdout: '', stderr: '' };
  const watchers = new Set();
  const notify = () => {
    for (const watcher of watchers) watcher();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    out.stdout += chunk;
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    out.stderr += chunk;
    notify();
  });
  child.stdin.on('error', () => {}); // the CLI may exit before reading everything
  if (input !== undefined) child.stdin.end(input);
  else if (!keepStdin) child.stdin.end();

  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      // 'exit' can come before the last output: wait for the streams to end.
      let open = 2;
      const done = () => {
        if (--open === 0) resolve({ code, signal, stdout: out.stdout, stderr: out.stderr });
      };
      if (child.stdout.readableEnded) done();
      else child.stdout.on('end', done);
      if (child.stderr.readableEnded) done();
      else child.stderr.on('end', done);
    });
  });

  return {
    child,
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
    exited,
    /** Resolves with the match once `pattern` appears in `stream`; rejects after `ms` or when the process exits. */
    waitFor(stream, pattern, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = out[stream].match(pattern);
          if (match) {
            cleanup();
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${String(pattern)} on ${stream} within ${ms} ms; stdout: ${out.stdout}\nstderr: ${out.stderr}`));
        }, ms);
        const onExit = () => {
          setImmediate(() => {
            check();
            cleanup();
            reject(new Error(`wsx exited before ${String(pattern)} appeared on ${stream}; stdout: ${out.stdout}\nstderr: ${out.stderr}`));
          });
        };
        const cleanup = () => {
          clearTimeout(timer);
          watchers.delete(check);
          child.off('exit', onExit);
        };
        watchers.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    /** Resolves with { code, signal, stdout, stderr }; kills the process and rejects after `ms`. */
    async exit(ms = 15_000) {
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`wsx did not exit within ${ms} ms; stdout: ${out.stdout}\nstderr: ${out.stderr}`));
        }, ms);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs wsx to completion: { code, signal, stdout, stderr }. */
export function runCli(args, options = {}) {
  const { timeout = 15_000, ...rest } = options;
  return startCli(args, rest).exit(timeout);
}

/** Starts `wsx serve` with `args` and resolves once it printed its WebSocket URL. */
export async function startServe(args, options) {
  const server = startCli(['serve', ...args], { keepStdin: true, ...options });
  const [url] = await server.waitFor('stdout', /wss?:\/\/\S+/);
  const port = Number(new URL(url).port);
  return Object.assign(server, { url, port });
}

/** Kills every CLI process still running (for `after` hooks). */
export function killAllCli() {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** The JSON objects of a --json stdout, one per line. */
export function jsonLines(stdout) {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

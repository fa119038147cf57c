// Command-line options of bench/run.js.

export const USAGE = `usage: node bench/run.js [options]
  --quick              1 run of ~1 s per scenario and target (default: 3 runs of ~3 s)
  --smoke              tiny counts and ~0.3 s per scenario (used by the test suite)
  --runs N             number of runs (the median is reported)
  --duration MS        measurement window per run (warm-up is a third of it, at most 1 s)
  --only a,b           scenarios to run: echo-16b, echo-1k-text, echo-64k, echo-1m,
                       echo-1k-h2, latency-64b, connect, broadcast, micro; "echo" selects
                       all echo ones
  --targets a,b        targets: wsx, wsx+bufferutil, ws, ws+bufferutil, bun, raw;
                       http-floor (connect only); wsx-h2, raw-h2 (echo-1k-h2 only, beside
                       wsx and raw over HTTP/1.1) (default: all available); wsx-data-events
                       (wsx reading through 'data' events, WSX_NO_SHARED_READS=1) only when named
  --no-pin             do not pin server and load to different CPUs with taskset
  --json               print the results as JSON on stdout (progress goes to stderr)
  --md [FILE]          also write the report as Markdown (default FILE: BENCHMARKS.md)
  --render JSON        run nothing: rebuild the Markdown (--md) from a saved --json result,
                       with the current bench/notes.md
  -h, --help           this text`;

export function parseArgs(argv) {
  const opts = { quick: false, smoke: false, json: false, noPin: false, runs: null, durationMs: null, only: null, targets: null, md: null, render: null, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') opts.quick = true;
    else if (a === '--smoke') opts.smoke = true;
    else if (a === '--json') opts.json = true;
    else if (a === '--no-pin') opts.noPin = true;
    else if (a === '--runs') opts.runs = positiveInt(a, value());
    else if (a === '--duration') opts.durationMs = positiveInt(a, value());
    else if (a === '--only') opts.only = list(value());
    else if (a === '--targets') opts.targets = list(value());
    else if (a === '--md') opts.md = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'BENCHMARKS.md';
    else if (a === '--render') opts.render = value();
    else if (a === '-h' || a === '--help') opts.help = true;
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  return opts;
}

function positiveInt(name, v) {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} needs a positive integer, got ${v}`);
  return n;
}

function list(v) {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

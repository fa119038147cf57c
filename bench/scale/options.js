// Command-line options of bench/heartbeat-scale.js.

export const USAGE = `usage: node bench/heartbeat-scale.js [options]
  --connections N      server-side WebSockets over in-memory Duplexes (default 100000; 0 skips)
  --tcp N              idle TCP connections, peers in a second process (default 19000, capped
                       by the open-files limit; 0 skips)
  --tcp-ports N        server ports the TCP peers spread over (default: one per 5000 connections)
  --interval MS        heartbeat interval (default 1000)
  --timeout MS         heartbeat timeout (default 2000)
  --silent-every K     every K-th peer stops answering pings at the end (default 10)
  --census-intervals N heartbeat intervals over which the timers are counted (default 2)
  --measure-intervals N heartbeat intervals of the steady window (default 3)
  --deadline S         kill everything and fail after S seconds (default 170)
  --json               print the results as JSON (progress goes to stderr)
  -h, --help           this text`;

export function parseOptions(argv) {
  const opts = {
    connections: 100_000,
    tcp: 19_000,
    tcpPorts: 0, // 0: one per CONNECTIONS_PER_PORT
    interval: 1000,
    timeout: 2000,
    silentEvery: 10,
    censusIntervals: 2,
    measureIntervals: 3,
    deadline: 170,
    json: false,
    help: false,
  };
  const numeric = {
    '--connections': ['connections', 0],
    '--tcp': ['tcp', 0],
    '--tcp-ports': ['tcpPorts', 1],
    '--interval': ['interval', 10],
    '--timeout': ['timeout', 10],
    '--silent-every': ['silentEvery', 2],
    '--census-intervals': ['censusIntervals', 1],
    '--measure-intervals': ['measureIntervals', 2],
    '--deadline': ['deadline', 1],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a === '-h' || a === '--help') opts.help = true;
    else if (a in numeric) {
      const [key, min] = numeric[a];
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < min) throw new Error(`${a} needs an integer >= ${min}, got ${argv[i]}\n${USAGE}`);
      opts[key] = v;
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  return opts;
}

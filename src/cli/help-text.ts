/**
 * The text of `wsx --help` and `wsx <command> --help`, written for people
 * (the option tables in each command file are for the parser).
 */
import type { Style } from './terminal-style.js';

export type HelpTopic = 'main' | 'connect' | 'serve' | 'bench';

function main(s: Style, version: string): string {
  return `${s.bold('wsx')} ${version} — WebSocket client, server and load generator

${s.bold('Usage')}
  wsx connect <url> [options]   talk to a WebSocket server (interactive, piped or scripted)
  wsx serve [options]           run an echo or broadcast server, optionally with static files
  wsx bench <url> [options]     measure an echo server: messages/s, MB/s, latency percentiles
  wsx help <command>            the options of one command

${s.bold('Examples')}
  wsx serve --port 8080                               echo server on ws://127.0.0.1:8080/
  wsx connect ws://127.0.0.1:8080                     type messages, see replies
  echo hello | wsx connect ws://127.0.0.1:8080        send stdin line by line, print replies
  wsx connect wss://example.org/feed -x '{"op":"sub"}' --wait 5000 --json
  wsx serve --broadcast --static ./public             a chat room with its page
  wsx serve --http2 --tls-cert c.pem --tls-key k.pem  HTTP/2 and HTTP/1.1 on one port
  wsx bench ws://127.0.0.1:8080 -c 50 -s 1024 -d 10   50 connections, 1 KiB messages, 10 s

${s.bold('Common options')}
  -h, --help       show help
  --version        print the version
  --no-color       plain output (also when NO_COLOR is set or output is not a terminal)

${s.bold('Exit codes')}
  0  closed normally (1000, 1001, no status) or finished
  1  could not connect: network or TLS error, handshake refused (status and body are shown)
  2  wrong command line
  3  the connection closed abnormally or with an error code
  130  interrupted twice with Ctrl-C
`;
}

function connect(s: Style): string {
  return `${s.bold('wsx connect')} <url> [options]

Opens a WebSocket to <url> (ws://, wss://; 'host:port/path' means ws://).
Received messages are printed as "HH:MM:SS.mmm < text", binary ones as their
size and a hex/ASCII preview. Status lines go to stderr.

${s.bold('Input')}
  a terminal        each line is sent as a text message; commands start with '/':
                      /ping [data]  /pong [data]  /close [code] [reason]
                      /binary <hex>  /file <path>  /quit  /help   ('//x' sends "/x")
  a pipe            each line is sent as is; at the end of input, waits --wait ms
                    for replies, then closes with 1000
  -x, --execute <msg>   send <msg> (repeatable), wait --wait ms, close; stdin is not read
  -w, --wait <ms|forever>  how long to wait for replies after the last message
                    (default 1000; 'forever' stays until the server closes)

${s.bold('Connection')}
  -H, --header <'Name: value'>  extra request header (repeatable)
  --auth <user:password>        HTTP Basic credentials (as ws://user:password@host/ does)
  -p, --subprotocol <name>      offer a subprotocol (repeatable)
  -o, --origin <origin>         send an Origin header
  --compress                    offer permessage-deflate
  -k, --insecure                do not verify the server's TLS certificate
  --ca <file>                   trust this CA / self-signed certificate (PEM)
  --cert <file>, --key <file>   client certificate and key (PEM)
  --max-payload <bytes>         largest message accepted (default 100 MiB)
  --handshake-timeout <ms>      give up on the opening handshake (default 30000)
  --http2                       open the WebSocket as an HTTP/2 stream (RFC 8441):
                                wss:// asks for h2 by ALPN, ws:// tries cleartext h2c
                                (prior knowledge); a server without WebSockets over
                                HTTP/2 gets an HTTP/1.1 upgrade instead. The
                                "Connected" line says which ("over HTTP/2")
  --ping-interval <ms>          send a ping every <ms>

${s.bold('Output')}
  --json            one JSON object per line on stdout: open, message (in/out; text in
                    "data", binary in "base64"), ping, pong, close, error, notice
  --show-ping-pong  print pings and pongs
  --no-color        no colours

${s.bold('Examples')}
  wsx connect ws://127.0.0.1:8080 -H 'Authorization: Bearer t0ken' -p chat.v2
  wsx connect wss://127.0.0.1:8443 --ca cert.pem -x ping --wait 500
  wsx connect wss://127.0.0.1:8443 --http2 -k -x hello
  printf 'a\\nb\\n' | wsx connect ws://127.0.0.1:8080 --json | jq -r 'select(.direction=="in").data'
`;
}

function serve(s: Style): string {
  return `${s.bold('wsx serve')} [options]

Runs a WebSocket server and prints its URL. Connections and closes (with
their codes) are logged on stderr. Ctrl-C closes every client with 1001
(going away) and exits; a second Ctrl-C exits at once.

${s.bold('Behaviour')}
  --echo              send every message back to its sender (default)
  --broadcast         send every message to every other client
  --static <dir>      serve the files in <dir> over HTTP on the same port
                      (GET/HEAD; no dotfiles, nothing outside <dir>)
  -v, --verbose       log every message received

${s.bold('Listening')}
  --port <n>          port (default 8080; 0 picks a free one)
  --host <addr>       address (default 127.0.0.1; 0.0.0.0 for every interface)
  --path <path>       accept WebSocket upgrades on this path only (default: any)
  --tls-cert <file>, --tls-key <file>   serve wss:// (and https://) with this certificate
                      (--cert and --key are the same options)
  --http2             serve WebSockets over HTTP/2 streams (RFC 8441) too. With a
                      certificate: HTTP/2 and HTTP/1.1 on one TLS port (browsers pick
                      HTTP/2). Without one: cleartext h2c only, for HTTP/2 clients with
                      prior knowledge (wsx connect --http2); browsers and HTTP/1.1
                      clients cannot connect. The log says each connection's version

${s.bold('Connections')}
  --compress          accept permessage-deflate
  --heartbeat <ms>    ping every client every <ms>; drop those that stay silent
  --max-payload <bytes>  largest message accepted (default 100 MiB); bigger ones close with 1009
  --auth <user:password>  ask for these HTTP Basic credentials (upgrades and --static
                      files; others get 401). Compared in constant time. Basic sends
                      them readable: use it with TLS off 127.0.0.1. The value shows in
                      the process list

${s.bold('Examples')}
  wsx serve --port 0
  wsx serve --broadcast --static examples/chat --port 8080
  wsx serve --tls-cert cert.pem --tls-key key.pem --port 8443 --heartbeat 30000
  wsx serve --http2 --tls-cert cert.pem --tls-key key.pem --static ./public --port 8443
`;
}

function bench(s: Style): string {
  return `${s.bold('wsx bench')} <url> [options]

Loads an echo server (such as wsx serve) and measures it: each connection keeps
--pipeline messages in flight and sends the next one when a reply arrives.
A progress line is shown on a terminal; at the end, messages per second, MB/s
(payload, one direction) and round-trip latency percentiles (p50, p90, p99, max).

${s.bold('Load')}
  -c, --connections <n>  connections (default 1)
  -s, --size <bytes>     message size (default 64)
  -P, --pipeline <n>     messages in flight per connection (default 1)
  -d, --duration <s>     seconds to run (default 10; decimals allowed)
  -n, --messages <n>     stop after <n> round trips in total
  -b, --binary           binary messages (default: text)

${s.bold('Output')}
  --json                 the summary as one JSON object

The connection options of wsx connect (-H, --auth, -p, -o, --compress, -k, --ca,
--cert, --key, --max-payload, --handshake-timeout, --http2) work here too;
with --http2 the connections share one HTTP/2 session.

${s.bold('Examples')}
  wsx bench ws://127.0.0.1:8080 -c 10 -P 16 -d 5
  wsx bench ws://127.0.0.1:8080 -s 65536 --binary -n 1000 --json
`;
}

export function helpText(topic: HelpTopic, style: Style, version: string): string {
  switch (topic) {
    case 'main':
      return main(style, version);
    case 'connect':
      return connect(style);
    case 'serve':
      return serve(style);
    case 'bench':
      return bench(style);
  }
}

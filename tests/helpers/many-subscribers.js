// Child process for the 10 000-subscriber test: opens N raw WebSocket
// connections to 127.0.0.1:PORT (a process of its own, so that each side
// needs only N file descriptors), then counts the connections on which the
// expected text frame arrives. Reports JSON lines on stdout:
//   {"connected":N}  once every handshake got its 101
//   {"received":N}   once every connection got the frame, or at the deadline
// Usage: node many-subscribers.js PORT N TEXT DEADLINE_MS
import net from 'node:net';

const [port, count, text, deadlineMs] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4], Number(process.argv[5])];
const expected = Buffer.concat([Buffer.from([0x81, Buffer.byteLength(text)]), Buffer.from(text)]);
if (Buffer.byteLength(text) > 125) throw new Error('TEXT must fit a 7-bit length');
const request =
  `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

const sockets = [];
let connected = 0;
let received = 0;
let reported = false;

function report(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function finish() {
  if (reported) return;
  reported = true;
  report({ received });
  for (const s of sockets) s.destroy();
  process.exit(0);
}

setTimeout(finish, deadlineMs).unref();

function open() {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    sockets.push(socket);
    let buffered = Buffer.alloc(0);
    let upgraded = false;
    let got = false;
    socket.on('error', reject);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!upgraded) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        if (!buffered.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) {
          reject(new Error(`not upgraded: ${buffered.subarray(0, end).toString('latin1')}`));
          return;
        }
        upgraded = true;
        buffered = buffered.subarray(end + 4);
        resolve();
      }
      if (!got && buffered.length >= expected.length) {
        got = true;
        if (buffered.subarray(0, expected.length).equals(expected)) received++;
        if (received === count) finish();
      }
    });
  });
}

for (let i = 0; i < count; i += 200) {
  const batch = [];
  for (let j = i; j < Math.min(count, i + 200); j++) batch.push(open());
  await Promise.all(batch);
  connected += batch.length;
}
report({ connected });

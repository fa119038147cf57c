// The load generator's side of the IPC conversation with bench/run.js.
// mark(name): ask the runner to sample the server's own memory figures now (with gc: after
// a collection); with wait=true the load pauses until the runner acknowledges.

const pendingAcks = new Map();

process.on('message', (msg) => {
  if (msg && msg.type === 'ack') {
    const resolve = pendingAcks.get(msg.name);
    pendingAcks.delete(msg.name);
    resolve?.();
  }
});

export function mark(name, { gc = false, wait = false } = {}) {
  process.send({ type: 'mark', name, gc });
  if (!wait) return Promise.resolve();
  return new Promise((resolve) => pendingAcks.set(name, resolve));
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

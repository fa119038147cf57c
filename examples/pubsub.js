// Pub/sub: connections subscribe to topics (MQTT-style filters: '+' is one
// level, '#' the rest); wss.publish() frames a message once and queues the
// same bytes on every subscriber; ws.publish() skips the sender. With
// permessage-deflate and serverNoContextTakeover, a publish is compressed
// once for every subscriber that shares the compressor settings.
// Run after a build: `node examples/pubsub.js`.
import { WebSocket, WebSocketServer } from '../dist/index.js';

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  // Compressing each message afresh is what lets one compression serve every subscriber.
  perMessageDeflate: { serverNoContextTakeover: true, threshold: 256 },
});
await new Promise((resolve) => wss.once('listening', resolve));
const url = `ws://127.0.0.1:${wss.address().port}`;

// Clients ask for topics in their first message; later messages go to their room.
wss.on('connection', (ws) => {
  ws.once('message', (data) => {
    const { subscribe, room } = JSON.parse(data);
    for (const topic of subscribe) ws.subscribe(topic);
    ws.on('message', (text) => ws.publish(`room/${room}/chat`, text.toString())); // not echoed to the sender
    ws.send(JSON.stringify({ subscribed: ws.topics }));
  });
});

function join(name, room, subscribe) {
  const ws = new WebSocket(url);
  ws.on('open', () => ws.send(JSON.stringify({ room, subscribe })));
  ws.on('message', (data) => console.log(`${name} got: ${data}`));
  return new Promise((resolve) => ws.once('message', () => resolve(ws)));
}

const alice = await join('alice', 1, ['room/1/chat']);
await join('bob', 1, ['room/1/chat']);
await join('carol', 2, ['room/2/chat']);
await join('moderator', 0, ['room/+/chat', 'room/#']); // overlapping filters: each message arrives once

console.log('subscribers of room/1/chat:', wss.subscriberCount('room/1/chat'));
console.log('recipients of an announcement:', wss.publish('room/1/chat', 'server: welcome to room 1'));
alice.send('alice: hi room 1');
wss.publish('room/2/alerts', Buffer.from('binary alert'), { binary: true });
// Above the threshold: compressed once, the same compressed frame to alice, bob and the moderator.
wss.publish('room/1/chat', `server: ${'the long rules of room 1. '.repeat(20)}`);
wss.publish('room/1/chat', 'server: already compressed data', { compress: false });

await new Promise((resolve) => setTimeout(resolve, 200));
await wss.close({ reason: 'example done' });

// The wsx chat room page. The server is `wsx serve --broadcast`: it relays
// every message to every other client and knows nothing about chat, so the
// pages keep the room themselves with small JSON messages:
//   {type:'join', id, name}    on every (re)connection; others answer 'here'
//   {type:'here', id, name}    "I am in the room" (also every 20 s, as a liveness signal)
//   {type:'chat', id, name, text}
//   {type:'rename', id, name, from}
//   {type:'leave', id, name}   when the page is closed
// Anything else (e.g. a line typed in `wsx connect`) is shown as is.
// When the server goes away the page reconnects with exponential backoff.
'use strict';

const RECONNECT_BASE_MS = 500;
const RECONNECT_MAX_MS = 10_000;
const HERE_INTERVAL_MS = 20_000;
const GONE_AFTER_MS = 50_000;

const elements = {
  name: document.getElementById('name'),
  status: document.getElementById('status'),
  messages: document.getElementById('messages'),
  people: document.getElementById('people'),
  composer: document.getElementById('composer'),
  text: document.getElementById('text'),
  send: document.getElementById('send'),
};

const me = {
  id: crypto.getRandomValues(new Uint32Array(2)).join('-'),
  name: localStorage.getItem('wsx-chat-name') || `guest-${Math.floor(Math.random() * 9000 + 1000)}`,
};
/** id → { name, lastSeen } of the others in the room. */
const roster = new Map();
let socket = null;
let attempt = 0;
let connects = 0;

function serverUrl() {
  const override = new URLSearchParams(location.search).get('ws');
  if (override) return override;
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/`;
}

function clock() {
  return new Date().toTimeString().slice(0, 5);
}

/** Adds a line to the message list. Text is always set with textContent, never parsed as HTML. */
function addLine(kind, who, text) {
  const item = document.createElement('li');
  item.className = kind;
  const time = document.createElement('span');
  time.className = 'time';
  time.textContent = clock();
  item.append(time);
  if (who !== null) {
    const name = document.createElement('span');
    name.className = 'who';
    name.textContent = who;
    item.append(name);
  }
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = text;
  item.append(body);
  const list = elements.messages;
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
  list.append(item);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function renderPeople() {
  const names = [`${me.name} (you)`, ...[...roster.values()].map((p) => p.name)].sort((a, b) => a.localeCompare(b));
  elements.people.replaceChildren(
    ...names.map((name) => {
      const item = document.createElement('li');
      item.textContent = name;
      return item;
    }),
  );
}

function setStatus(state, text) {
  elements.status.dataset.state = state;
  elements.status.dataset.connects = String(connects);
  elements.status.textContent = text;
  elements.send.disabled = state !== 'open';
}

function send(message) {
  if (socket !== null && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

/** A string field of a peer's message, bounded, or the fallback. */
function field(value, fallback, max) {
  return typeof value === 'string' && value !== '' ? value.slice(0, max) : fallback;
}

function handle(data) {
  let message = null;
  try {
    message = JSON.parse(data);
  } catch {
    // not JSON: shown as plain text below
  }
  if (message === null || typeof message !== 'object' || typeof message.type !== 'string') {
    addLine('chat', 'someone', String(data));
    return;
  }
  const id = field(message.id, 'unknown', 64);
  const name = field(message.name, 'anonymous', 40);
  const known = roster.get(id);
  switch (message.type) {
    case 'join':
      roster.set(id, { name, lastSeen: Date.now() });
      // Someone we already knew coming back after a server restart is not news.
      if (known === undefined) addLine('system', null, `${name} joined`);
      send({ type: 'here', id: me.id, name: me.name });
      break;
    case 'here':
      roster.set(id, { name, lastSeen: Date.now() });
      break;
    case 'chat':
      roster.set(id, { name, lastSeen: Date.now() });
      addLine('chat', name, field(message.text, '', 2000));
      break;
    case 'rename':
      roster.set(id, { name, lastSeen: Date.now() });
      addLine('system', null, `${field(message.from, known?.name ?? 'someone', 40)} is now ${name}`);
      break;
    case 'leave':
      roster.delete(id);
      addLine('system', null, `${name} left`);
      break;
    default:
      addLine('chat', 'someone', String(data));
      return;
  }
  renderPeople();
}

function connect() {
  setStatus('connecting', 'connecting…');
  const ws = new WebSocket(serverUrl());
  socket = ws;
  ws.addEventListener('open', () => {
    attempt = 0;
    connects += 1;
    setStatus('open', 'connected');
    addLine('system', null, connects === 1 ? 'connected: say hello' : 'reconnected');
    send({ type: 'join', id: me.id, name: me.name });
  });
  ws.addEventListener('message', (event) => {
    if (typeof event.data === 'string') handle(event.data);
    else addLine('chat', 'someone', '[binary message]');
  });
  ws.addEventListener('close', () => {
    if (socket !== ws) return;
    socket = null;
    // Exponential backoff with jitter, so that restarted servers are not hit by every page at once.
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempt);
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    attempt += 1;
    setStatus('closed', `disconnected: retrying in ${(delay / 1000).toFixed(1)} s`);
    if (attempt === 1) addLine('system', null, 'connection lost: reconnecting…');
    setTimeout(connect, delay);
  });
}

elements.name.value = me.name;
elements.name.addEventListener('change', () => {
  const name = elements.name.value.trim().slice(0, 40);
  if (name === '' || name === me.name) {
    elements.name.value = me.name;
    return;
  }
  const from = me.name;
  me.name = name;
  localStorage.setItem('wsx-chat-name', name);
  send({ type: 'rename', id: me.id, name, from });
  addLine('system', null, `you are now ${name}`);
  renderPeople();
});

elements.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = elements.text.value.trim();
  if (text === '' || socket === null || socket.readyState !== WebSocket.OPEN) return;
  send({ type: 'chat', id: me.id, name: me.name, text });
  addLine('chat mine', me.name, text);
  elements.text.value = '';
});

// Liveness: tell the room we are here; forget those not heard from for a while.
setInterval(() => {
  send({ type: 'here', id: me.id, name: me.name });
  const now = Date.now();
  let changed = false;
  for (const [id, person] of roster) {
    if (now - person.lastSeen > GONE_AFTER_MS) {
      roster.delete(id);
      addLine('system', null, `${person.name} left`);
      changed = true;
    }
  }
  if (changed) renderPeople();
}, HERE_INTERVAL_MS);

window.addEventListener('pagehide', () => send({ type: 'leave', id: me.id, name: me.name }));

renderPeople();
connect();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownList, sharedEmptyList } from '../../dist/protocol/shared-empty-list.js';
import { Connection } from '../../dist/protocol/connection.js';
import { OP, clientFrame } from '../helpers/frame-builder.js';

test('the shared empty list is one frozen array; ownList swaps it for a new one and keeps any other', () => {
  const shared = sharedEmptyList();
  assert.equal(sharedEmptyList(), shared);
  assert.ok(Object.isFrozen(shared));
  assert.throws(() => shared.push(1), TypeError, 'a missed ownList cannot fill the shared list');
  const own = ownList(shared);
  assert.notEqual(own, shared);
  assert.deepEqual(own, []);
  own.push(1);
  assert.equal(ownList(own), own);
  assert.equal(shared.length, 0);
});

test('connections that pause and receive fragments keep their input apart while sharing the empty lists', () => {
  const events = [[], []];
  const conns = events.map(
    (log) =>
      new Connection(
        { role: 'server' },
        {
          onMessage: (data) => log.push(Buffer.from(data).toString()),
          onPing() {},
          onPong() {},
          onCloseFrame() {},
          onProtocolError(error) {
            throw error;
          },
          onFragment() {},
          onOutput() {},
        },
      ),
  );
  const [a, b] = conns;
  a.pause();
  a.receive(clientFrame({ opcode: OP.TEXT, payload: 'held', fin: true }));
  b.receive(clientFrame({ opcode: OP.TEXT, payload: 'fr', fin: false }));
  b.receive(clientFrame({ opcode: OP.CONT, payload: 'ag', fin: true }));
  assert.deepEqual(events, [[], ['frag']]);
  assert.equal(a.pendingInputBytes > 0, true);
  assert.equal(b.pendingInputBytes, 0);
  a.resume();
  assert.deepEqual(events, [['held'], ['frag']]);
  // Both are back on the shared list and still work.
  a.receive(clientFrame({ opcode: OP.TEXT, payload: 'x', fin: false }));
  a.receive(clientFrame({ opcode: OP.CONT, payload: 'y', fin: true }));
  assert.deepEqual(events, [['held', 'xy'], ['frag']]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloseCode,
  closeCodeName,
  isValidApplicationCloseCode,
  isValidWireCloseCode,
  isWhatwgCloseCode,
} from '../../dist/protocol/close-codes.js';

// The IANA "WebSocket Close Code Number Registry", written out independently.
const IANA = [
  [1000, 'NORMAL_CLOSURE'],
  [1001, 'GOING_AWAY'],
  [1002, 'PROTOCOL_ERROR'],
  [1003, 'UNSUPPORTED_DATA'],
  [1004, 'RESERVED'],
  [1005, 'NO_STATUS_RECEIVED'],
  [1006, 'ABNORMAL_CLOSURE'],
  [1007, 'INVALID_FRAME_PAYLOAD_DATA'],
  [1008, 'POLICY_VIOLATION'],
  [1009, 'MESSAGE_TOO_BIG'],
  [1010, 'MANDATORY_EXTENSION'],
  [1011, 'INTERNAL_ERROR'],
  [1012, 'SERVICE_RESTART'],
  [1013, 'TRY_AGAIN_LATER'],
  [1014, 'BAD_GATEWAY'],
  [1015, 'TLS_HANDSHAKE'],
];

test('CloseCode holds exactly the IANA registry 1000-1015 with its names', () => {
  assert.deepEqual(Object.entries(CloseCode).map(([name, code]) => [code, name]), IANA);
  for (const [code, name] of IANA) assert.equal(closeCodeName(code), name);
});

test('closeCodeName names the ranges and calls everything else INVALID', () => {
  assert.equal(closeCodeName(3000), 'REGISTERED');
  assert.equal(closeCodeName(3999), 'REGISTERED');
  assert.equal(closeCodeName(4000), 'PRIVATE_USE');
  assert.equal(closeCodeName(4999), 'PRIVATE_USE');
  for (const code of [0, 999, 1016, 2999, 5000, 65535, -1, 1000.5]) assert.equal(closeCodeName(code), 'INVALID', String(code));
});

test('isValidWireCloseCode: exactly 1000-1003, 1007-1014 and 3000-4999, over every 16-bit value', () => {
  for (let code = 0; code <= 0xffff; code++) {
    const expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    assert.equal(isValidWireCloseCode(code), expected, String(code));
    assert.equal(isValidApplicationCloseCode(code), expected, String(code));
  }
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) assert.equal(isValidWireCloseCode(code), false);
});

test('isWhatwgCloseCode: 1000 or 3000-4999 only', () => {
  for (let code = 0; code <= 0xffff; code++) {
    assert.equal(isWhatwgCloseCode(code), code === 1000 || (code >= 3000 && code <= 4999), String(code));
  }
});

// Verdicts in Autobahn|Testsuite's vocabulary, from what a PeerSession saw.
//
// An expectation is one of
//   { echo: Item[] }              the target answers with exactly these items
//                                 (messages and pongs, in order), then completes
//                                 the closing handshake the raw peer starts (1000)
//   { fail: number[], nonStrict?: number[], before?: Item[], failFastMark?: string }
//                                 the target fails the connection with one of
//                                 `fail` (after sending exactly `before`); a code
//                                 in `nonStrict` (default: the other error codes)
//                                 is allowed by the RFC but not the best choice
//   plus `level` to cap the verdict (e.g. an alternative that is only NON-STRICT).
// A case may list several expectations; the best verdict wins.
//
// Where this differs from Autobahn, it is stricter and says so in the note:
// failing by dropping TCP without a close frame is NON-STRICT here (the RFC
// says the endpoint SHOULD send a close frame, 7.1.7), OK in Autobahn; a close
// frame without a code where a code is expected is NON-STRICT too.

export const VERDICTS = ['OK', 'NON-STRICT', 'INFORMATIONAL', 'FAILED'];
const RANK = { OK: 3, 'NON-STRICT': 2, INFORMATIONAL: 1, FAILED: 0 };

export const ERROR_CODES = [1002, 1003, 1007, 1008, 1009, 1010, 1011];

export const text = (s) => ({ type: 'text', data: Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8') });
export const binary = (b) => ({ type: 'binary', data: Buffer.isBuffer(b) ? b : Buffer.from(b) });
export const pong = (b = Buffer.alloc(0)) => ({ type: 'pong', data: Buffer.isBuffer(b) ? b : Buffer.from(b, 'utf8') });

function describeItem(it) {
  if (!it) return 'nothing';
  const d = it.data;
  const shown = d.length <= 24 ? JSON.stringify(it.type === 'text' ? d.toString('utf8') : d.toString('hex')) : `${d.length} bytes`;
  return `${it.type} ${shown}`;
}

function sameItems(got, want) {
  if (got.length !== want.length) return false;
  for (let i = 0; i < got.length; i++) {
    if (got[i].type !== want[i].type || !got[i].data.equals(want[i].data)) return false;
  }
  return true;
}

function diffItems(got, want) {
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    const g = got[i];
    const w = want[i];
    if (!g || !w || g.type !== w.type || !g.data.equals(w.data)) {
      return `item ${i + 1}: expected ${describeItem(w)}, got ${describeItem(g)} (${got.length}/${want.length} items)`;
    }
  }
  return '';
}

function cap(verdict, level) {
  if (!level) return verdict;
  return RANK[verdict] > RANK[level] ? level : verdict;
}

/** The items the target sent before its close frame (or before it dropped). */
function itemsBeforeClose(s) {
  const limit = s.closeFrame ? s.closeFrame.at : Infinity;
  return s.items.filter((it) => it.at <= limit);
}

function judgeEcho(exp, s) {
  const got = itemsBeforeClose(s);
  if (!sameItems(got, exp.echo)) {
    const why = s.targetGone && !s.initiatedClose ? ` — target ${s.closeFrame ? `closed with ${s.closeFrame.code}` : 'dropped TCP'} first` : '';
    return { verdict: 'FAILED', note: diffItems(got, exp.echo) + why };
  }
  if (!s.initiatedClose) {
    return { verdict: 'FAILED', note: `echoed, then the target ${s.closeFrame ? `closed with ${s.closeFrame.code}` : 'dropped TCP'} on its own` };
  }
  if (!s.closeFrame) {
    if (s.endedAt !== null) return { verdict: 'NON-STRICT', note: 'echoed; answered our close by dropping TCP without a close frame' };
    return { verdict: 'FAILED', note: 'echoed; never answered our close frame' };
  }
  if (s.closeFrame.code !== null && s.closeFrame.code !== 1000) {
    return { verdict: 'FAILED', note: `echoed; answered close 1000 with ${s.closeFrame.code}` };
  }
  return { verdict: 'OK', note: s.closeFrame.code === null ? 'close answered without a code' : '' };
}

function judgeFail(exp, s) {
  const before = exp.before ?? [];
  const got = itemsBeforeClose(s);
  if (!s.targetGone || (s.closedBySettle && s.initiatedClose)) {
    const extra = got.length ? `; sent ${describeItem(got[0])}${got.length > 1 ? ` and ${got.length - 1} more` : ''}` : '';
    return { verdict: 'FAILED', note: `did not fail the connection (expected ${exp.fail.join('/')})${extra}` };
  }
  if (!sameItems(got, before)) return { verdict: 'FAILED', note: `before failing: ${diffItems(got, before)}` };
  let verdict;
  let note = '';
  const want = exp.fail.join('/');
  if (!s.closeFrame) {
    verdict = 'NON-STRICT';
    note = `dropped TCP without a close frame (expected ${want})`;
  } else if (s.closeFrame.code === null && exp.emptyOk) {
    verdict = 'OK';
  } else if (s.closeFrame.code === null) {
    verdict = 'NON-STRICT';
    note = `close frame without a code (expected ${want})`;
  } else if (exp.fail.includes(s.closeFrame.code)) {
    verdict = 'OK';
  } else if ((exp.nonStrict ?? ERROR_CODES).includes(s.closeFrame.code)) {
    verdict = 'NON-STRICT';
    note = `closed with ${s.closeFrame.code} where ${want} fits`;
  } else {
    return { verdict: 'FAILED', note: `closed with ${s.closeFrame.code}, expected ${want}` };
  }
  if (exp.failFastMark && s.marks.has(exp.failFastMark) && s.targetGoneAt > s.marks.get(exp.failFastMark)) {
    verdict = verdict === 'OK' ? 'NON-STRICT' : verdict;
    note = [note, `failed only after the rest was sent (${Math.round(s.targetGoneAt - s.marks.get(exp.failFastMark))} ms later), not when the bytes proved it`].filter(Boolean).join('; ');
  }
  return { verdict, note };
}

/** Judge one expectation. */
export function judgeOne(exp, s) {
  const r = exp.echo ? judgeEcho(exp, s) : judgeFail(exp, s);
  const note = r.verdict !== 'FAILED' && exp.note ? [r.note, exp.note].filter(Boolean).join('; ') : r.note;
  return { verdict: cap(r.verdict, exp.level), note };
}

/** Judge a case: the best of its alternatives; anomalies in the target's frames fail it. */
export function judge(expect, s) {
  const alternatives = Array.isArray(expect) ? expect : [expect];
  let best = null;
  for (const exp of alternatives) {
    const r = judgeOne(exp, s);
    if (!best || RANK[r.verdict] > RANK[best.verdict]) best = r;
  }
  if (best.verdict === 'FAILED' && alternatives.length > 1) best = judgeOne(alternatives[0], s);
  if (s.anomalies.length) {
    return { verdict: 'FAILED', note: [s.anomalies.join('; '), best.note].filter(Boolean).join('; ') };
  }
  return best;
}

/** The close code column: what the target sent, or how it ended. */
export function observedClose(s) {
  if (s.closeFrame) return s.closeFrame.code === null ? 'empty' : String(s.closeFrame.code);
  if (s.endedAt !== null) return 'drop';
  return 'none';
}

export function betterOf(a, b) {
  return RANK[a] >= RANK[b] ? a : b;
}

export function rank(v) {
  return RANK[v];
}

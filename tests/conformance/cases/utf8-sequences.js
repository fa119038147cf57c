// UTF-8 sequences for category 6, after the classic stress-test families
// (boundary code points, malformed and overlong forms, surrogates, code points
// above U+10FFFF, truncated sequences, impossible bytes). The validity of each
// follows RFC 3629: noncharacters are valid; surrogates, overlongs and
// anything above U+10FFFF are not.

const hex = (s) => Buffer.from(s.replaceAll(' ', ''), 'hex');
const utf8 = (s) => Buffer.from(s, 'utf8');
const cat = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? utf8(p) : p)));

/** Every byte from `from` to `to`, each followed by a space (lonely start bytes). */
function lonely(from, to) {
  const out = [];
  for (let b = from; b <= to; b++) out.push(b, 0x20);
  return Buffer.from(out);
}

function range(from, to) {
  const out = [];
  for (let b = from; b <= to; b++) out.push(b);
  return Buffer.from(out);
}

export const VALID = [
  ['mixed Latin-1 text "Hello-µ@ßöäüàá-UTF-8!!"', utf8('Hello-µ@ßöäüàá-UTF-8!!')],
  ['Greek "κόσμε"', hex('ce ba e1 bd b9 cf 83 ce bc ce b5')],
  ['first 1-byte sequence U+0000', hex('00')],
  ['first 2-byte sequence U+0080', hex('c2 80')],
  ['first 3-byte sequence U+0800', hex('e0 a0 80')],
  ['first 4-byte sequence U+10000', hex('f0 90 80 80')],
  ['last 1-byte sequence U+007F', hex('7f')],
  ['last 2-byte sequence U+07FF', hex('df bf')],
  ['last 3-byte sequence U+FFFF', hex('ef bf bf')],
  ['last 4-byte sequence U+10FFFF', hex('f4 8f bf bf')],
  ['U+D7FF (just below the surrogates)', hex('ed 9f bf')],
  ['U+E000 (just above the surrogates)', hex('ee 80 80')],
  ['U+FFFD replacement character', hex('ef bf bd')],
  ['noncharacter U+FFFE', hex('ef bf be')],
  ['noncharacter U+FDD0', hex('ef b7 90')],
  ['noncharacter U+1FFFE', hex('f0 9f bf be')],
  ['noncharacter U+10FFFE', hex('f4 8f bf be')],
  ['byte order mark U+FEFF', hex('ef bb bf')],
  ['emoji U+1F600', hex('f0 9f 98 80')],
];

export const INVALID = [
  // Above U+10FFFF and the old 5- and 6-byte forms.
  ['U+110000 (first code point above U+10FFFF)', hex('f4 90 80 80')],
  ['U+1FFFFF in 4 bytes', hex('f7 bf bf bf')],
  ['5-byte sequence', hex('f8 88 80 80 80')],
  ['6-byte sequence', hex('fc 84 80 80 80 80')],
  ['start byte f5', hex('f5 80 80 80')],
  // Unexpected continuation bytes.
  ['lone continuation byte 80', hex('80')],
  ['lone continuation byte bf', hex('bf')],
  ['2 continuation bytes', hex('80 bf')],
  ['3 continuation bytes', hex('80 bf 80')],
  ['7 continuation bytes', hex('80 bf 80 bf 80 bf 80')],
  ['all 64 continuation bytes 80..bf', range(0x80, 0xbf)],
  ['valid text then a continuation byte', cat('κόσμε', hex('80'))],
  // Lonely start bytes.
  ['each 2-byte start byte c0..df followed by a space', lonely(0xc0, 0xdf)],
  ['each 3-byte start byte e0..ef followed by a space', lonely(0xe0, 0xef)],
  ['each 4-byte start byte f0..f7 followed by a space', lonely(0xf0, 0xf7)],
  ['each 5-byte start byte f8..fb followed by a space', lonely(0xf8, 0xfb)],
  ['each 6-byte start byte fc..fd followed by a space', lonely(0xfc, 0xfd)],
  // Sequences with the last continuation byte missing.
  ['2-byte sequence missing its last byte (c2)', hex('c2')],
  ['3-byte sequence missing its last byte (e0 a0)', hex('e0 a0')],
  ['4-byte sequence missing its last byte (f0 90 80)', hex('f0 90 80')],
  ['3-byte sequence missing 2 bytes (e1)', hex('e1')],
  ['U+07FF missing its last byte (df)', hex('df')],
  ['U+FFFF missing its last byte (ef bf)', hex('ef bf')],
  ['U+10FFFF missing its last byte (f4 8f bf)', hex('f4 8f bf')],
  ['all truncated sequences concatenated', hex('c2 e0 a0 f0 90 80 df ef bf f4 8f bf')],
  ['truncated sequence inside text', cat('abc', hex('e2 82'), 'def')],
  // Impossible bytes.
  ['byte fe', hex('fe')],
  ['byte ff', hex('ff')],
  ['bytes fe fe ff ff', hex('fe fe ff ff')],
  ['valid text, ff, valid text', cat('Hello', hex('ff'), 'world')],
  // Overlong forms.
  ['overlong "/" in 2 bytes (c0 af)', hex('c0 af')],
  ['overlong "/" in 3 bytes (e0 80 af)', hex('e0 80 af')],
  ['overlong "/" in 4 bytes (f0 80 80 af)', hex('f0 80 80 af')],
  ['overlong "/" in 5 bytes', hex('f8 80 80 80 af')],
  ['overlong "/" in 6 bytes', hex('fc 80 80 80 80 af')],
  ['largest overlong 2-byte form (c1 bf)', hex('c1 bf')],
  ['largest overlong 3-byte form (e0 9f bf)', hex('e0 9f bf')],
  ['largest overlong 4-byte form (f0 8f bf bf)', hex('f0 8f bf bf')],
  ['overlong NUL in 2 bytes (c0 80)', hex('c0 80')],
  ['overlong NUL in 3 bytes (e0 80 80)', hex('e0 80 80')],
  ['overlong NUL in 4 bytes (f0 80 80 80)', hex('f0 80 80 80')],
  // UTF-16 surrogates.
  ['single surrogate U+D800', hex('ed a0 80')],
  ['single surrogate U+DB7F', hex('ed ad bf')],
  ['single surrogate U+DB80', hex('ed ae 80')],
  ['single surrogate U+DBFF', hex('ed af bf')],
  ['single surrogate U+DC00', hex('ed b0 80')],
  ['single surrogate U+DF80', hex('ed be 80')],
  ['single surrogate U+DFFF', hex('ed bf bf')],
  ['surrogate pair U+D800 U+DC00', hex('ed a0 80 ed b0 80')],
  ['surrogate pair U+D800 U+DFFF', hex('ed a0 80 ed bf bf')],
  ['surrogate pair U+DB7F U+DC00', hex('ed ad bf ed b0 80')],
  ['surrogate pair U+DBFF U+DFFF', hex('ed af bf ed bf bf')],
  ['"κόσμε", a surrogate, "edited"', cat('κόσμε', hex('ed a0 80'), 'edited')],
];

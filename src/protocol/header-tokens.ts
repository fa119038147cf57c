/**
 * HTTP header list parsing for the opening handshake (RFC 7230 section 7,
 * RFC 6455 sections 4.3 and 9.1).
 *
 * Every function here walks its input once, left to right, with a character
 * class table: no regular expression ever sees untrusted input, so no input
 * can make parsing slower than linear (SECURITY-CASES rows 4 and 5). Results
 * are arrays and tuples, never objects keyed by header content.
 */
import { WebSocketError } from './errors.js';
import type { ExtensionOffer } from './extension-offer.js';

const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * 1 for RFC 7230 `tchar`: ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" /
 * "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~". Indexed by char code;
 * anything at or above 128 is not a token char.
 */
const TOKEN_CHAR = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TOKEN_CHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN_CHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN_CHAR[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TOKEN_CHAR[ch.charCodeAt(0)] = 1;

function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN_CHAR[code] === 1;
}

function isWhitespace(code: number): boolean {
  return code === SPACE || code === TAB;
}

/** Whether `value` is a non-empty RFC 7230 token. */
export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    if (!isTokenChar(value.charCodeAt(i))) return false;
  }
  return true;
}

function syntaxError(what: string, value: string, index: number): WebSocketError {
  // Quote at most a short excerpt: the value is attacker-controlled and may be huge.
  const excerpt = JSON.stringify(value.slice(Math.max(0, index - 8), index + 8));
  return new WebSocketError('WSX_ERR_HANDSHAKE', `Invalid ${what} at index ${index} (near ${excerpt})`);
}

/**
 * A comma-separated list of tokens (`#token`) with optional whitespace around
 * the commas. Empty elements are skipped, as RFC 7230 section 7 asks of
 * recipients. Throws `WSX_ERR_HANDSHAKE` on any other character.
 */
export function parseTokenList(value: string): string[] {
  const tokens: string[] = [];
  let start = -1; // start of the current token, -1 when not inside one
  let afterToken = false; // a token ended with whitespace; only OWS or a comma may follow
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (isTokenChar(code)) {
      if (afterToken) throw syntaxError('token list', value, i);
      if (start === -1) start = i;
    } else if (isWhitespace(code)) {
      if (start !== -1) {
        tokens.push(value.slice(start, i));
        start = -1;
        afterToken = true;
      }
    } else if (code === COMMA) {
      if (start !== -1) {
        tokens.push(value.slice(start, i));
        start = -1;
      }
      afterToken = false;
    } else {
      throw syntaxError('token list', value, i);
    }
  }
  if (start !== -1) tokens.push(value.slice(start));
  return tokens;
}

function asciiLowerCode(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}

/** Case-insensitive comparison of `value[start, end)` with `lowerToken` (already lower case). */
function rangeEqualsIgnoreCase(value: string, start: number, end: number, lowerToken: string): boolean {
  if (end - start !== lowerToken.length) return false;
  for (let i = 0; i < lowerToken.length; i++) {
    if (asciiLowerCode(value.charCodeAt(start + i)) !== lowerToken.charCodeAt(i)) return false;
  }
  return true;
}

function listHasToken(value: string, lowerToken: string): boolean {
  let i = 0;
  const length = value.length;
  while (i < length) {
    while (i < length && isWhitespace(value.charCodeAt(i))) i++;
    const start = i;
    while (i < length && value.charCodeAt(i) !== COMMA) i++;
    let end = i;
    while (end > start && isWhitespace(value.charCodeAt(end - 1))) end--;
    if (rangeEqualsIgnoreCase(value, start, end, lowerToken)) return true;
    i++; // skip the comma
  }
  return false;
}

/**
 * Whether a header (as Node hands it over: a string, an array for repeated
 * headers, or undefined) lists `token`, compared ASCII case-insensitively.
 * Used for `Connection: keep-alive, Upgrade` and `Upgrade: websocket`.
 * Never throws: an element that is not a token simply does not match.
 */
export function headerHasToken(value: string | string[] | undefined, token: string): boolean {
  if (value === undefined) return false;
  let lowerToken = '';
  for (let i = 0; i < token.length; i++) lowerToken += String.fromCharCode(asciiLowerCode(token.charCodeAt(i)));
  if (typeof value === 'string') return listHasToken(value, lowerToken);
  for (const element of value) {
    if (listHasToken(element, lowerToken)) return true;
  }
  return false;
}

/**
 * `Sec-WebSocket-Protocol` (RFC 6455 section 4.3: `1#token`). Subprotocol
 * names are case-sensitive. Throws `WSX_ERR_HANDSHAKE` on an invalid
 * character, a duplicate, or a list with no element.
 */
export function parseSubprotocols(value: string): string[] {
  const protocols = parseTokenList(value);
  if (protocols.length === 0) {
    throw new WebSocketError('WSX_ERR_HANDSHAKE', 'Empty Sec-WebSocket-Protocol list');
  }
  const seen = new Set<string>();
  for (const protocol of protocols) {
    if (seen.has(protocol)) {
      throw new WebSocketError('WSX_ERR_HANDSHAKE', `Duplicate subprotocol ${JSON.stringify(protocol)}`);
    }
    seen.add(protocol);
  }
  return protocols;
}

/** Parser states for `parseExtensions`. */
const enum ExtState {
  /** Before an extension name (list start or after a comma). */
  BeforeName,
  InName,
  /** After a name or a parameter: OWS, then `;`, `,` or the end. */
  AfterElement,
  BeforeParamName,
  InParamName,
  /** After a parameter name and OWS: `=`, `;`, `,` or the end. */
  AfterParamName,
  BeforeParamValue,
  InParamValue,
  InQuoted,
  InQuotedEscape,
}

/**
 * Where the extension parser goes when an element (a name or a value) ends
 * on `code`, or -1 when `code` cannot follow one.
 */
function stateAfterElement(code: number): ExtState | -1 {
  if (isWhitespace(code)) return ExtState.AfterElement;
  if (code === SEMICOLON) return ExtState.BeforeParamName;
  if (code === COMMA) return ExtState.BeforeName;
  return -1;
}

/**
 * `Sec-WebSocket-Extensions` (RFC 6455 section 9.1):
 *
 *     extension-list  = 1#extension
 *     extension       = extension-token *( ";" extension-param )
 *     extension-param = token [ "=" (token | quoted-string) ]
 *
 * with optional whitespace around `,`, `;` and `=`. A quoted value is
 * unquoted (backslash escapes the next character) and must be a token once
 * unquoted. Parameter values given without `=` are `true`. Empty list
 * elements are skipped. Throws `WSX_ERR_HANDSHAKE` on any syntax error,
 * including an unclosed quote, and on a list with no extension.
 *
 * The result keeps names and parameters exactly as written (case included)
 * and in order, so the negotiation code can reject duplicates; nothing is
 * ever looked up by name on an object (no `constructor`/`__proto__` trap).
 */
export function parseExtensions(value: string): ExtensionOffer[] {
  const offers: ExtensionOffer[] = [];
  let state: ExtState = ExtState.BeforeName;
  let current: ExtensionOffer | null = null;
  let start = 0;
  let paramName = '';
  let escaped = false;

  const length = value.length;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    switch (state) {
      case ExtState.BeforeName:
        if (isTokenChar(code)) {
          start = i;
          state = ExtState.InName;
        } else if (!isWhitespace(code) && code !== COMMA) {
          throw syntaxError('extension list', value, i);
        }
        break;

      case ExtState.InName: {
        if (isTokenChar(code)) break;
        current = { name: value.slice(start, i), params: [] };
        offers.push(current);
        const next = stateAfterElement(code);
        if (next === -1) throw syntaxError('extension list', value, i);
        state = next;
        break;
      }

      case ExtState.AfterElement: {
        const next = stateAfterElement(code);
        if (next === -1) throw syntaxError('extension list', value, i);
        state = next;
        break;
      }

      case ExtState.BeforeParamName:
        if (isTokenChar(code)) {
          start = i;
          state = ExtState.InParamName;
        } else if (!isWhitespace(code)) {
          throw syntaxError('extension parameter', value, i);
        }
        break;

      case ExtState.InParamName:
        if (isTokenChar(code)) break;
        paramName = value.slice(start, i);
        if (isWhitespace(code)) {
          state = ExtState.AfterParamName;
        } else if (code === EQUALS) {
          state = ExtState.BeforeParamValue;
        } else if (code === SEMICOLON || code === COMMA) {
          current!.params.push([paramName, true]);
          state = code === SEMICOLON ? ExtState.BeforeParamName : ExtState.BeforeName;
        } else {
          throw syntaxError('extension parameter', value, i);
        }
        break;

      case ExtState.AfterParamName:
        if (code === EQUALS) {
          state = ExtState.BeforeParamValue;
        } else if (code === SEMICOLON || code === COMMA) {
          current!.params.push([paramName, true]);
          state = code === SEMICOLON ? ExtState.BeforeParamName : ExtState.BeforeName;
        } else if (!isWhitespace(code)) {
          throw syntaxError('extension parameter', value, i);
        }
        break;

      case ExtState.BeforeParamValue:
        if (isTokenChar(code)) {
          start = i;
          state = ExtState.InParamValue;
        } else if (code === DQUOTE) {
          escaped = false;
          start = i + 1;
          state = ExtState.InQuoted;
        } else if (!isWhitespace(code)) {
          throw syntaxError('extension parameter value', value, i);
        }
        break;

      case ExtState.InParamValue: {
        if (isTokenChar(code)) break;
        current!.params.push([paramName, value.slice(start, i)]);
        const next = stateAfterElement(code);
        if (next === -1) throw syntaxError('extension parameter value', value, i);
        state = next;
        break;
      }

      case ExtState.InQuoted:
        // Only token chars can survive unquoting (RFC 6455 9.1), so anything
        // else inside the quotes fails here, at its own index.
        if (code === DQUOTE) {
          // The value is built once, at the closing quote: an unclosed or
          // escape-heavy value costs no string building. Only token chars can
          // be escaped, so every backslash in the run is an escape to drop.
          const raw = value.slice(start, i);
          const unquoted = escaped ? raw.split('\\').join('') : raw;
          if (unquoted.length === 0) throw syntaxError('extension parameter value', value, i);
          current!.params.push([paramName, unquoted]);
          state = ExtState.AfterElement;
        } else if (code === BACKSLASH) {
          escaped = true;
          state = ExtState.InQuotedEscape;
        } else if (!isTokenChar(code)) {
          throw syntaxError('extension parameter value', value, i);
        }
        break;

      case ExtState.InQuotedEscape:
        if (!isTokenChar(code)) throw syntaxError('extension parameter value', value, i);
        state = ExtState.InQuoted;
        break;
    }
  }

  switch (state) {
    case ExtState.InName:
      offers.push({ name: value.slice(start), params: [] });
      break;
    case ExtState.InParamName:
    case ExtState.AfterParamName:
      if (state === ExtState.InParamName) paramName = value.slice(start);
      current!.params.push([paramName, true]);
      break;
    case ExtState.InParamValue:
      current!.params.push([paramName, value.slice(start)]);
      break;
    case ExtState.BeforeParamName:
    case ExtState.BeforeParamValue:
    case ExtState.InQuoted:
    case ExtState.InQuotedEscape:
      throw syntaxError('extension list (unexpected end)', value, length);
    case ExtState.BeforeName:
    case ExtState.AfterElement:
      break;
  }

  if (offers.length === 0) {
    throw new WebSocketError('WSX_ERR_HANDSHAKE', 'Empty Sec-WebSocket-Extensions list');
  }
  return offers;
}

function formatParamValue(value: string): string {
  if (isToken(value)) return value;
  // Not expected (values are tokens by RFC 6455 9.1), but never emit a broken header.
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return `${out}"`;
}

/**
 * The inverse of `parseExtensions`: `name; flag; key=value, other`.
 * Names must be tokens; a value that is not a token is quoted. Throws a
 * `TypeError` on a name that is not a token or a value containing CR, LF or
 * NUL (it would split the header).
 */
export function formatExtensions(offers: readonly ExtensionOffer[]): string {
  const parts: string[] = [];
  for (const offer of offers) {
    if (!isToken(offer.name)) throw new TypeError(`Invalid extension name ${JSON.stringify(offer.name)}`);
    let part = offer.name;
    for (const [name, value] of offer.params) {
      if (!isToken(name)) throw new TypeError(`Invalid extension parameter name ${JSON.stringify(name)}`);
      if (value === true) {
        part += `; ${name}`;
        continue;
      }
      for (let i = 0; i < value.length; i++) {
        const code = value.charCodeAt(i);
        if (code === 0x0d || code === 0x0a || code === 0) {
          throw new TypeError(`Invalid extension parameter value ${JSON.stringify(value)}`);
        }
      }
      part += `; ${name}=${formatParamValue(value)}`;
    }
    parts.push(part);
  }
  return parts.join(', ');
}

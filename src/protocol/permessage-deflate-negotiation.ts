import { WebSocketError } from './errors.js';
import type { ExtensionOffer } from './extension-offer.js';
import type { NegotiatedDeflate } from '../transport/attach-options.js';

export type { NegotiatedDeflate };

/**
 * permessage-deflate negotiation (RFC 7692 section 7.1) for both roles.
 * Pure: no zlib here. The codec lives in src/extensions/permessage-deflate.ts.
 */

export const PERMESSAGE_DEFLATE = 'permessage-deflate';
/** Messages shorter than this many bytes are sent uncompressed (ws default). */
export const DEFAULT_DEFLATE_THRESHOLD = 1024;
/** Concurrent zlib jobs per process (ws default). */
export const DEFAULT_ZLIB_CONCURRENCY = 10;
/** The window zlib uses when nothing smaller was agreed. */
export const MAX_WINDOW_BITS = 15;
export const MIN_WINDOW_BITS = 8;

/**
 * Tuning passed to the raw deflate stream. Only `level`, `memLevel`,
 * `strategy`, `chunkSize` and `windowBits` are used (`windowBits` can only
 * lower the negotiated window, never below 9); `flush`, `finishFlush`,
 * `dictionary` and `info` are accepted for ws compatibility and ignored,
 * because they would break the RFC 7692 framing.
 */
export interface DeflateTuning {
  level?: number;
  memLevel?: number;
  strategy?: number;
  chunkSize?: number;
  windowBits?: number;
  flush?: number;
  finishFlush?: number;
  dictionary?: Buffer | Buffer[] | DataView;
  info?: boolean;
}

/**
 * Tuning passed to the raw inflate stream. Only `chunkSize` is used: the
 * window must be the one the peer was allowed, so `windowBits` is ignored.
 */
export interface InflateTuning {
  chunkSize?: number;
  windowBits?: number;
  flush?: number;
  finishFlush?: number;
  info?: boolean;
}

/** The `perMessageDeflate` option, with the semantics of ws v8. */
export interface PerMessageDeflateOptions {
  /**
   * Server: `true` always forbids our own context takeover, `false` declines
   * offers that ask for it, unset honours the offer. Client: `true` asks for it.
   */
  serverNoContextTakeover?: boolean;
  /**
   * Server: `true` tells the client not to use context takeover. Client: `true`
   * announces that we will not use it; `false` fails a response that asks for it.
   */
  clientNoContextTakeover?: boolean;
  /**
   * Server: a number caps the window we compress with (the smaller of this
   * and the client's request is used); `false` declines offers that limit it.
   * Client: a number asks the server to use at most this window.
   */
  serverMaxWindowBits?: number | boolean;
  /**
   * Server: a number asks the client to use at most this window (offers that
   * cannot honour it are declined); `false` never sends the parameter.
   * Client: a number limits our window and is offered as such; `true` or unset
   * offers the parameter without a value; `false` does not offer it.
   */
  clientMaxWindowBits?: number | boolean;
  /** Messages shorter than this (bytes) are not compressed. Default 1024. */
  threshold?: number;
  /** Concurrent zlib jobs in the process. Default 10. */
  concurrencyLimit?: number;
  zlibDeflateOptions?: DeflateTuning;
  zlibInflateOptions?: InflateTuning;
}

/** The parameters one element of a Sec-WebSocket-Extensions header carries. */
interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** 0 when absent. */
  serverMaxWindowBits: number;
  /** 0 when absent, -1 when given without a value (offers only). */
  clientMaxWindowBits: number;
}

const WINDOW_BITS_NO_VALUE = -1;

/**
 * A window-bits value: a decimal integer 8-15 without leading zeroes
 * (RFC 7692 7.1.2). Returns 0 for anything else, e.g. "08", "16", "", " 9".
 * A quoted value reaches us unquoted, so `"10"` is 10, which RFC 6455 9.1 allows.
 */
function parseWindowBits(value: string): number {
  if (value.length === 1) {
    const c = value.charCodeAt(0);
    return c === 0x38 || c === 0x39 ? c - 0x30 : 0;
  }
  if (value.length === 2 && value.charCodeAt(0) === 0x31) {
    const c = value.charCodeAt(1);
    return c >= 0x30 && c <= 0x35 ? 10 + c - 0x30 : 0;
  }
  return 0;
}

function describeValue(value: string | true): string {
  return value === true ? 'no value' : JSON.stringify(value.length > 32 ? `${value.slice(0, 32)}…` : value);
}

/**
 * Reads and checks the parameters of one permessage-deflate element.
 * Returns the reason as a string when the element is invalid (RFC 7692 section 5:
 * an unknown parameter, an invalid value or a duplicated parameter).
 */
function readParams(extension: ExtensionOffer, isOffer: boolean): DeflateParams | string {
  const result: DeflateParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 0,
    clientMaxWindowBits: 0,
  };
  let seenServerWindow = false;
  let seenClientWindow = false;
  for (const [name, value] of extension.params) {
    switch (name) {
      case 'server_no_context_takeover':
        if (result.serverNoContextTakeover) return `duplicated parameter "${name}"`;
        if (value !== true) return `parameter "${name}" must not have a value`;
        result.serverNoContextTakeover = true;
        break;
      case 'client_no_context_takeover':
        if (result.clientNoContextTakeover) return `duplicated parameter "${name}"`;
        if (value !== true) return `parameter "${name}" must not have a value`;
        result.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits': {
        if (seenServerWindow) return `duplicated parameter "${name}"`;
        seenServerWindow = true;
        const bits = value === true ? 0 : parseWindowBits(value);
        if (bits === 0) return `invalid value for "${name}": ${describeValue(value)} (expected 8-15)`;
        result.serverMaxWindowBits = bits;
        break;
      }
      case 'client_max_window_bits': {
        if (seenClientWindow) return `duplicated parameter "${name}"`;
        seenClientWindow = true;
        // Only an offer may carry it without a value (RFC 7692 7.1.2.2).
        const bits = value === true ? (isOffer ? WINDOW_BITS_NO_VALUE : 0) : parseWindowBits(value);
        if (bits === 0) return `invalid value for "${name}": ${describeValue(value)} (expected 8-15)`;
        result.clientMaxWindowBits = bits;
        break;
      }
      default:
        return `unknown parameter ${JSON.stringify(name.length > 32 ? `${name.slice(0, 32)}…` : name)}`;
    }
  }
  return result;
}

function checkWindowBitsOption(name: string, value: unknown): void {
  if (value === undefined || typeof value === 'boolean') return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_WINDOW_BITS || value > MAX_WINDOW_BITS) {
    throw new RangeError(`perMessageDeflate.${name} must be a boolean or an integer from 8 to 15, got ${String(value)}`);
  }
}

function checkBooleanOption(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`perMessageDeflate.${name} must be a boolean, got ${typeof value}`);
  }
}

/** Throws TypeError/RangeError when the application's own options are invalid. */
export function validatePerMessageDeflateOptions(options: PerMessageDeflateOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('perMessageDeflate options must be an object');
  }
  checkBooleanOption('serverNoContextTakeover', options.serverNoContextTakeover);
  checkBooleanOption('clientNoContextTakeover', options.clientNoContextTakeover);
  checkWindowBitsOption('serverMaxWindowBits', options.serverMaxWindowBits);
  checkWindowBitsOption('clientMaxWindowBits', options.clientMaxWindowBits);
  const { threshold, concurrencyLimit } = options;
  if (threshold !== undefined && (typeof threshold !== 'number' || !(threshold >= 0))) {
    throw new RangeError(`perMessageDeflate.threshold must be a number >= 0, got ${String(threshold)}`);
  }
  if (
    concurrencyLimit !== undefined &&
    (typeof concurrencyLimit !== 'number' || !Number.isInteger(concurrencyLimit) || concurrencyLimit < 1)
  ) {
    throw new RangeError(`perMessageDeflate.concurrencyLimit must be an integer >= 1, got ${String(concurrencyLimit)}`);
  }
}

function asOfferList(
  options: PerMessageDeflateOptions | readonly PerMessageDeflateOptions[],
): readonly PerMessageDeflateOptions[] {
  const list = Array.isArray(options) ? (options as readonly PerMessageDeflateOptions[]) : [options as PerMessageDeflateOptions];
  if (list.length === 0) throw new RangeError('perMessageDeflate: at least one offer is needed');
  for (const entry of list) validatePerMessageDeflateOptions(entry);
  return list;
}

function formatOffer(options: PerMessageDeflateOptions): string {
  let header = PERMESSAGE_DEFLATE;
  if (options.serverNoContextTakeover === true) header += '; server_no_context_takeover';
  if (options.clientNoContextTakeover === true) header += '; client_no_context_takeover';
  if (typeof options.serverMaxWindowBits === 'number') {
    header += `; server_max_window_bits=${options.serverMaxWindowBits}`;
  }
  if (typeof options.clientMaxWindowBits === 'number') {
    header += `; client_max_window_bits=${options.clientMaxWindowBits}`;
  } else if (options.clientMaxWindowBits !== false) {
    // Says "I can limit my window if you ask", as browsers and ws do.
    header += '; client_max_window_bits';
  }
  return header;
}

/**
 * Client: the Sec-WebSocket-Extensions value to send. An array gives several
 * offers in order of preference; the codec settings (threshold, zlib tuning,
 * concurrency) are then read from the first entry.
 */
export function buildClientOffer(options: PerMessageDeflateOptions | readonly PerMessageDeflateOptions[]): string {
  return asOfferList(options).map(formatOffer).join(', ');
}

/** Checks a valid response element against one of our offers. */
function matchResponse(response: DeflateParams, offer: PerMessageDeflateOptions): NegotiatedDeflate | string {
  if (offer.serverNoContextTakeover === true && !response.serverNoContextTakeover) {
    return 'the server did not accept "server_no_context_takeover"';
  }
  if (offer.clientNoContextTakeover === false && response.clientNoContextTakeover) {
    return 'unexpected parameter "client_no_context_takeover" (clientNoContextTakeover is false)';
  }

  const offeredServerBits = typeof offer.serverMaxWindowBits === 'number' ? offer.serverMaxWindowBits : 0;
  if (offeredServerBits !== 0) {
    // RFC 7692 7.1.2.1: accepting this parameter means answering with it, same or smaller.
    if (response.serverMaxWindowBits === 0) {
      return `the server did not accept "server_max_window_bits=${offeredServerBits}"`;
    }
    if (response.serverMaxWindowBits > offeredServerBits) {
      return `"server_max_window_bits=${response.serverMaxWindowBits}" is larger than the ${offeredServerBits} offered`;
    }
  }

  let clientBits = typeof offer.clientMaxWindowBits === 'number' ? offer.clientMaxWindowBits : MAX_WINDOW_BITS;
  if (response.clientMaxWindowBits !== 0) {
    // RFC 7692 7.1.2.2: the server must not send it unless it was offered.
    if (offer.clientMaxWindowBits === false) {
      return 'unexpected parameter "client_max_window_bits" (it was not offered)';
    }
    if (response.clientMaxWindowBits > clientBits) {
      return `"client_max_window_bits=${response.clientMaxWindowBits}" is larger than the ${clientBits} offered`;
    }
    clientBits = response.clientMaxWindowBits;
  }

  return {
    serverNoContextTakeover: response.serverNoContextTakeover,
    // Our own hint binds us even when the server does not repeat it.
    clientNoContextTakeover: response.clientNoContextTakeover || offer.clientNoContextTakeover === true,
    serverMaxWindowBits: response.serverMaxWindowBits || MAX_WINDOW_BITS,
    clientMaxWindowBits: clientBits,
  };
}

function handshakeError(reason: string): WebSocketError {
  return new WebSocketError('WSX_ERR_HANDSHAKE', `Invalid Sec-WebSocket-Extensions response: ${reason}`);
}

/**
 * Client: validates the server's Sec-WebSocket-Extensions answer (already
 * parsed) against what we offered. Returns null when the server declined
 * compression (no permessage-deflate in the answer). Throws
 * WebSocketError('WSX_ERR_HANDSHAKE') for an extension we did not offer, a
 * second permessage-deflate, an unknown or duplicated parameter, a value out of
 * range, or a response that matches none of our offers.
 */
export function acceptServerResponse(
  answer: readonly ExtensionOffer[],
  options: PerMessageDeflateOptions | readonly PerMessageDeflateOptions[],
): NegotiatedDeflate | null {
  const offers = asOfferList(options);
  let element: ExtensionOffer | null = null;
  for (const extension of answer) {
    if (extension.name !== PERMESSAGE_DEFLATE) {
      throw handshakeError(`the server accepted extension ${JSON.stringify(extension.name)}, which was not offered`);
    }
    if (element !== null) throw handshakeError('permessage-deflate was accepted more than once');
    element = extension;
  }
  if (element === null) return null;

  const response = readParams(element, false);
  if (typeof response === 'string') throw handshakeError(response);
  let firstReason = '';
  for (const offer of offers) {
    const agreed = matchResponse(response, offer);
    if (typeof agreed !== 'string') return agreed;
    if (firstReason === '') firstReason = agreed;
  }
  throw handshakeError(firstReason);
}

/** The agreed parameters for one acceptable offer, or null to decline it. */
function acceptOffer(offer: DeflateParams, options: PerMessageDeflateOptions): { params: NegotiatedDeflate; header: string } | null {
  if (offer.serverNoContextTakeover && options.serverNoContextTakeover === false) return null;

  // Our compression window: the smaller of the client's request and our cap.
  const cap = options.serverMaxWindowBits;
  let serverBits = MAX_WINDOW_BITS;
  let sendServerBits = false;
  if (offer.serverMaxWindowBits !== 0) {
    if (cap === false) return null;
    serverBits = typeof cap === 'number' ? Math.min(cap, offer.serverMaxWindowBits) : offer.serverMaxWindowBits;
    sendServerBits = true; // RFC 7692 7.1.2.1: accepting it means answering with it.
  } else if (typeof cap === 'number') {
    serverBits = cap;
    sendServerBits = true; // Tells the client it may inflate with a smaller window.
  }

  // The client's compression window.
  // What we inflate with is decided by our response alone, never by a value in
  // the offer that we did not repeat: a client that made several offers cannot
  // tell which one we took, so only the response is a contract for both sides.
  const wanted = options.clientMaxWindowBits;
  const offered = offer.clientMaxWindowBits;
  let clientBits = MAX_WINDOW_BITS;
  let sendClientBits = false;
  if (typeof wanted === 'number') {
    // RFC 7692 7.1.2.2 forbids sending it when it was not offered, and without
    // it the client may use 15 bits, more memory than the application allowed.
    if (offered === 0) return null;
    clientBits = offered > 0 ? Math.min(wanted, offered) : wanted;
    sendClientBits = true;
  } else if (wanted !== false && offered > 0) {
    clientBits = offered; // Echo the client's own limit: we may inflate with it.
    sendClientBits = true;
  }

  const serverNoContextTakeover = offer.serverNoContextTakeover || options.serverNoContextTakeover === true;
  const clientNoContextTakeover = offer.clientNoContextTakeover || options.clientNoContextTakeover === true;
  let header = PERMESSAGE_DEFLATE;
  if (serverNoContextTakeover) header += '; server_no_context_takeover';
  if (clientNoContextTakeover) header += '; client_no_context_takeover';
  if (sendServerBits) header += `; server_max_window_bits=${serverBits}`;
  if (sendClientBits) header += `; client_max_window_bits=${clientBits}`;
  return {
    params: {
      serverNoContextTakeover,
      clientNoContextTakeover,
      serverMaxWindowBits: serverBits,
      clientMaxWindowBits: clientBits,
    },
    header,
  };
}

/**
 * Server: picks the first acceptable permessage-deflate offer and returns the
 * agreed parameters with the response value, or null to go without compression.
 *
 * An invalid offer (unknown parameter, bad value, duplicate) is declined and the
 * next one is tried; the handshake is never failed with 400 because of it.
 * RFC 7692 section 5 says a server "MUST decline" such an offer, the extension
 * is optional, and a client that sent something odd is still better served by
 * an uncompressed connection than by none. Elements for other extensions are
 * skipped: they are not ours to judge.
 */
export function negotiateServer(
  offers: readonly ExtensionOffer[],
  options: PerMessageDeflateOptions,
): { params: NegotiatedDeflate; header: string } | null {
  validatePerMessageDeflateOptions(options);
  for (const extension of offers) {
    if (extension.name !== PERMESSAGE_DEFLATE) continue;
    const offer = readParams(extension, true);
    if (typeof offer === 'string') continue;
    const accepted = acceptOffer(offer, options);
    if (accepted !== null) return accepted;
  }
  return null;
}

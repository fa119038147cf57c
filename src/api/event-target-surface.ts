/**
 * The WHATWG half of WebSocket: addEventListener / removeEventListener and
 * the onopen / onmessage / onerror / onclose attributes, layered over the
 * EventEmitter events. Listeners receive standard-shaped event objects; a
 * text message's `data` is a string, as in browsers.
 */
import type { EventEmitter } from 'node:events';
import { CloseCode } from '../protocol/close-codes.js';
import { CloseEvent, ErrorEvent, MessageEvent, OpenEvent } from './events.js';

type WebSocketEventName = 'open' | 'message' | 'error' | 'close';
type Handler = ((event: Event) => void) | { handleEvent(event: Event): void };

/** The event object each WHATWG event type delivers. */
export interface WebSocketEventTypes {
  open: OpenEvent;
  message: MessageEvent;
  error: ErrorEvent;
  close: CloseEvent;
}

/** A listener for addEventListener: a function or an object with handleEvent. */
export type WebSocketEventListener<E extends Event> = ((event: E) => void) | { handleEvent(event: E): void };

export interface WebSocketEventMap {
  onopen: ((event: OpenEvent) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  addEventListener<K extends keyof WebSocketEventTypes>(
    type: K,
    listener: WebSocketEventListener<WebSocketEventTypes[K]>,
    options?: { once?: boolean },
  ): void;
  removeEventListener<K extends keyof WebSocketEventTypes>(type: K, listener: WebSocketEventListener<WebSocketEventTypes[K]>): void;
}

/**
 * A WebSocket answers under this key whether the closing handshake took
 * place (the peer's close frame arrived): the CloseEvent's `wasClean`. The
 * code alone cannot tell, since a failed connection reports the code it sent.
 */
export const CLOSED_CLEANLY: unique symbol = Symbol('wsx.closedCleanly');

interface CloseHandshakeState {
  readonly [CLOSED_CLEANLY]?: boolean;
}

const ORIGINAL = Symbol('wsx.listener');
const ATTRIBUTE = Symbol('wsx.attribute');

interface Wrapper {
  (...args: unknown[]): void;
  [ORIGINAL]: Handler;
  [ATTRIBUTE]: boolean;
}

function makeEvent(type: WebSocketEventName, args: unknown[], target: CloseHandshakeState): Event {
  switch (type) {
    case 'open':
      return new OpenEvent();
    case 'message': {
      const [data, isBinary] = args as [unknown, boolean];
      return new MessageEvent('message', { data: isBinary ? data : String(data) });
    }
    case 'error': {
      const error = args[0] as Error;
      return new ErrorEvent('error', { error, message: error?.message ?? '' });
    }
    case 'close': {
      const [code, reason] = args as [number, Buffer];
      return new CloseEvent('close', {
        code,
        reason: reason.toString(),
        wasClean: target[CLOSED_CLEANLY] ?? code !== CloseCode.ABNORMAL_CLOSURE,
      });
    }
  }
}

function isEventName(type: string): type is WebSocketEventName {
  return type === 'open' || type === 'message' || type === 'error' || type === 'close';
}

function wrap(type: WebSocketEventName, handler: Handler, attribute: boolean): Wrapper {
  const wrapper = function (this: EventEmitter, ...args: unknown[]) {
    const event = makeEvent(type, args, this as CloseHandshakeState);
    Object.defineProperty(event, 'target', { value: this, configurable: true });
    Object.defineProperty(event, 'currentTarget', { value: this, configurable: true });
    if (typeof handler === 'function') handler.call(this, event);
    else handler.handleEvent(event);
  } as Wrapper;
  wrapper[ORIGINAL] = handler;
  wrapper[ATTRIBUTE] = attribute;
  return wrapper;
}

function findWrapper(emitter: EventEmitter, type: string, handler: Handler | null, attribute: boolean): Wrapper | undefined {
  for (const listener of emitter.rawListeners(type)) {
    const candidate = (listener as { listener?: Wrapper }).listener ?? (listener as Wrapper);
    if (candidate[ATTRIBUTE] === attribute && (attribute || candidate[ORIGINAL] === handler)) return candidate;
  }
  return undefined;
}

export function addEventTargetSurface(proto: EventEmitter): void {
  Object.defineProperty(proto, 'addEventListener', {
    value(this: EventEmitter, type: string, handler: Handler | null, options: { once?: boolean } = {}) {
      if (!isEventName(type) || handler === null || handler === undefined) return;
      // The same listener is added once, as with EventTarget.
      if (findWrapper(this, type, handler, false) !== undefined) return;
      const wrapper = wrap(type, handler, false);
      if (options.once) this.once(type, wrapper);
      else this.on(type, wrapper);
    },
  });
  Object.defineProperty(proto, 'removeEventListener', {
    value(this: EventEmitter, type: string, handler: Handler) {
      const wrapper = findWrapper(this, type, handler, false);
      if (wrapper !== undefined) this.removeListener(type, wrapper);
    },
  });
  for (const type of ['open', 'message', 'error', 'close'] as const) {
    Object.defineProperty(proto, `on${type}`, {
      enumerable: true,
      get(this: EventEmitter) {
        return findWrapper(this, type, null, true)?.[ORIGINAL] ?? null;
      },
      set(this: EventEmitter, handler: Handler | null) {
        const old = findWrapper(this, type, null, true);
        if (old !== undefined) this.removeListener(type, old);
        if (typeof handler === 'function') this.on(type, wrap(type, handler, true));
      },
    });
  }
}

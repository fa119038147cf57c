/**
 * WHATWG-shaped event objects for the EventTarget surface of WebSocket.
 * Node 20 has no global CloseEvent or ErrorEvent, so wsx defines all four
 * with the fields the HTML standard gives them.
 */
export class OpenEvent extends Event {
  constructor() {
    super('open');
  }
}

export interface MessageEventInit {
  data?: unknown;
  origin?: string;
}

export class MessageEvent extends Event {
  readonly data: unknown;
  readonly origin: string;
  readonly lastEventId = '';

  constructor(type: string, init: MessageEventInit = {}) {
    super(type);
    this.data = init.data ?? null;
    this.origin = init.origin ?? '';
  }
}

export interface CloseEventInit {
  code?: number;
  reason?: string;
  wasClean?: boolean;
}

export class CloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;

  constructor(type: string, init: CloseEventInit = {}) {
    super(type);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.wasClean = init.wasClean ?? false;
  }
}

export interface ErrorEventInit {
  error?: unknown;
  message?: string;
}

export class ErrorEvent extends Event {
  readonly error: unknown;
  readonly message: string;

  constructor(type: string, init: ErrorEventInit = {}) {
    super(type);
    this.error = init.error ?? null;
    this.message = init.message ?? '';
  }
}

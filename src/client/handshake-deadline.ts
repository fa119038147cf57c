import { CloseCode } from '../protocol/close-codes.js';
import { WebSocketError } from '../protocol/errors.js';

/** setTimeout's largest delay; a longer handshakeTimeout means no deadline at all. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The `handshakeTimeout` of one client handshake, over HTTP/1.1 (restarted
 * on each redirect hop) or HTTP/2. 0 means no deadline.
 */
export class HandshakeDeadline {
  private timer: NodeJS.Timeout | null = null;

  /** (Re)starts the countdown; `onTimeout` gets the error to fail with. */
  start(ms: number, onTimeout: (error: WebSocketError) => void): void {
    this.clear();
    if (ms === 0 || ms > MAX_TIMER_MS) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      onTimeout(new WebSocketError('WSX_ERR_HANDSHAKE_TIMEOUT', 'Opening handshake has timed out', CloseCode.ABNORMAL_CLOSURE));
    }, ms);
  }

  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

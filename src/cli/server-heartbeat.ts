/**
 * `wsx serve --heartbeat <ms>`: one timer for all connections. Every tick,
 * a connection that has sent nothing since the previous tick (no pong, no
 * message) is terminated; the others are pinged. A dead peer is therefore
 * dropped after one to two intervals.
 */
import { WebSocket } from './library.js';

export class ServerHeartbeat {
  private readonly heardFrom = new WeakSet<WebSocket>();
  private readonly members = new Set<WebSocket>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly onDead: (ws: WebSocket) => void,
  ) {}

  add(ws: WebSocket): void {
    this.members.add(ws);
    this.heardFrom.add(ws);
    const alive = (): void => {
      this.heardFrom.add(ws);
    };
    ws.on('pong', alive);
    ws.on('message', alive);
    ws.on('close', () => this.members.delete(ws));
    if (this.timer === null) {
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
  }

  private tick(): void {
    for (const ws of this.members) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (!this.heardFrom.has(ws)) {
        this.members.delete(ws);
        this.onDead(ws);
        ws.terminate();
        continue;
      }
      this.heardFrom.delete(ws);
      ws.ping();
    }
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

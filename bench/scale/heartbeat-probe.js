// Watches one WebSocketServer's heartbeat from inside its process: the cost of
// each scheduler tick, the pings sent, every close with its code, the timers
// alive, memory, and event-loop delay and utilization over a window.
// It reads internals on purpose (the server's `heartbeat` scheduler with its
// timer, period and lastTick; WebSocket's heartbeatPing and heartbeatExpired):
// a benchmark of the scheduler has to find it. It fails loudly if they move.

import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { activeTimeoutResources, liveTimers, sleep } from './timer-census.js';

const MS_PER_NS = 1e-6;
const IDLE_PASSES = 7;
const SCHEDULER = 'heartbeat scheduler';
const HTTP_CHECK = "Node http server's connectionsCheckingInterval";

/** The interval with which Node's http.Server checks request timeouts (one per server). */
function httpServerTimer(server) {
  if (server === null || server === undefined) return undefined;
  const key = Object.getOwnPropertySymbols(server).find((s) => s.description === 'http.server.connectionsCheckingInterval');
  return key === undefined ? undefined : server[key];
}

function median(sorted) {
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)];
}

function round(x, digits = 2) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** After the tick's writes (queued on nextTick before this one) have run. */
function afterTick(probe, t0, pass, pings0, expired0, members) {
  probe.ticks.push({
    passMs: pass,
    totalMs: performance.now() - t0,
    pings: probe.pings - pings0,
    expired: probe.expirations - expired0,
    members,
  });
}

export class HeartbeatProbe {
  /** `httpServer`: the server the WebSocketServer listens on, if any (its timer gets a name). */
  constructor(wss, WebSocketClass, httpServer = null) {
    const scheduler = wss.heartbeat;
    if (scheduler === null || scheduler === undefined || typeof scheduler.tick !== 'function') {
      throw new Error('the server has no heartbeat scheduler (is `heartbeat` set? did the field move?)');
    }
    this.wss = wss;
    this.httpServer = httpServer;
    this.scheduler = scheduler;
    this.ids = new Map(); // server WebSocket -> the id the peer side knows it by
    this.closes = new Map(); // id -> { code, reason, at }
    this.closeCount = 0;
    this.pings = 0;
    this.expirations = 0;
    this.recording = false;
    this.ticks = [];

    const probe = this;
    this.onClose = function onClose(code, reason) {
      probe.closeCount++;
      probe.closes.set(probe.ids.get(this), { code, reason: reason.toString(), at: performance.now() });
    };

    const proto = WebSocketClass.prototype;
    const ping = proto.heartbeatPing;
    if (typeof ping !== 'function') throw new Error('WebSocket.prototype.heartbeatPing is gone: update the probe');
    proto.heartbeatPing = function countedPing() {
      probe.pings++;
      ping.call(this);
    };

    const expire = proto.heartbeatExpired;
    if (typeof expire !== 'function') throw new Error('WebSocket.prototype.heartbeatExpired is gone: update the probe');
    proto.heartbeatExpired = function countedExpiry() {
      probe.expirations++;
      expire.call(this);
    };

    const tick = scheduler.tick;
    this.originalTick = tick;
    scheduler.tick = function timedTick(now) {
      if (!probe.recording) {
        tick.call(this, now);
        return;
      }
      const t0 = performance.now();
      const pings0 = probe.pings;
      const expired0 = probe.expirations;
      const members = this.size;
      tick.call(this, now);
      process.nextTick(afterTick, probe, t0, performance.now() - t0, pings0, expired0, members);
    };
  }

  /** The scheduler's tick period (a quarter of the shorter of interval and timeout). */
  get period() {
    return this.scheduler.period;
  }

  track(ws, id) {
    this.ids.set(ws, id);
    ws.on('close', this.onClose);
  }

  get openCount() {
    let open = 0;
    for (const ws of this.ids.keys()) if (ws.readyState === 1) open++;
    return open;
  }

  /** Memory after two full collections (the process runs with --expose-gc). */
  memory() {
    if (typeof globalThis.gc === 'function') {
      globalThis.gc();
      globalThis.gc();
    }
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
  }

  /** Timers alive now, named when known. */
  timerSample() {
    const scheduler = this.scheduler.timer;
    const http = httpServerTimer(this.httpServer);
    return {
      live: liveTimers((t) => (t === scheduler ? SCHEDULER : t === http ? HTTP_CHECK : null)),
      activeTimeoutResources: activeTimeoutResources(),
    };
  }

  /** Samples the timers `samples` times over `ms` (while pings go out and pongs come back). */
  async census(ms, samples) {
    let worst = this.timerSample();
    for (let i = 0; i < samples; i++) {
      await sleep(ms / samples);
      const s = this.timerSample();
      if (s.live.length > worst.live.length || s.activeTimeoutResources > worst.activeTimeoutResources) worst = s;
    }
    return {
      samples: samples + 1,
      liveTimersMax: worst.live.length,
      schedulerTimers: worst.live.filter((t) => t.name === SCHEDULER).length,
      otherTimers: worst.live.filter((t) => t.name !== SCHEDULER),
      activeTimeoutResourcesMax: worst.activeTimeoutResources,
    };
  }

  /** Records ticks, event-loop delay and utilization for `ms`. */
  async window(ms) {
    this.ticks = [];
    this.recording = true;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    const gc = { count: 0, totalMs: 0, maxMs: 0 };
    const gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        gc.count++;
        gc.totalMs += entry.duration;
        gc.maxMs = Math.max(gc.maxMs, entry.duration);
      }
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    delay.enable();
    const elu0 = performance.eventLoopUtilization();
    await sleep(ms);
    const elu = performance.eventLoopUtilization(elu0);
    delay.disable();
    gcObserver.disconnect();
    this.recording = false;
    const idle = await this.idlePasses(IDLE_PASSES);
    return {
      ms,
      eventLoopUtilization: round(elu.utilization, 3),
      delayP50Ms: round(delay.percentile(50) * MS_PER_NS, 1),
      delayP99Ms: round(delay.percentile(99) * MS_PER_NS, 1),
      delayMaxMs: round(delay.max * MS_PER_NS, 1),
      gc: { count: gc.count, totalMs: round(gc.totalMs, 1), maxMs: round(gc.maxMs, 1) },
      ticks: this.tickSummary(),
      idle,
    };
  }

  /**
   * Times passes over every member with nothing due: tick(now) again with the
   * time of the last tick, when every ping and expiry due at that time has
   * been done and the coarse clock is left alone. The only change such a pass
   * makes is to clear answered pings, as the next real tick would anyway.
   */
  async idlePasses(count) {
    const scheduler = this.scheduler;
    const times = [];
    for (let i = 0; i < count; i++) {
      await new Promise(setImmediate);
      const pings0 = this.pings;
      const expired0 = this.expirations;
      const t0 = performance.now();
      this.originalTick.call(scheduler, scheduler.lastTick);
      times.push(performance.now() - t0);
      if (this.pings !== pings0 || this.expirations !== expired0) throw new Error('an idle pass pinged or expired someone');
    }
    times.sort((a, b) => a - b);
    const members = scheduler.size;
    return {
      members,
      passes: count,
      medianMs: round(median(times), 3),
      maxMs: round(times[times.length - 1], 3),
      nsPerMember: members === 0 ? 0 : Math.round((median(times) * 1e6) / members),
    };
  }

  tickSummary() {
    const ticks = this.ticks;
    const totals = ticks.map((t) => t.totalMs).sort((a, b) => a - b);
    const pinging = ticks.filter((t) => t.pings > 0);
    const biggest = pinging.reduce((a, t) => (a === null || t.pings > a.pings ? t : a), null);
    const expiring = ticks.filter((t) => t.expired > 0);
    const biggestExpiry = expiring.reduce((a, t) => (a === null || t.expired > a.expired ? t : a), null);
    return {
      count: ticks.length,
      members: ticks.length === 0 ? 0 : Math.max(...ticks.map((t) => t.members)),
      medianTotalMs: round(median(totals)),
      maxTotalMs: round(totals.length === 0 ? 0 : totals[totals.length - 1]),
      pingTicks: pinging.length,
      pingsSent: pinging.reduce((n, t) => n + t.pings, 0),
      maxPingsInOneTick: biggest?.pings ?? 0,
      biggestPingTickPassMs: round(biggest?.passMs ?? 0),
      biggestPingTickTotalMs: round(biggest?.totalMs ?? 0),
      nsPerPing: biggest ? Math.round((biggest.totalMs * 1e6) / biggest.pings) : 0,
      expiryTicks: expiring.length,
      maxExpiredInOneTick: biggestExpiry?.expired ?? 0,
      biggestExpiryTickTotalMs: round(biggestExpiry?.totalMs ?? 0),
    };
  }

  /**
   * Waits until every id in `silent` has closed (or `deadlineMs` passed), then
   * `graceMs` more, and compares who closed, how, with who went silent.
   */
  async awaitSilentClosed(silent, since, deadlineMs, graceMs) {
    const stopAt = performance.now() + deadlineMs;
    const allClosed = () => {
      for (const id of silent) if (!this.closes.has(id)) return false;
      return true;
    };
    while (!allClosed() && performance.now() < stopAt) await sleep(20);
    await sleep(graceMs);
    let terminated1006 = 0;
    let otherCode = 0;
    let stillOpen = 0;
    let lastAt = since;
    const reasons = new Set();
    for (const id of silent) {
      const c = this.closes.get(id);
      if (c === undefined) {
        stillOpen++;
        continue;
      }
      if (c.code === 1006) terminated1006++;
      else otherCode++;
      reasons.add(c.reason);
      lastAt = Math.max(lastAt, c.at);
    }
    let answeringClosed = 0;
    for (const id of this.closes.keys()) if (!silent.has(id)) answeringClosed++;
    return {
      silent: silent.size,
      terminated1006,
      otherCode,
      stillOpen,
      answeringClosed,
      answeringOpen: this.openCount,
      reasons: [...reasons],
      lastTerminationAfterMs: Math.round(lastAt - since),
    };
  }
}

/**
 * Encode-once publishing: a message is framed one time and the same buffers
 * are queued on every subscriber, so a broadcast to N sockets costs one
 * frame encoding and N queue pushes, not N encodings.
 */
import { encodeFrame, NO_MASK } from '../protocol/frame-encoder.js';
import { Opcode } from '../protocol/opcode.js';
import { TopicTree, type TopicSubscriber } from './topic-tree.js';

export interface PubSubMember extends TopicSubscriber {
  /** Queues pre-encoded frames; false when the connection cannot take them. */
  sendEncoded(frames: readonly Buffer[], bytes: number): boolean;
}

export class PubSub<M extends PubSubMember> {
  private readonly tree = new TopicTree<M>();
  private readonly topicsOf = new Map<M, Set<string>>();

  subscribe(member: M, topic: string): boolean {
    if (!this.tree.subscribe(topic, member)) return false;
    let topics = this.topicsOf.get(member);
    if (topics === undefined) {
      topics = new Set();
      this.topicsOf.set(member, topics);
    }
    topics.add(topic);
    return true;
  }

  unsubscribe(member: M, topic: string): boolean {
    if (!this.tree.unsubscribe(topic, member)) return false;
    const topics = this.topicsOf.get(member);
    topics?.delete(topic);
    if (topics?.size === 0) this.topicsOf.delete(member);
    return true;
  }

  /** Drops every subscription of a member (on close). */
  remove(member: M): void {
    const topics = this.topicsOf.get(member);
    if (topics === undefined) return;
    for (const topic of topics) this.tree.unsubscribe(topic, member);
    this.topicsOf.delete(member);
  }

  isSubscribed(member: M, topic: string): boolean {
    return this.topicsOf.get(member)?.has(topic) ?? false;
  }

  topics(member: M): string[] {
    return [...(this.topicsOf.get(member) ?? [])];
  }

  subscriberCount(topic: string): number {
    return this.tree.count(topic);
  }

  /** Frames `payload` once and queues it on every matching subscriber except `except`. Returns the recipients. */
  publish(topic: string, payload: Buffer, isBinary: boolean, except: M | null): number {
    const frames: Buffer[] = [];
    const bytes = encodeFrame(frames, isBinary ? Opcode.BINARY : Opcode.TEXT, payload, true, false, NO_MASK);
    let recipients = 0;
    this.tree.forEachMatch(topic, (member) => {
      if (member !== except && member.sendEncoded(frames, bytes)) recipients++;
    });
    return recipients;
  }
}

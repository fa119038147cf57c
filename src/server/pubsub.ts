/**
 * Encode-once publishing: a message is framed one time and the same buffers
 * are queued on every subscriber, so a broadcast to N sockets costs one
 * frame encoding and N queue pushes, not N encodings.
 */
import { deflateMessage } from '../extensions/shared-deflate.js';
import { encodeFrame, NO_MASK } from '../protocol/frame-encoder.js';
import { Opcode } from '../protocol/opcode.js';
import type { SharedDeflateSettings } from '../transport/message-codec.js';
import { TopicTree, type TopicSubscriber } from './topic-tree.js';

export interface PubSubMember extends TopicSubscriber {
  /** Queues pre-encoded frames; false when the connection cannot take them. */
  sendEncoded(frames: readonly Buffer[], bytes: number): boolean;
  /** How a compressible message of `length` bytes should reach this member (see SocketTransport). */
  publishCompression(length: number): SharedDeflateSettings | 'own' | null;
  /** Sends through the member's own compressor (it keeps context between messages). */
  sendPublished(payload: Buffer, isBinary: boolean): boolean;
}

/** Options of `wss.publish()` and `ws.publish()`. */
export interface PublishOptions {
  /** Binary or text frame; by default binary unless the data is a string. */
  binary?: boolean;
  /**
   * Compress for subscribers that negotiated permessage-deflate (default true,
   * as in send()); messages under a subscriber's threshold go uncompressed.
   */
  compress?: boolean;
}

/** One encoding of a published message: frames and their total size. */
interface EncodedMessage {
  readonly frames: Buffer[];
  readonly bytes: number;
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

  /**
   * Frames `payload` once and queues it on every matching subscriber except
   * `except`. With `compress`, members that compress each message afresh get
   * it compressed once per distinct compressor setting; members whose
   * compressor keeps context compress it themselves. Returns the recipients.
   */
  publish(topic: string, payload: Buffer, isBinary: boolean, except: M | null, compress: boolean): number {
    const opcode = isBinary ? Opcode.BINARY : Opcode.TEXT;
    let plain: EncodedMessage | null = null;
    let compressed: Map<string, EncodedMessage> | null = null;
    let recipients = 0;
    this.tree.forEachMatch(topic, (member) => {
      if (member === except) return;
      const how = compress ? member.publishCompression(payload.length) : null;
      let accepted: boolean;
      if (how === 'own') {
        accepted = member.sendPublished(payload, isBinary);
      } else if (how !== null) {
        compressed ??= new Map();
        let message = compressed.get(how.key);
        if (message === undefined) {
          message = encode(opcode, deflateMessage(payload, how), true);
          compressed.set(how.key, message);
        }
        accepted = member.sendEncoded(message.frames, message.bytes);
      } else {
        plain ??= encode(opcode, payload, false);
        accepted = member.sendEncoded(plain.frames, plain.bytes);
      }
      if (accepted) recipients++;
    });
    return recipients;
  }
}

function encode(opcode: number, payload: Buffer, rsv1: boolean): EncodedMessage {
  const frames: Buffer[] = [];
  const bytes = encodeFrame(frames, opcode, payload, true, rsv1, NO_MASK);
  return { frames, bytes };
}

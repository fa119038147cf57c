/**
 * Topic subscriptions in the MQTT style: levels separated by '/', '+' matches
 * exactly one level, '#' (last level only) matches the rest, including none.
 * A publish walks only the branches that can match.
 */
export interface TopicSubscriber {
  /** Set by the tree during a walk so a subscriber matched twice is visited once. */
  topicVisit: number;
}

interface TopicNode<S> {
  children: Map<string, TopicNode<S>>;
  subscribers: Set<S>;
}

function node<S>(): TopicNode<S> {
  return { children: new Map(), subscribers: new Set() };
}

export function validateTopicFilter(filter: string): void {
  if (typeof filter !== 'string' || filter.length === 0) throw new TypeError('A topic must be a non-empty string');
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      throw new TypeError(`'#' must be the whole last level of a topic filter: ${filter}`);
    }
    if (level.includes('+') && level !== '+') throw new TypeError(`'+' must be a whole level of a topic filter: ${filter}`);
  }
}

export function validateTopicName(topic: string): void {
  if (typeof topic !== 'string' || topic.length === 0) throw new TypeError('A topic must be a non-empty string');
  if (topic.includes('+') || topic.includes('#')) throw new TypeError(`A published topic cannot contain wildcards: ${topic}`);
}

export class TopicTree<S extends TopicSubscriber> {
  private readonly root: TopicNode<S> = node();
  private visit = 0;

  subscribe(filter: string, subscriber: S): boolean {
    validateTopicFilter(filter);
    let current = this.root;
    for (const level of filter.split('/')) {
      let next = current.children.get(level);
      if (next === undefined) {
        next = node();
        current.children.set(level, next);
      }
      current = next;
    }
    if (current.subscribers.has(subscriber)) return false;
    current.subscribers.add(subscriber);
    return true;
  }

  unsubscribe(filter: string, subscriber: S): boolean {
    const path: Array<[TopicNode<S>, string]> = [];
    let current = this.root;
    for (const level of filter.split('/')) {
      const next = current.children.get(level);
      if (next === undefined) return false;
      path.push([current, level]);
      current = next;
    }
    if (!current.subscribers.delete(subscriber)) return false;
    // Prune branches left empty so the tree does not grow with dead topics.
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, level] = path[i]!;
      const child = parent.children.get(level)!;
      if (child.subscribers.size !== 0 || child.children.size !== 0) break;
      parent.children.delete(level);
    }
    return true;
  }

  /** Calls `fn` once for every subscriber whose filter matches `topic`. */
  forEachMatch(topic: string, fn: (subscriber: S) => void): void {
    validateTopicName(topic);
    const visit = ++this.visit;
    this.walk(this.root, topic.split('/'), 0, visit, fn);
  }

  count(topic: string): number {
    let n = 0;
    this.forEachMatch(topic, () => n++);
    return n;
  }

  private walk(current: TopicNode<S>, levels: string[], i: number, visit: number, fn: (s: S) => void): void {
    const rest = current.children.get('#');
    if (rest !== undefined) this.emit(rest.subscribers, visit, fn);
    if (i === levels.length) {
      this.emit(current.subscribers, visit, fn);
      return;
    }
    const exact = current.children.get(levels[i]!);
    if (exact !== undefined) this.walk(exact, levels, i + 1, visit, fn);
    const one = current.children.get('+');
    if (one !== undefined) this.walk(one, levels, i + 1, visit, fn);
  }

  private emit(subscribers: Set<S>, visit: number, fn: (s: S) => void): void {
    for (const s of subscribers) {
      if (s.topicVisit === visit) continue;
      s.topicVisit = visit;
      fn(s);
    }
  }
}

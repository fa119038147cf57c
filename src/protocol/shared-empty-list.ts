/**
 * One frozen empty array, shared by every connection for the lists most of
 * them never fill (the pieces of a fragmented message, input held while
 * paused, sends queued behind compression, write callbacks): an idle
 * connection then holds no array of its own for them, 32 bytes each. Code
 * that adds to such a list first makes it its own with `ownList`; a push onto
 * the shared one would throw, so a missed site cannot corrupt another
 * connection.
 */
const SHARED_EMPTY: readonly never[] = Object.freeze([]);

/** The shared empty list, typed for the field it initializes or resets. */
export function sharedEmptyList<T>(): T[] {
  return SHARED_EMPTY as unknown as T[];
}

/** `list` itself, or a new array of its own if it is the shared empty one. */
export function ownList<T>(list: T[]): T[] {
  return list === (SHARED_EMPTY as unknown) ? [] : list;
}

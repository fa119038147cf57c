import { randomFillSync } from 'node:crypto';

/** Produces the client's masking keys (RFC 6455 5.3: unpredictable, from a strong source). */
export type MaskKeyGenerator = () => number;

// One randomFillSync call serves 2048 keys: a syscall per frame would dominate small sends.
const POOL_WORDS = 2048;
const pool = new Uint32Array(POOL_WORDS);
let next = POOL_WORDS;

export const randomMaskKey: MaskKeyGenerator = () => {
  if (next === POOL_WORDS) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]!;
};

/**
 * Uses bufferutil's native XOR for masking when the application installed
 * it, as ws does (wsx itself depends on nothing): 2-6× faster than the word
 * loop from 1 KiB up. Set WSX_NO_BUFFERUTIL=1 to keep the JavaScript loop.
 * bufferutil falls back to a byte loop of its own when its native part is
 * missing; that one is slower than ours, so only the native part is taken.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { useNativeUnmask, type NativeUnmask } from '../protocol/mask.js';

let attempted = false;
let nativeInUse = false;

/** Looks for bufferutil once per process; true when its native unmask is in use. */
export function loadNativeUnmask(): boolean {
  if (attempted) return nativeInUse;
  attempted = true;
  if (process.env['WSX_NO_BUFFERUTIL']) return false;
  try {
    const main = createRequire(import.meta.url).resolve('bufferutil');
    const loadBinding = createRequire(main)('node-gyp-build') as (dir: string) => { unmask?: unknown };
    const binding = loadBinding(path.dirname(main));
    if (typeof binding.unmask !== 'function') return false;
    useNativeUnmask(binding.unmask as NativeUnmask);
    nativeInUse = true;
  } catch {
    // Not installed, or no prebuilt binary for this platform: the JavaScript loop it is.
  }
  return nativeInUse;
}

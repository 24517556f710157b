/**
 * Keeps the hidden classes of Node's `process.nextTick` queue entries alive for the life of the process.
 *
 * `process.nextTick` builds each entry with an object literal that opens with two symbol keys, so V8 shapes the
 * entry by adding its properties one at a time, through hidden-class transitions it holds only weakly. An entry lives
 * for one turn of the event loop: a full garbage collection that finds none alive drops those transitions, the next
 * entry gets new hidden classes, and after a few such collections the inline caches in `nextTick` have seen so many
 * that they give up (megamorphic), and every later call adds its properties the slow way, for good. A serving
 * process runs many full collections (its start loads the configuration; under load the old generation fills), and
 * node:http, streams and undici call `nextTick` about fifteen times a request: measured in a running data plane with
 * 100,000 keys, 370 ns a call instead of 25, about 5 µs a request, and less in a small configuration only because it
 * collects less often.
 *
 * Holding one entry keeps its hidden class and the transitions that lead to it, so the caches stay as they were
 * trained. It has to happen before the first full collections, so a serving command does it first of all.
 */
import { createHook } from 'node:async_hooks';

let kept: object | undefined;

const noop = () => {};

/**
 * Queues one no-op tick while an async hook watches, and keeps the queue entry it reports (the hook is on for that
 * one call only). Returns the entry kept; calling it again keeps nothing more.
 */
export function keepTickObjectShape(): object | undefined {
  if (kept !== undefined) return kept;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject' && kept === undefined) kept = resource as object;
    },
  });
  hook.enable();
  try {
    process.nextTick(noop);
  } finally {
    hook.disable();
  }
  return kept;
}

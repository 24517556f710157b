/**
 * The per-request abort signal stands in for an AbortSignal wherever the data plane passes one: Node's timers stop
 * on it, each listener is told once, removed listeners are not, and aborting twice changes nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ClientAbort } from '../../src/dataplane/http/client-abort.js';

describe('the client abort signal', () => {
  it('stops a pending timer from node:timers/promises with an AbortError', async () => {
    const abort = new ClientAbort();
    const waiting = sleep(60_000, undefined, { signal: abort.signal });
    setTimeout(() => abort.abort(), 5);
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(abort.signal.aborted).toBe(true);
    // A timer started after the abort is refused at once.
    await expect(sleep(60_000, undefined, { signal: abort.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('tells each listener once, skips removed ones, and ignores a second abort', () => {
    const abort = new ClientAbort();
    const told: string[] = [];
    const first = () => told.push('first');
    const second = () => told.push('second');
    abort.signal.addEventListener('abort', first, { once: true });
    abort.signal.addEventListener('abort', second);
    abort.signal.removeEventListener('abort', first);
    abort.abort();
    abort.abort();
    expect(told).toEqual(['second']);
    expect(() => abort.signal.throwIfAborted()).toThrow(/client went away/);
    abort.signal.addEventListener('abort', first);
    abort.abort();
    expect(told).toEqual(['second']);
  });

  it('is not aborted until aborted', () => {
    const abort = new ClientAbort();
    expect(abort.signal.aborted).toBe(false);
    expect(() => abort.signal.throwIfAborted()).not.toThrow();
  });
});

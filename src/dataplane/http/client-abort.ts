/**
 * The abort signal of one client request: it fires when the client goes away before its answer is complete, and
 * everything serving the request (attempts, waits, in-process upstreams) stops. An `AbortController` with its
 * `EventTarget` costs a few percent of a request's CPU; this keeps a plain list of listeners and has the members
 * that Node's timers, undici and the data plane read from an `AbortSignal` (`aborted`, `reason`,
 * `addEventListener`, `removeEventListener`, `throwIfAborted`), so it is passed wherever one is expected.
 */
class ClientSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Array<() => void> = [];

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted) this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.#listeners.indexOf(listener);
    if (at !== -1) this.#listeners.splice(at, 1);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  fire(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('The client went away', 'AbortError');
    const listeners = this.#listeners;
    this.#listeners = [];
    // Every listener is told once (as with `{ once: true }`), even when one of them throws.
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

export class ClientAbort {
  readonly #signal = new ClientSignal();

  /** Read as an `AbortSignal` by everything that serves the request. */
  get signal(): AbortSignal {
    return this.#signal as unknown as AbortSignal;
  }

  abort(): void {
    this.#signal.fire();
  }
}

/**
 * Password guessing: after `limit` failed sign-ins for one email within `windowMs`, that email is refused (429
 * with Retry-After) until the oldest failure leaves the window, the right password included. Counted in this
 * process; the table is bounded so that a flood of made-up emails cannot grow it without end.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before `email` may try again, or 0. */
  retryAfter(email: string): number {
    const recent = this.#recent(email);
    if (recent.length < this.limit) return 0;
    return Math.max(1, Math.ceil((recent[recent.length - this.limit]! + this.windowMs - this.now()) / 1000));
  }

  fail(email: string): void {
    const recent = this.#recent(email);
    recent.push(this.now());
    this.#failures.delete(email);
    this.#failures.set(email, recent.slice(-this.limit));
    // The oldest entries go first (a Map keeps insertion order, and each failure re-inserts its email).
    while (this.#failures.size > this.maxEntries) {
      const oldest = this.#failures.keys().next().value;
      if (oldest === undefined) break;
      this.#failures.delete(oldest);
    }
  }

  succeed(email: string): void {
    this.#failures.delete(email);
  }

  #recent(email: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.#failures.get(email) ?? []).filter((at) => at > since);
  }
}

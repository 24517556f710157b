/**
 * Holds the snapshot in service. A request reads `current` once and uses that object to its end, so a swap
 * mid-request never mixes two versions. Older or equal versions are refused, so a late publisher cannot
 * roll the configuration back.
 */
import type { GatewaySnapshot } from '../core/snapshot/snapshot.js';

export type SnapshotOfferResult = 'accepted' | 'stale';

export class SnapshotHolder {
  #current: GatewaySnapshot | undefined;
  readonly #listeners = new Set<(snapshot: GatewaySnapshot) => void>();

  get current(): GatewaySnapshot | undefined {
    return this.#current;
  }

  /** Puts `snapshot` in service when it is newer than the current one. */
  offer(snapshot: GatewaySnapshot): SnapshotOfferResult {
    if (this.#current && snapshot.version <= this.#current.version) return 'stale';
    this.#current = snapshot;
    for (const listener of this.#listeners) listener(snapshot);
    return 'accepted';
  }

  onSwap(listener: (snapshot: GatewaySnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/**
 * Every configuration change goes through `change()`: the write, a version bump and a trial compile happen in
 * one transaction, so a change that would not compile is rolled back and never reaches the data plane. After
 * the commit the compiled snapshot is handed to the data plane, which swaps it in atomically.
 */
import { sql } from 'drizzle-orm';
import { GatewayError } from '../core/errors/gateway-error.js';
import { compileSnapshot } from '../core/snapshot/compile.js';
import type { GatewaySnapshot } from '../core/snapshot/snapshot.js';
import type { Logger } from '../observability/logger.js';
import type { MasterKey } from '../secrets/envelope.js';
import type { Database } from '../store/database.js';
import { meta } from '../store/schema.js';
import { currentAuditContext } from './audit/context.js';
import { configurationAudit } from './audit/record.js';
import { CONFIG_VERSION_KEY, loadConfiguration } from './configuration.js';

/** Where compiled snapshots go (the in-process data plane, or later a snapshot server). */
export interface SnapshotSink {
  offer(snapshot: GatewaySnapshot): 'accepted' | 'stale';
}

export class ConfigurationPublisher {
  constructor(
    private readonly db: Database,
    private readonly masterKey: MasterKey,
    private readonly sink: SnapshotSink,
    private readonly logger: Logger,
  ) {}

  /** Compiles what is stored now and publishes it (start-up, and recovery). */
  async publishCurrent(): Promise<GatewaySnapshot> {
    const source = await loadConfiguration(this.db, this.masterKey);
    const result = compileSnapshot(source);
    if (!result.ok) {
      this.logger.error({ issues: result.issues }, 'the stored configuration does not compile');
      throw new GatewayError('invalid_configuration', 'The stored configuration does not compile', {
        details: result.issues,
      });
    }
    this.sink.offer(result.snapshot);
    return result.snapshot;
  }

  /**
   * Runs `write` in a transaction that also bumps the version and proves the result compiles. Changes run one at
   * a time; inside an admin request (an audit context) the same transaction records one audit row per object the
   * write changed (docs/ARCHITECTURE.md, "Audit log").
   */
  async change<T>(write: (tx: Database) => Promise<T>): Promise<T> {
    let snapshot: GatewaySnapshot | undefined;
    const context = currentAuditContext();
    const value = await this.db.transaction(async (tx) => {
      const db = tx as unknown as Database;
      const audit = configurationAudit(db, context);
      await audit.before();
      const result = await write(db);
      await db
        .insert(meta)
        .values({ key: CONFIG_VERSION_KEY, value: '1' })
        .onConflictDoUpdate({
          target: meta.key,
          set: { value: sql`(${meta.value}::bigint + 1)::text`, updatedAt: sql`now()` },
        });
      const compiled = compileSnapshot(await loadConfiguration(db, this.masterKey));
      if (!compiled.ok) {
        throw new GatewayError('invalid_configuration', 'The change would make the configuration invalid', {
          details: compiled.issues,
        });
      }
      await audit.after();
      snapshot = compiled.snapshot;
      return result;
    });
    if (snapshot) this.sink.offer(snapshot);
    return value;
  }
}

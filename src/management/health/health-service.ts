/**
 * Verifies provider entries and keeps their health: on every change of an entry, on demand, and on a
 * schedule. The board is shared with the data plane (whose traffic reports into it too); this service
 * restores it at start and persists every change, off the request path, with a short history per entry.
 */
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { GatewayError } from '../../core/errors/gateway-error.js';
import { providerTypeInfo } from '../../core/providers/catalog.js';
import type { Diagnostic } from '../../core/routing/health.js';
import type { CompiledProvider, GatewaySnapshot } from '../../core/snapshot/snapshot.js';
import type {
  HealthBoard,
  HealthObservation,
  HealthRecord,
  OutlierEvent,
} from '../../health/health-board.js';
import type { Logger } from '../../observability/logger.js';
import type { Database } from '../../store/database.js';
import { modelDeployments, providerHealth, providerHealthEvents } from '../../store/schema.js';
import { notFound } from '../services/store-errors.js';
import { type ProbeResult, probeProvider } from './probe.js';

/** History kept per provider entry. */
export const HEALTH_HISTORY_LENGTH = 50;

export interface HealthServiceOptions {
  db: Database;
  board: HealthBoard;
  logger: Logger;
  snapshot: () => GatewaySnapshot | undefined;
  /** Budget of one check. */
  probeTimeoutMs: number;
  /** Period of the scheduled re-check of every enabled entry; 0 disables it. */
  intervalMs: number;
  /** Whether a change of an entry triggers its verification. */
  verifyOnChange: boolean;
  /** Tests resolve names through their own lookup. */
  lookup?: import('node:net').LookupFunction;
}

/** How an entry is checked, by its type and auth method. */
type ConnectionCheck =
  | { kind: 'in-process' }
  | { kind: 'deferred' }
  | { kind: 'probed'; result: ProbeResult };

/** The answer of checking a draft entry (`POST /providers/test-connection`); never carries the credential. */
export interface ConnectionTest {
  /** False only when a check ran and failed. */
  ok: boolean;
  status: 'healthy' | 'unhealthy' | 'deferred';
  /** `ahead`: checked now; `deferred`: the first real request validates it; `in-process`: nothing to reach. */
  verification: 'ahead' | 'deferred' | 'in-process';
  message: string;
  diagnostic: Diagnostic | null;
  latencyMs: number | null;
  /** Model ids the provider listed, sorted (empty unless a check succeeded). */
  models: string[];
}

export class HealthService {
  readonly #options: HealthServiceOptions;
  #writes: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;
  /** The latest check time `reload()` has seen stored. */
  #reloadedUpTo: Date | undefined;

  constructor(options: HealthServiceOptions) {
    this.#options = options;
  }

  /** Restores the board from the store and starts persisting its changes. */
  async start(): Promise<void> {
    await this.reload();
    const unsubscribeChanges = this.#options.board.onChange((observation, record) =>
      this.#persist(observation, record),
    );
    const unsubscribeOutliers = this.#options.board.onOutlier((event) => this.#persistOutlier(event));
    this.#unsubscribe = () => {
      unsubscribeChanges();
      unsubscribeOutliers();
    };
    if (this.#options.intervalMs > 0) {
      this.#timer = setInterval(() => void this.sweep(), this.#options.intervalMs);
      this.#timer.unref();
    }
  }

  /**
   * Loads the stored health of every entry checked more recently than the board knows (at start, and on a replica
   * or data-plane process, what another process checked since). Rows checked in the same millisecond as the latest
   * one seen are read again (a row written just after that read would be missed otherwise); the board's own time
   * skips those it already holds.
   */
  async reload(): Promise<void> {
    const since = this.#reloadedUpTo;
    const rows = await this.#options.db
      .select()
      .from(providerHealth)
      .where(since ? gte(providerHealth.lastCheckedAt, since) : undefined);
    for (const row of rows) {
      const lastCheckedAt = row.lastCheckedAt?.getTime() ?? null;
      if (row.lastCheckedAt && (!this.#reloadedUpTo || row.lastCheckedAt > this.#reloadedUpTo))
        this.#reloadedUpTo = row.lastCheckedAt;
      const known = this.#options.board.get(row.providerId);
      if (known && (known.lastCheckedAt ?? 0) >= (lastCheckedAt ?? 0)) continue;
      this.#options.board.load(row.providerId, {
        status: row.status as HealthRecord['status'],
        lastCheckedAt,
        lastVerifiedAt: row.lastVerifiedAt?.getTime() ?? null,
        latencyMs: row.latencyMs,
        diagnostic: (row.diagnostic as Diagnostic | null) ?? null,
      });
    }
  }

  /** Stops the schedule and waits for pending writes. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#unsubscribe?.();
    await this.#sweeping;
    await this.#writes;
  }

  /** Checks one entry now and records the outcome. */
  async verify(providerId: string): Promise<HealthRecord> {
    const provider = this.#options.snapshot()?.providers.get(providerId);
    if (!provider) throw notFound('Provider', providerId);
    const observation = await this.#check(provider);
    return this.#options.board.record(observation);
  }

  /** Checks one entry soon, without making the caller wait (after a change of the entry). */
  verifySoon(providerId: string): void {
    if (!this.#options.verifyOnChange) return;
    setImmediate(() => {
      this.verify(providerId).catch((error: unknown) =>
        this.#options.logger.warn({ err: error, providerId }, 'provider verification failed to run'),
      );
    });
  }

  /** Forgets an entry that was deleted (its stored rows go with it). */
  forget(providerId: string): void {
    this.#options.board.forget(providerId);
  }

  /** Re-checks every enabled entry, a few at a time; a sweep never overlaps the previous one. */
  sweep(): Promise<void> {
    this.#sweeping ??= (async () => {
      try {
        const providers = [...(this.#options.snapshot()?.providers.values() ?? [])].filter((p) => p.enabled);
        const queue = [...providers];
        const worker = async () => {
          for (let next = queue.shift(); next; next = queue.shift()) {
            this.#options.board.record(await this.#check(next));
          }
        };
        await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
      } catch (error) {
        this.#options.logger.warn({ err: error }, 'scheduled provider verification failed');
      } finally {
        this.#sweeping = undefined;
      }
    })();
    return this.#sweeping;
  }

  /** The latest health observations of an entry, newest first. */
  async history(providerId: string, limit = HEALTH_HISTORY_LENGTH) {
    const rows = await this.#options.db
      .select()
      .from(providerHealthEvents)
      .where(eq(providerHealthEvents.providerId, providerId))
      .orderBy(desc(providerHealthEvents.at), desc(providerHealthEvents.id))
      .limit(limit);
    return rows.map((row) => ({
      at: row.at.toISOString(),
      source: row.source as HealthObservation['source'] | 'outlier',
      status: row.status as HealthRecord['status'] | 'ejected' | 'rejoined',
      latencyMs: row.latencyMs,
      diagnostic: (row.diagnostic as Diagnostic | null) ?? null,
    }));
  }

  /** Asks the provider for its models and compares them with what the entry serves. */
  async discover(providerId: string) {
    const provider = this.#options.snapshot()?.providers.get(providerId);
    if (!provider) throw notFound('Provider', providerId);
    const info = providerTypeInfo(provider.type);
    if (!info.discovery) {
      throw new GatewayError('invalid_request', `A ${provider.type} provider has no model list to discover`);
    }
    const result = await this.#probe(provider);
    this.#options.board.record(this.#observation(provider.id, result));
    if (!result.ok) return { ok: false as const, message: result.message, diagnostic: result };
    const used = await this.#options.db
      .selectDistinct({ upstreamModel: modelDeployments.upstreamModel })
      .from(modelDeployments)
      .where(eq(modelDeployments.providerId, providerId));
    const enabled = new Set(used.map((row) => row.upstreamModel));
    const offered = [...new Set(result.models)].sort();
    const offeredSet = new Set(offered);
    return {
      ok: true as const,
      providerId,
      models: offered.map((id) => ({ id, enabled: enabled.has(id) })),
      new: offered.filter((id) => !enabled.has(id)),
      missing: [...enabled].filter((id) => !offeredSet.has(id)).sort(),
    };
  }

  /**
   * Checks a draft entry that is not saved (compiled on its own): the same check and model list as a saved entry
   * gets, but nothing is recorded on the board or in the store.
   */
  async testConnection(provider: CompiledProvider): Promise<ConnectionTest> {
    const check = await this.#connect(provider);
    if (check.kind === 'in-process') {
      return {
        ok: true,
        status: 'healthy',
        verification: 'in-process',
        message: 'This provider answers inside Junction; there is nothing to reach and any model name works.',
        diagnostic: null,
        latencyMs: 0,
        models: [],
      };
    }
    if (check.kind === 'deferred') {
      return {
        ok: true,
        status: 'deferred',
        verification: 'deferred',
        message:
          provider.auth.kind === 'passthrough'
            ? "With BYOK passthrough no credential is stored: the caller's own key travels with each request, so the first real request validates it."
            : `${providerTypeInfo(provider.type).displayName} cannot be checked ahead of traffic: the first real request validates the endpoint and credential.`,
        diagnostic: null,
        latencyMs: null,
        models: [],
      };
    }
    const observation = this.#observation(provider.id, check.result);
    return {
      ok: check.result.ok,
      status: check.result.ok ? 'healthy' : 'unhealthy',
      verification: 'ahead',
      message: check.result.ok
        ? `Connected in ${observation.latencyMs} ms`
        : `The check failed at the ${check.result.stage} stage: ${check.result.message}`,
      diagnostic: observation.diagnostic,
      latencyMs: observation.latencyMs,
      models: check.result.ok ? [...new Set(check.result.models)].sort() : [],
    };
  }

  async #check(provider: CompiledProvider): Promise<HealthObservation> {
    const check = await this.#connect(provider);
    if (check.kind === 'in-process') {
      return {
        providerId: provider.id,
        source: 'check',
        status: 'healthy',
        at: Date.now(),
        latencyMs: 0,
        diagnostic: null,
      };
    }
    if (check.kind === 'deferred') {
      const status = this.#options.board.statusOf(provider.id);
      return {
        providerId: provider.id,
        source: 'configuration',
        status: status === 'unverified' ? 'deferred' : status,
        at: Date.now(),
        latencyMs: null,
        diagnostic: null,
      };
    }
    return this.#observation(provider.id, check.result);
  }

  /**
   * What checking an entry means for its type, the one place saved entries and drafts are checked: nothing to
   * reach (in-process), nothing to check before traffic (deferred types, BYOK passthrough), or a probe that
   * fetches the model list.
   */
  async #connect(provider: CompiledProvider): Promise<ConnectionCheck> {
    const info = providerTypeInfo(provider.type);
    if (info.verification === 'in-process') return { kind: 'in-process' };
    if (info.verification === 'deferred' || provider.auth.kind === 'passthrough') return { kind: 'deferred' };
    return { kind: 'probed', result: await this.#probe(provider) };
  }

  #probe(provider: CompiledProvider): Promise<ProbeResult> {
    return probeProvider(
      {
        providerId: provider.id,
        type: provider.type,
        baseUrl: provider.origin + provider.basePath,
        modelListPath: modelListPath(provider),
        headers: { ...provider.headers, ...versionHeaders(provider) },
        secrets: provider.secrets,
      },
      { timeoutMs: this.#options.probeTimeoutMs, lookup: this.#options.lookup },
    );
  }

  #observation(providerId: string, result: ProbeResult): HealthObservation {
    const at = Date.now();
    if (result.ok) {
      return {
        providerId,
        source: 'check',
        status: 'healthy',
        at,
        latencyMs: Math.round(result.latencyMs),
        diagnostic: null,
      };
    }
    const diagnostic: Diagnostic = { stage: result.stage, message: result.message };
    if (result.httpStatus !== undefined) diagnostic.httpStatus = result.httpStatus;
    if (result.code !== undefined) diagnostic.code = result.code;
    return {
      providerId,
      source: 'check',
      status: 'unhealthy',
      at,
      latencyMs: Math.round(result.latencyMs),
      diagnostic,
    };
  }

  #persist(observation: HealthObservation, record: HealthRecord): void {
    const { db } = this.#options;
    const write = async () => {
      const values = {
        status: record.status,
        lastCheckedAt: record.lastCheckedAt === null ? null : new Date(record.lastCheckedAt),
        lastVerifiedAt: record.lastVerifiedAt === null ? null : new Date(record.lastVerifiedAt),
        latencyMs: record.latencyMs,
        diagnostic: record.diagnostic as Record<string, unknown> | null,
        updatedAt: new Date(),
      };
      await db
        .insert(providerHealth)
        .values({ providerId: observation.providerId, ...values })
        .onConflictDoUpdate({ target: providerHealth.providerId, set: values });
      await this.#appendEvent({
        providerId: observation.providerId,
        at: new Date(observation.at),
        source: observation.source,
        status: observation.status,
        latencyMs: observation.latencyMs,
        diagnostic: observation.diagnostic,
      });
    };
    this.#enqueue(write, observation.providerId);
  }

  /** Records a backend's ejection or return in its entry's history (the entry's own status is unchanged). */
  #persistOutlier(event: OutlierEvent): void {
    const write = () =>
      this.#appendEvent(
        event.kind === 'ejected'
          ? {
              providerId: event.providerId,
              at: new Date(Date.now()),
              source: 'outlier',
              status: 'ejected',
              latencyMs: null,
              diagnostic: {
                ...(event.diagnostic ?? { stage: 'http' }),
                message: `${event.deploymentId} ejected until a probe at ${new Date(event.probeAt).toISOString()} succeeds (ejection ${event.ejections} in a row)${event.diagnostic ? `: ${event.diagnostic.message}` : ''}`,
              },
            }
          : {
              providerId: event.providerId,
              at: new Date(event.at),
              source: 'outlier',
              status: 'rejoined',
              latencyMs: null,
              diagnostic: { stage: 'http', message: `${event.deploymentId} rejoined rotation` },
            },
      );
    this.#enqueue(write, event.providerId);
  }

  async #appendEvent(row: {
    providerId: string;
    at: Date;
    source: string;
    status: string;
    latencyMs: number | null;
    diagnostic: Diagnostic | null;
  }): Promise<void> {
    // The insert and the pruning commit together, so a reader never sees more than the kept length.
    await this.#options.db.transaction(async (tx) => {
      await tx.insert(providerHealthEvents).values({
        ...row,
        diagnostic: row.diagnostic as Record<string, unknown> | null,
      });
      const keep = tx
        .select({ id: providerHealthEvents.id })
        .from(providerHealthEvents)
        .where(eq(providerHealthEvents.providerId, row.providerId))
        .orderBy(desc(providerHealthEvents.id))
        .limit(1)
        .offset(HEALTH_HISTORY_LENGTH - 1);
      await tx
        .delete(providerHealthEvents)
        .where(
          and(
            eq(providerHealthEvents.providerId, row.providerId),
            lt(providerHealthEvents.id, sql`(${keep})`),
          ),
        );
    });
  }

  /** One write at a time, in order; a failure (entry deleted meanwhile, store away) is logged, never thrown. */
  #enqueue(write: () => Promise<void>, providerId: string): void {
    this.#writes = this.#writes.then(write).catch((error: unknown) => {
      this.#options.logger.warn({ err: error, providerId }, 'could not store provider health');
    });
  }
}

/** Where an entry lists its models, with the entry's settings filled in. */
function modelListPath(provider: CompiledProvider): string {
  const template = providerTypeInfo(provider.type).modelListPath ?? '/models';
  if (provider.type === 'azure-openai' && provider.settings.apiVersion === 'v1') return '/openai/v1/models';
  return template.replace('<apiVersion>', encodeURIComponent(provider.settings.apiVersion ?? ''));
}

/** Headers a provider requires on every call besides authentication. */
function versionHeaders(provider: CompiledProvider): Record<string, string> {
  if (provider.type !== 'anthropic') return {};
  const headers: Record<string, string> = {
    'anthropic-version': provider.settings.anthropicVersion ?? '2023-06-01',
  };
  if (provider.settings.anthropicBeta) headers['anthropic-beta'] = provider.settings.anthropicBeta;
  return headers;
}

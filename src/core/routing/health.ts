/** What the planner knows of each provider entry's health; kept apart from the configuration snapshot. */

export const healthStatuses = ['healthy', 'unhealthy', 'unverified', 'deferred'] as const;
export type HealthStatus = (typeof healthStatuses)[number];

/** The stage at which a connection failed, as operators read it. */
export type DiagnosticStage =
  | 'dns'
  | 'connect'
  | 'tls'
  | 'timeout'
  | 'http'
  | 'auth'
  | 'wrong-path'
  | 'response';

export interface Diagnostic {
  stage: DiagnosticStage;
  message: string;
  httpStatus?: number;
  code?: string;
}

/** Why real traffic holds a deployment back: ejected after consecutive failures, or cooling after a 429. */
export type HoldBack = 'ejected' | 'cooling';

export interface HealthView {
  statusOf(providerId: string): HealthStatus;
  /** Whether real traffic holds the deployment back right now; undefined when it serves normally. */
  heldBack?(deploymentId: string): HoldBack | undefined;
}

/** A view in which every entry is healthy (no checks configured). */
export const allHealthy: HealthView = { statusOf: () => 'healthy' };

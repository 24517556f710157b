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

export interface HealthView {
  statusOf(providerId: string): HealthStatus;
}

/** A view in which every entry is healthy (no checks configured). */
export const allHealthy: HealthView = { statusOf: () => 'healthy' };

/**
 * Probes ejected deployments. When real traffic ejects a deployment (consecutive failures), it takes no client
 * traffic until its ejection period ends and one probe through the real request path succeeds; a failed probe
 * ejects it again for twice as long (up to the board's maximum). So an ejected deployment sees at most one probe
 * per period, and none of the applications' requests.
 */
import type { Diagnostic } from '../core/routing/health.js';
import type { HealthBoard, OutlierEvent } from '../health/health-board.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';

export type ProbeOutcome = { ok: true } | { ok: false; diagnostic: Diagnostic } | 'gone';

export interface OutlierProbeOptions {
  logger: Logger;
  metrics: GatewayMetrics;
  /** Sends one short request to the deployment alone; 'gone' when the deployment no longer exists. */
  probe: (deploymentId: string) => Promise<ProbeOutcome>;
}

/** Schedules a probe at the end of every ejection; returns a function that cancels them all. */
export function watchOutliers(board: HealthBoard, options: OutlierProbeOptions): () => void {
  const { logger, metrics } = options;
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  const run = async (deploymentId: string): Promise<void> => {
    timers.delete(deploymentId);
    let outcome: ProbeOutcome;
    try {
      outcome = await options.probe(deploymentId);
    } catch (error) {
      outcome = {
        ok: false,
        diagnostic: { stage: 'http', message: `The probe could not run: ${(error as Error).message}` },
      };
    }
    if (stopped) return;
    if (outcome === 'gone') {
      board.forgetDeployment(deploymentId);
      metrics.ejected.remove(deploymentId);
      return;
    }
    if (outcome.ok) board.probed(deploymentId, true);
    else board.probed(deploymentId, false, outcome.diagnostic);
  };

  const onEvent = (event: OutlierEvent): void => {
    if (event.kind === 'rejoined') {
      clearTimeout(timers.get(event.deploymentId));
      timers.delete(event.deploymentId);
      metrics.ejected.set({ backend: event.deploymentId }, 0);
      logger.info({ backend: event.deploymentId }, 'backend rejoined after a successful probe');
      return;
    }
    metrics.ejections.inc({ backend: event.deploymentId });
    metrics.ejected.set({ backend: event.deploymentId }, 1);
    const periodMs = event.probeAt - Date.now();
    logger.warn(
      {
        backend: event.deploymentId,
        ejections: event.ejections,
        probeInMs: Math.max(0, periodMs),
        diagnostic: event.diagnostic,
      },
      'backend ejected after consecutive failures',
    );
    clearTimeout(timers.get(event.deploymentId));
    const timer = setTimeout(() => void run(event.deploymentId), Math.max(0, periodMs));
    timer.unref();
    timers.set(event.deploymentId, timer);
  };

  const unsubscribe = board.onOutlier(onEvent);
  return () => {
    stopped = true;
    unsubscribe();
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
  };
}

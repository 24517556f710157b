/** How real traffic's outcomes reach the health board. */
import type { Deployment } from '../core/snapshot/snapshot.js';
import type { HealthBoard } from '../health/health-board.js';
import type { AttemptRecord } from './execute.js';

/**
 * Feeds real traffic into the health board. Only the upstream's own outcomes count, never an error the gateway
 * made (a request cut by its deadline, a member skipped, a client that went away):
 * - a success clears the deployment's failures and restores an entry that was unhealthy, unverified or deferred;
 * - a rejected credential (401, 403, no token) counts against the entry as a whole;
 * - a connection failure, timeout, broken connection or 5xx counts against the deployment (outlier ejection);
 * - a 429 says the provider works but throttles: the deployment cools for the `Retry-After` it named.
 */
export function reportAttempt(board: HealthBoard) {
  return (deployment: Deployment, attempt: AttemptRecord): void => {
    const providerId = deployment.provider.id;
    switch (attempt.outcome) {
      case 'success':
        board.reportTraffic(providerId, true);
        board.reportDeployment(deployment.id, providerId, true);
        return;
      case 'credential':
        board.reportTraffic(providerId, false, {
          stage: 'auth',
          message: 'No credential could be obtained for real traffic',
        });
        return;
      case 'timeout':
      case 'connect':
        board.reportDeployment(deployment.id, providerId, false, {
          stage: attempt.outcome,
          message: `Real traffic failed: ${attempt.outcome}`,
        });
        return;
      case 'reset':
        board.reportDeployment(deployment.id, providerId, false, {
          stage: 'http',
          message: 'Real traffic failed: the connection broke',
        });
        return;
      case 'http-error': {
        const status = attempt.status ?? 0;
        if (status === 401 || status === 403) {
          board.reportTraffic(providerId, false, {
            stage: 'auth',
            message: `The provider rejected the credential on real traffic (HTTP ${status})`,
            httpStatus: status,
          });
        } else if (status >= 500) {
          board.reportDeployment(deployment.id, providerId, false, {
            stage: 'http',
            message: `Real traffic failed with HTTP ${status}`,
            httpStatus: status,
          });
        } else if (status === 429 && attempt.retryAfterMs !== undefined) {
          board.coolDown(deployment.id, providerId, attempt.retryAfterMs);
        }
        return;
      }
      default:
        return;
    }
  };
}

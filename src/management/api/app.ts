/**
 * The admin API: versioned REST under `/admin/v1`, described by the OpenAPI document it serves, answering
 * errors as problem+json. Every change goes through the publisher so it reaches the data plane.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { GatewayError, toProblem } from '../../core/errors/gateway-error.js';
import type { GatewaySnapshot } from '../../core/snapshot/snapshot.js';
import type { ModelVerification } from '../../core/verification.js';
import type { HealthBoard } from '../../health/health-board.js';
import type { BudgetLedger } from '../../limits/ledger.js';
import type { Logger } from '../../observability/logger.js';
import type { MasterKey } from '../../secrets/envelope.js';
import type { Store } from '../../store/database.js';
import type { BudgetKeeper } from '../budgets/keeper.js';
import type { HealthService } from '../health/health-service.js';
import type { ConfigurationPublisher } from '../publisher.js';
import type { AdminPrincipal } from '../services/bootstrap.js';
import { accessMiddleware, type RouteAccess, routePermissions } from './access.js';
import { authenticationMiddleware, DEFAULT_IDENTITY, type IdentityOptions } from './authentication.js';
import { registerAdminTokenRoutes } from './routes-admin-tokens.js';
import { registerAliasRoutes } from './routes-aliases.js';
import { auditContextMiddleware, registerAuditRoutes } from './routes-audit.js';
import { registerBudgetRoutes } from './routes-budgets.js';
import { registerConfigRoutes } from './routes-config.js';
import { registerEnvironmentRoutes } from './routes-environments.js';
import { registerIdentityRoutes } from './routes-identity.js';
import { registerLogRoutes } from './routes-logs.js';
import { registerModelRoutes } from './routes-models.js';
import { registerPriceRoutes } from './routes-prices.js';
import { registerProviderHealthRoutes } from './routes-provider-health.js';
import { registerProviderRoutes } from './routes-providers.js';
import { registerRoutingRoutes } from './routes-routing.js';
import { registerStatusRoutes } from './routes-status.js';
import { registerTeamAndKeyRoutes } from './routes-teams-and-keys.js';
import { registerUsageRoutes } from './routes-usage.js';

export interface AdminDependencies {
  store: Store;
  masterKey: MasterKey;
  publisher: ConfigurationPublisher;
  logger: Logger;
  health: HealthService;
  board: HealthBoard;
  /** The snapshot in service, for the status route. */
  snapshotInfo: () =>
    | { version: number; compiledAt: string; counts: { providers: number; models: number; keys: number } }
    | undefined;
  /** The snapshot in service, for routing explanations. */
  snapshot?: () => GatewaySnapshot | undefined;
  /** The budget ledger in service (spend of the current windows). */
  ledger?: BudgetLedger;
  /** Seeds new budgets' spend from usage records. */
  budgets?: BudgetKeeper;
  /** Runs a short request through the data plane (verify from the developer side). */
  verifyModel?: (
    model: string,
    environment: string,
    options?: { eachDeployment?: boolean },
  ) => Promise<ModelVerification>;
  /** Browser sessions: lifetime, idle timeout, cookie security. */
  identity?: IdentityOptions;
}

export type AdminEnv = {
  Variables: {
    principal: AdminPrincipal;
    /** The session secret of a cookie-authenticated request (for its CSRF token and logout). */
    session: string | undefined;
  };
};
export type AdminApp = OpenAPIHono<AdminEnv>;

const MAX_ADMIN_BODY_BYTES = 1024 * 1024;

/** Answers an error as problem+json. */
export function problemResponse(c: Context, error: GatewayError): Response {
  return c.body(JSON.stringify(toProblem(error)), error.status as 400, {
    'content-type': 'application/problem+json',
    ...error.headers,
  });
}

function validationError(error: ZodError): GatewayError {
  const details = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
  const first = details[0];
  return new GatewayError(
    'invalid_request',
    first ? `${first.path}: ${first.message}` : 'The request is not valid',
    {
      details,
    },
  );
}

/** Builds the admin app, with every route mounted under `/admin/v1`. */
export function createAdminApp(deps: AdminDependencies): AdminApp {
  const app: AdminApp = new OpenAPIHono<AdminEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error as ZodError);
    },
  }).basePath('/admin/v1') as unknown as AdminApp;

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An admin token (the bootstrap token printed on first start, or JUNCTION_ADMIN_TOKEN)',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'junction_session',
    description:
      'A web app session (from POST /session or single sign-on); changes also send its CSRF token in `x-csrf-token`',
  });

  app.onError((error, c) => {
    if (error instanceof GatewayError) return problemResponse(c, error);
    if (error instanceof HTTPException) {
      if (error.status === 415) {
        return problemResponse(
          c,
          new GatewayError(
            'unsupported_media_type',
            'Send the body as JSON with `content-type: application/json`',
          ),
        );
      }
      const code =
        error.status === 413
          ? 'body_too_large'
          : error.status === 401
            ? 'invalid_api_key'
            : 'invalid_request';
      return problemResponse(
        c,
        new GatewayError(code, error.message || 'The request is not valid', { status: error.status }),
      );
    }
    deps.logger.error({ err: error, path: c.req.path }, 'admin request failed');
    return problemResponse(c, new GatewayError('internal_error', 'The request failed; see the server log'));
  });
  const noRoute = (c: Context) =>
    problemResponse(c, new GatewayError('not_found', `There is no route ${c.req.method} ${c.req.path}`));
  app.notFound(noRoute);

  // The principal's role must grant the route's permission (read from the routes once they are all registered).
  let permissions: ReadonlyMap<string, RouteAccess> = new Map();
  app.use('*', async (c, next) => {
    c.header('cache-control', 'no-store');
    return next();
  });
  app.use(
    '*',
    authenticationMiddleware(deps.store.db, deps.identity ?? DEFAULT_IDENTITY, () => permissions),
  );
  app.use(
    '*',
    accessMiddleware(() => permissions),
  );
  // The rest of an authenticated request runs in its audit context (actor, action, request id, source address).
  app.use('*', auditContextMiddleware);
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_ADMIN_BODY_BYTES,
      onError: () => {
        // The rest of the upload is not read, so the connection cannot be reused: say so to the client.
        throw new GatewayError('body_too_large', `The body is larger than ${MAX_ADMIN_BODY_BYTES} bytes`, {
          headers: { connection: 'close' },
        });
      },
    }),
  );

  registerStatusRoutes(app, deps);
  registerProviderRoutes(app, deps);
  registerProviderHealthRoutes(app, deps);
  registerEnvironmentRoutes(app, deps);
  registerConfigRoutes(app, deps);
  registerModelRoutes(app, deps);
  registerAliasRoutes(app, deps);
  registerRoutingRoutes(app, deps);
  registerPriceRoutes(app, deps);
  registerBudgetRoutes(app, deps);
  registerUsageRoutes(app, deps);
  registerLogRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerTeamAndKeyRoutes(app, deps);
  registerAdminTokenRoutes(app, deps);
  registerIdentityRoutes(app, deps);
  permissions = routePermissions(app, '/admin/v1');

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Junction admin API',
      version: '1',
      description: 'Manage provider entries, models, teams and API keys of a Junction gateway.',
    },
  });
  // A sub-app's notFound is not consulted once it is mounted with `route()`; this catch-all (registered last)
  // keeps unknown admin routes on problem+json instead of the host app's plain-text 404.
  app.all('*', noRoute);
  return app;
}

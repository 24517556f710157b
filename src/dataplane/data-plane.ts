/**
 * The data plane: OpenAI-compatible endpoints served from the in-memory snapshot. Per request it
 * authenticates (before reading any body), reads the body under a limit, validates, resolves the model,
 * plans attempts over the model's pool and executes them. It never awaits the store.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../core/errors/gateway-error.js';
import { withFields } from '../core/objects.js';
import { validateChatRequest, validateEmbeddingsRequest } from '../core/request/validate.js';
import { explainRoute } from '../core/routing/explain.js';
import { planAttempts } from '../core/routing/plan-attempts.js';
import { type PlannedAttempt, planRoute } from '../core/routing/plan-route.js';
import type { RouteRequest } from '../core/routing/policy.js';
import { refusal } from '../core/routing/refusal.js';
import type { CompiledKey, CompiledModel, Deployment, GatewaySnapshot } from '../core/snapshot/snapshot.js';
import type { DeploymentVerification, ModelVerification } from '../core/verification.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../core/wire/openai.js';
import type { HealthBoard } from '../health/health-board.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { captureRecord } from '../usage/capture.js';
import type { UsageRecord } from '../usage/record.js';
import type { SpoolLine } from '../usage/spool.js';
import { type AuthorizerOptions, createAuthorizer } from './auth/authorize.js';
import { type AuthThrottleOptions, createAuthThrottle } from './auth-throttle.js';
import { authenticate } from './authenticate.js';
import { type AttemptRecord, type ExecutionResult, executePlan } from './execute.js';
import type { Governor } from './governance.js';
import { CapturedResponse } from './http/captured-response.js';
import { ClientAbort } from './http/client-abort.js';
import { asGatewayError, sendError, sendJsonText, setAnswerHeaders } from './http/reply.js';
import { readBody } from './http/request-body.js';
import { type ResponseTap, tapResponse } from './http/response-tap.js';
import { modelListFor } from './model-list.js';
import { watchOutliers } from './outlier-probes.js';
import { reportAttempt } from './report-attempt.js';
import { createRequestMetrics } from './request-metrics.js';
import type { SnapshotHolder } from './snapshot-holder.js';
import { createEchoUpstream } from './upstream/echo-upstream.js';
import { createHttpUpstream } from './upstream/http-upstream.js';
import type { UpstreamTimeouts } from './upstream/upstream.js';
import { type RequestTrace, routeTrace, usageRecord } from './usage-record.js';

export interface DataPlaneOptions {
  snapshots: SnapshotHolder;
  metrics: GatewayMetrics;
  logger: Logger;
  maxBodyBytes: number;
  timeouts: UpstreamTimeouts;
  /** Upper bound on attempts per request. */
  maxAttempts: number;
  random?: () => number;
  /** Health shared with the checks: the planner skips unhealthy entries, and every attempt reports into it. */
  health?: HealthBoard;
  /** Options of the auth decorator (tests point Google token requests at a local fake). */
  auth?: AuthorizerOptions;
  /**
   * Receives one usage record per chat or embeddings request (the usage spool), and the redacted bodies of
   * requests whose key or team has capture on; none are made without it.
   */
  usage?: { append(line: SpoolLine): void };
  /** Most bytes of each captured body (request and answer) kept in the request log; default 256 KiB. */
  captureMaxBytes?: number;
  /** Resolves upstream host names (tests inject one; the system resolver otherwise). */
  lookup?: import('node:net').LookupFunction;
  /** Failed-authentication throttling per client address; absent or `limit` 0: off. */
  authThrottle?: AuthThrottleOptions;
  /** Budgets and per-minute limits; without it keys are held to neither. */
  governor?: Governor;
  /**
   * Usage records are priced from the snapshot's prices, and where they have none from the price table shipped
   * with Junction unless this is false (`JUNCTION_DEFAULT_PRICES`); default true.
   */
  defaultPrices?: boolean;
}

export interface DataPlane {
  handle(request: IncomingMessage, response: ServerResponse): void;
  /**
   * Sends a short request for `model` in `environment` through the real path and reports how it went; with
   * `eachDeployment`, also one request to each member of the pool alone.
   */
  verify(
    model: string,
    environment: string,
    options?: { eachDeployment?: boolean },
  ): Promise<ModelVerification>;
  /** Requests being served right now. */
  inFlight(): number;
  /**
   * Resolves at once while no metered request is being served, otherwise when the last one in flight ends: the
   * moment for background work on this thread (the usage drainer) that would otherwise hold up a request.
   */
  whenIdle(): Promise<void>;
  close(): Promise<void>;
}

type Endpoint = 'chat' | 'embeddings';

/**
 * Every route of the data plane. `metered` routes run inference: they are authenticated, held to the key's
 * budgets and per-minute limits, and recorded in usage; the others only read (test plan B5 checks the table).
 */
export const DATA_PLANE_ROUTES = [
  { path: '/v1/chat/completions', method: 'POST', endpoint: 'chat', metered: true },
  { path: '/v1/embeddings', method: 'POST', endpoint: 'embeddings', metered: true },
  { path: '/v1/models', method: 'GET', endpoint: 'models', metered: false },
  { path: '/v1/routing/explain', method: 'POST', endpoint: 'explain', metered: false },
] as const;
const ROUTES_BY_PATH: ReadonlyMap<string, (typeof DATA_PLANE_ROUTES)[number]> = new Map(
  DATA_PLANE_ROUTES.map((route) => [route.path, route]),
);
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Creates the data plane handler and its upstream clients. */
export function createDataPlane(options: DataPlaneOptions): DataPlane {
  const { snapshots, logger } = options;
  const record = createRequestMetrics(options.metrics);
  const http = createHttpUpstream(options.timeouts, { lookup: options.lookup });
  const echo = createEchoUpstream(options.timeouts);
  const authorizer = createAuthorizer(options.auth);
  const random = options.random ?? Math.random;
  const captureMaxBytes = options.captureMaxBytes ?? DEFAULT_CAPTURE_MAX_BYTES;
  const shippedPrices = options.defaultPrices ?? true;
  const throttle = createAuthThrottle(options.authThrottle ?? { limit: 0, windowMs: 0, blockMs: 0 });
  let inFlight = 0;
  /** One promise shared by every `whenIdle` caller until the count next falls to zero. */
  let idle: { promise: Promise<void>; resolve: () => void } | undefined;

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const started = performance.now();
    const incomingId = request.headers['x-request-id'];
    const requestId =
      typeof incomingId === 'string' && REQUEST_ID_PATTERN.test(incomingId) ? incomingId : randomUUID();
    // Written with the answer, whichever it is (`sendJsonText`, or the executor's `writeHead`).
    const snapshot = snapshots.current;
    if (!snapshot) {
      setAnswerHeaders(response, ['x-request-id', requestId]);
      sendError(response, new GatewayError('not_ready', 'The gateway has no configuration yet'));
      return;
    }
    setAnswerHeaders(response, [
      'x-request-id',
      requestId,
      'x-junction-snapshot-version',
      String(snapshot.version),
    ]);

    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const method = request.method ?? 'GET';
    const route = ROUTES_BY_PATH.get(path);
    if (!route) {
      drain(request, response);
      sendError(response, new GatewayError('not_found', `There is no route ${method} ${path}`));
      return;
    }
    const endpoint = route.endpoint;
    const expected = route.method;
    if (method !== expected) {
      response.setHeader('allow', expected);
      drain(request, response);
      sendError(response, new GatewayError('method_not_allowed', `${path} accepts ${expected} only`));
      return;
    }

    // An address blocked after too many failed authentications is refused before its key is even hashed, valid
    // or not, so a brute-forcer learns nothing while blocked.
    const address = request.socket.remoteAddress;
    const blockedMs = throttle.blockedFor(address);
    if (blockedMs > 0) {
      const seconds = Math.ceil(blockedMs / 1000);
      drain(request, response);
      record.request(endpoint, '', '', 429);
      record.error(endpoint, '', '', 'too_many_failed_authentications');
      sendError(
        response,
        new GatewayError(
          'too_many_failed_authentications',
          `Too many failed authentications from this address; retry after ${seconds} s.`,
          { headers: { 'retry-after': String(seconds) } },
        ),
      );
      return;
    }
    let key: CompiledKey;
    try {
      key = authenticate(request.headers, snapshot, Date.now());
    } catch (error) {
      throttle.recordFailure(address);
      // Nothing of an unauthenticated body is read: answer and close the connection.
      drain(request, response);
      record.request(endpoint, '', '', 401);
      sendError(response, asGatewayError(error));
      return;
    }
    if (endpoint === 'models') {
      const list = modelListFor(snapshot, key);
      record.request(endpoint, '', '', 200);
      sendJsonText(response, 200, list);
      return;
    }
    if (endpoint === 'explain') {
      explain(request, response, snapshot, key).catch((error: unknown) => {
        replyError(response, error, requestId);
      });
      return;
    }
    inFlight++;
    record.inFlight(endpoint, 1);
    const capture =
      key.captureBodies && options.usage
        ? newCapture(response, captureMaxBytes * STREAM_TAP_FACTOR)
        : undefined;
    // What serve() learned before failing (the model asked for, the routing decision), for the usage record.
    const trace: RequestTrace = { arrivedAt: Date.now(), requestedModel: null, route: null };
    serve(request, response, snapshot, key, endpoint, requestId, started, capture, trace)
      .catch((error: unknown) => {
        const gatewayError = replyError(response, error, requestId, (refusal) =>
          // Refused before (or failing outside) execution: still one usage record, with no tokens.
          appendUsage(
            usageRecord(
              {
                requestId,
                started,
                key,
                endpoint,
                requestedModel: trace.requestedModel,
                stream: false,
                prices: snapshot.prices,
                shippedPrices,
              },
              { backend: undefined, status: refusal.status, attempts: [], usage: undefined, error: refusal },
              undefined,
              trace,
            ),
            capture,
          ),
        );
        record.request(endpoint, '', '', gatewayError.status);
        record.error(endpoint, '', '', gatewayError.code);
      })
      .finally(() => {
        inFlight--;
        record.inFlight(endpoint, -1);
        if (inFlight === 0 && idle) {
          const { resolve } = idle;
          idle = undefined;
          resolve();
        }
        if (capture) appendCapture(capture, requestId);
      });
  };

  const appendUsage = (usage: UsageRecord, capture: RequestCapture | undefined) => {
    if (capture) capture.record = usage;
    options.usage?.append(usage);
  };

  /** The request's redacted bodies, after its usage record (a capture that fails loses only itself). */
  const appendCapture = (capture: RequestCapture, requestId: string) => {
    const usage = capture.record;
    if (!usage || !options.usage) return;
    try {
      options.usage.append(
        captureRecord({
          id: usage.id,
          requestId: usage.requestId,
          at: usage.at,
          keyId: usage.keyId,
          teamId: usage.teamId,
          requestText: capture.requestText,
          responseText: capture.tap.text(),
          stream: usage.stream && usage.status === 200,
          responseCut: capture.tap.cut,
          maxBytes: captureMaxBytes,
        }),
      );
    } catch (error) {
      logger.error({ err: error, requestId }, 'the request bodies could not be captured');
    }
  };

  /**
   * Answers a request that failed outside execution with its error in OpenAI's format (logging only the
   * gateway's own faults, closing the connection after an oversized body); `before` runs just before the answer.
   */
  const replyError = (
    response: ServerResponse,
    error: unknown,
    requestId: string,
    before?: (error: GatewayError) => void,
  ): GatewayError => {
    const gatewayError = asGatewayError(error);
    if (gatewayError.code === 'internal_error') logger.error({ err: error, requestId }, 'request failed');
    if (gatewayError.code === 'body_too_large') response.setHeader('connection', 'close');
    before?.(gatewayError);
    sendError(response, gatewayError);
    return gatewayError;
  };

  /**
   * `POST /v1/routing/explain`: how the key's own request (the body it would send to chat completions or
   * embeddings, with its headers) would be routed now, without sending it anywhere.
   */
  const explain = async (
    request: IncomingMessage,
    response: ServerResponse,
    snapshot: GatewaySnapshot,
    key: CompiledKey,
  ): Promise<void> => {
    const { route } = await readAndPlan(request, snapshot, key, (body) =>
      typeof body === 'object' && body !== null && 'input' in body && !('messages' in body)
        ? 'embeddings'
        : 'chat',
    );
    sendJsonText(response, 200, JSON.stringify(explainRoute(route, options.health)));
  };

  /**
   * Reads, parses and validates the body, and plans its route under the key's policy; a capture gets the body
   * as soon as it is read (so a request refused as invalid is captured too).
   */
  const readAndPlan = async (
    request: IncomingMessage,
    snapshot: GatewaySnapshot,
    key: CompiledKey,
    endpointOf: (body: unknown) => Endpoint,
    capture?: RequestCapture,
  ) => {
    const text = await readBody(request, options.maxBodyBytes);
    if (capture) capture.requestText = text;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new GatewayError('invalid_json', 'The body is not valid JSON');
    }
    const endpoint = endpointOf(body);
    const parsed = endpoint === 'chat' ? validateChatRequest(body) : validateEmbeddingsRequest(body);
    const route = planRoute({
      request: routeRequest(parsed, request.headers),
      key,
      snapshot,
      refuse: (model) => refusal(parsed, model, endpoint),
      random,
      maxAttempts: Math.min(options.maxAttempts, key.routing?.execution?.maxAttempts ?? options.maxAttempts),
      health: options.health,
    });
    return { text, parsed, route };
  };

  const serve = async (
    request: IncomingMessage,
    response: ServerResponse,
    snapshot: GatewaySnapshot,
    key: CompiledKey,
    endpoint: Endpoint,
    requestId: string,
    started: number,
    capture: RequestCapture | undefined,
    trace: RequestTrace,
  ): Promise<void> => {
    const { text, parsed, route } = await readAndPlan(request, snapshot, key, () => endpoint, capture);
    trace.requestedModel = parsed.model;
    trace.route = routeTrace(route);
    if (!route.ok) throw route.error;
    const plan = route.attempts;
    // Metrics are labelled with names from the snapshot, never with what the caller sent.
    const model = plan[0]!.model;
    const stream = endpoint === 'chat' && parsed.stream === true;
    // Budgets and per-minute limits, before anything is sent (a refusal throws its 429 or 503).
    const admission =
      key.governance && options.governor
        ? await options.governor.admit(
            key as CompiledKey & { governance: NonNullable<CompiledKey['governance']> },
            parsed,
            text.length,
            plan,
            snapshot,
          )
        : undefined;
    const abort = new ClientAbort();
    const onClose = () => {
      if (!response.writableFinished) abort.abort();
    };
    response.on('close', onClose);
    let recorded = false;
    const recordUsage = (outcome: ExecutionResult) => {
      if (recorded || !options.usage) return;
      recorded = true;
      const serving = plan.find((attempt) => attempt.deployment === outcome.backend)?.model ?? model;
      appendUsage(
        usageRecord(
          {
            requestId,
            started,
            key,
            endpoint,
            // From the trace, not `parsed`: a closure over `parsed` would hold the request for a stream's life.
            requestedModel: trace.requestedModel,
            stream,
            prices: snapshot.prices,
            shippedPrices,
          },
          outcome,
          serving,
          trace,
        ),
        capture,
      );
    };
    /** Settles the reservation to the actual cost (or releases it when the request failed before an answer). */
    const settle = (settled: ExecutionResult | undefined) => {
      if (!admission) return;
      options.governor!.settle(
        admission,
        {
          usage: settled?.usage,
          // A stream cut after its first content was answered (in part); an error before any answer cost nothing.
          answered: settled !== undefined && settled.error === undefined,
          backend: settled?.backend,
          model:
            plan.find((attempt) => attempt.deployment === settled?.backend)?.model.version ?? model.version,
        },
        snapshot,
      );
    };
    // Returned, not awaited: a stream lasts seconds to minutes, and a suspended async function would hold its
    // whole frame for as long.
    return executePlan({
      plan,
      endpoint,
      rule: route.rule,
      ...(key.routing?.execution ? { execution: key.routing.execution } : {}),
      requestId,
      request: parsed,
      bodyText: text,
      stream,
      clientHeaders: request.headers,
      signal: abort.signal,
      response,
      http,
      echo,
      authorizer,
      timeouts: options.timeouts,
      baseHeaders: {},
      onAttempt: options.health ? reportAttempt(options.health) : undefined,
      beforeComplete: recordUsage,
    }).then(
      (result) => {
        settle(result);
        recordUsage(result);
        response.off('close', onClose);
        // A stream given up on (idle timeout, cut) may still have an in-process upstream waiting on the signal.
        if (result.streamEnd === 'timeout' || result.streamEnd === 'interrupted') abort.abort();
        if (result.error) sendError(response, result.error);
        recordResult(endpoint, model, result, started);
      },
      (error: unknown) => {
        settle(undefined);
        throw error;
      },
    );
  };

  const recordResult = (
    endpoint: Endpoint,
    model: CompiledModel,
    result: ExecutionResult,
    started: number,
  ) => {
    const backend = result.backend?.id ?? '';
    record.request(endpoint, model.id, backend, result.status);
    record.timing(
      endpoint,
      model.id,
      backend,
      (performance.now() - started) / 1000,
      result.firstByteMs === undefined ? undefined : result.firstByteMs / 1000,
    );
    for (const attempt of result.attempts) record.attempt(attempt.backend, attempt.outcome);
    if (result.usage) {
      record.tokens(
        endpoint,
        model.id,
        backend,
        result.usage.prompt_tokens ?? 0,
        result.usage.completion_tokens ?? 0,
      );
    }
    if (result.error) record.error(endpoint, model.id, backend, result.error.code);
    else if (result.streamEnd && result.streamEnd !== 'complete' && result.streamEnd !== 'cancelled') {
      record.error(
        endpoint,
        model.id,
        backend,
        result.streamEnd === 'timeout' ? 'upstream_timeout' : 'stream_interrupted',
      );
    }
  };

  const verify = async (
    name: string,
    environment: string,
    verifyOptions: { eachDeployment?: boolean } = {},
  ): Promise<ModelVerification> => {
    const snapshot = snapshots.current;
    if (!snapshot) throw new GatewayError('not_ready', 'The gateway has no configuration yet');
    const model = snapshot.models.get(name);
    if (!model)
      throw new GatewayError('model_not_found', `The model \`${name}\` does not exist or is disabled.`);
    const plan = planAttempts({
      model,
      environment,
      random,
      maxAttempts: options.maxAttempts,
      health: options.health,
    });
    const onAttempt = options.health ? reportAttempt(options.health) : undefined;
    const overall = await sample(
      name,
      model,
      environment,
      plan.map((deployment) => ({ deployment, model })),
      onAttempt,
    );
    if (!verifyOptions.eachDeployment) return overall;
    const deployments = await Promise.all(
      model.deployments.map((deployment) => verifyMember(name, model, environment, deployment, onAttempt)),
    );
    return withFields(overall, { deployments });
  };

  /** One member of the pool on its own, or why it cannot be tried from here. */
  const verifyMember = async (
    name: string,
    model: CompiledModel,
    environment: string,
    deployment: Deployment,
    onAttempt: ((deployment: Deployment, attempt: AttemptRecord) => void) | undefined,
  ): Promise<DeploymentVerification> => {
    const member = { providerId: deployment.provider.id, upstreamModel: deployment.upstreamModel };
    const skipped = !deployment.provider.enabled
      ? `the provider entry ${deployment.provider.id} is disabled`
      : !deployment.provider.environments.has(environment)
        ? `the provider entry ${deployment.provider.id} is not active in ${environment}`
        : deployment.provider.auth.kind === 'passthrough'
          ? "a BYOK member needs the caller's own provider key"
          : undefined;
    if (skipped) return withFields(member, { skipped, ok: false, status: 0, latencyMs: 0 });
    const result = await sample(name, model, environment, [{ deployment, model }], onAttempt);
    const { ok, status, latencyMs, answer, dimension, dimensionMatches, error } = result;
    return withFields(member, { ok, status, latencyMs, answer, dimension, dimensionMatches, error });
  };

  /**
   * Sends a short request (a one-word chat, or a one-word embedding) along `plan` through the real path, with a
   * captured response, and reports how it went.
   */
  const sample = async (
    name: string,
    model: CompiledModel,
    environment: string,
    plan: PlannedAttempt[],
    onAttempt: ((deployment: Deployment, attempt: AttemptRecord) => void) | undefined,
  ): Promise<ModelVerification> => {
    const endpoint: Endpoint = model.kind === 'embedding' ? 'embeddings' : 'chat';
    const request =
      endpoint === 'chat'
        ? {
            model: name,
            messages: [{ role: 'user' as const, content: 'Reply with the single word: ok' }],
            max_tokens: 16,
          }
        : { model: name, input: 'Junction verification' };
    const base = { ok: false, model: name, version: model.version, environment, attempts: 0 };
    if (plan.length === 0) {
      return withFields(base, {
        backend: null,
        status: 503,
        latencyMs: 0,
        error: { code: 'no_backend_available', message: `No backend of ${name} is active in ${environment}` },
      });
    }
    const captured = new CapturedResponse();
    const started = performance.now();
    const result = await executePlan({
      plan,
      endpoint,
      requestId: `verify-${randomUUID()}`,
      request: request as ChatCompletionRequest | EmbeddingsRequest,
      bodyText: JSON.stringify(request),
      stream: false,
      clientHeaders: {},
      signal: AbortSignal.timeout(options.timeouts.firstByteMs + options.timeouts.connectMs),
      response: captured.asServerResponse(),
      http,
      echo,
      authorizer,
      timeouts: options.timeouts,
      baseHeaders: {},
      onAttempt,
    });
    const latencyMs = Math.round(performance.now() - started);
    const outcome = withFields(base, {
      backend: result.backend?.id ?? null,
      attempts: result.attempts.length,
      status: result.status,
      latencyMs,
    });
    if (result.error)
      return withFields(outcome, { error: { code: result.error.code, message: result.error.message } });
    try {
      const body = JSON.parse(captured.text()) as {
        choices?: Array<{ message?: { content?: string | null } }>;
        data?: Array<{ embedding?: number[] }>;
      };
      if (endpoint === 'chat')
        return withFields(outcome, {
          ok: true,
          answer: (body.choices?.[0]?.message?.content ?? '').slice(0, 200),
        });
      const dimension = body.data?.[0]?.embedding?.length ?? 0;
      return withFields(outcome, {
        ok: dimension === model.dimension,
        dimension,
        dimensionMatches: dimension === model.dimension,
      });
    } catch {
      return withFields(outcome, {
        error: { code: 'upstream_bad_response', message: 'The answer was not JSON' },
      });
    }
  };

  const stopProbes = options.health
    ? watchOutliers(options.health, {
        logger,
        metrics: options.metrics,
        probe: async (deploymentId) => {
          const found = snapshots.current?.deploymentsById.get(deploymentId);
          if (!found) return 'gone';
          const { deployment, model } = found;
          // A BYOK member cannot be probed without a caller's key: it rejoins when its period ends.
          if (deployment.provider.auth.kind === 'passthrough') return { ok: true };
          const environment = [...deployment.provider.environments][0] ?? 'production';
          const outcome = await sample(model.id, model, environment, [{ deployment, model }], undefined);
          if (outcome.ok) options.health?.reportTraffic(deployment.provider.id, true);
          return outcome.ok
            ? { ok: true }
            : {
                ok: false,
                diagnostic: {
                  stage: 'http',
                  message: `The probe failed: ${outcome.error?.message ?? `HTTP ${outcome.status}`}`.slice(
                    0,
                    500,
                  ),
                  httpStatus: outcome.status,
                },
              };
        },
      })
    : undefined;

  return {
    handle,
    verify,
    inFlight: () => inFlight,
    whenIdle: () => {
      if (inFlight === 0) return Promise.resolve();
      if (!idle) {
        let resolve!: () => void;
        const promise = new Promise<void>((done) => {
          resolve = done;
        });
        idle = { promise, resolve };
      }
      return idle.promise;
    },
    close: () => {
      stopProbes?.();
      throttle.close();
      return http.close();
    },
  };
}

/** The bodies of one request whose key has capture on, gathered while it is served. */
interface RequestCapture {
  tap: ResponseTap;
  requestText: string | null;
  /** The request's usage record, once made (the capture is stored under its id). */
  record: UsageRecord | undefined;
}

const newCapture = (response: ServerResponse, maxBytes: number): RequestCapture => ({
  tap: tapResponse(response, maxBytes),
  requestText: null,
  record: undefined,
});

const DEFAULT_CAPTURE_MAX_BYTES = 256 * 1024;

/**
 * How much more of an answer than the capture limit the tap keeps: an event stream carries several times its
 * content in framing, and is assembled into one answer before the limit applies.
 */
const STREAM_TAP_FACTOR = 4;

/** The parts of a request that routing rules match on. */
function routeRequest(
  request: ChatCompletionRequest | EmbeddingsRequest,
  headers: IncomingMessage['headers'],
): RouteRequest {
  const tagHeader = headers['x-junction-tags'];
  const metadata = request.metadata;
  return {
    model: request.model,
    header: (name) => {
      const value = headers[name];
      return typeof value === 'string' ? value : undefined;
    },
    metadata:
      metadata && typeof metadata === 'object' && !Array.isArray(metadata)
        ? Object.fromEntries(
            Object.entries(metadata).filter(
              (entry): entry is [string, string] => typeof entry[1] === 'string',
            ),
          )
        : undefined,
    tags:
      typeof tagHeader === 'string'
        ? tagHeader
            .split(',')
            .map((tag) => tag.trim())
            .filter(Boolean)
        : [],
  };
}

/** Discards an unread request body and closes the connection after the answer. */
function drain(request: IncomingMessage, response: ServerResponse): void {
  if (request.complete) return;
  const length = request.headers['content-length'];
  if (length === undefined && request.headers['transfer-encoding'] === undefined) return;
  if (length === '0') return;
  response.setHeader('connection', 'close');
}

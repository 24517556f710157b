/**
 * Runs a request's attempt plan: each deployment in turn until one answers. Per attempt the provider's adapter
 * builds the upstream request (translation runs again on every fallback), the auth decorator authenticates it,
 * and the answer is relayed (OpenAI-speaking upstreams) or translated back. It moves on after a connection
 * failure, a timeout, a 429 or a 5xx, or when a member cannot serve the request at all, and never once the
 * first byte has gone to the client.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError, toOpenAIError } from '../core/errors/gateway-error.js';
import { withFields } from '../core/objects.js';
import type {
  BuildResult,
  ProviderAdapter,
  ResponseContext,
  UpstreamRequest,
} from '../core/providers/adapter.js';
import { checkEmbeddingDimension } from '../core/providers/embedding-dimension.js';
import { encodeEmbeddingsBase64 } from '../core/providers/embedding-encoding.js';
import { adapterFor } from '../core/providers/registry.js';
import type { PlannedAttempt } from '../core/routing/plan-route.js';
import { DEFAULT_UNCERTAIN_AFTER_MS, type ExecutionPolicy } from '../core/routing/policy.js';
import type { CompiledModel, Deployment } from '../core/snapshot/snapshot.js';
import { formatSseError } from '../core/sse/sse-writer.js';
import {
  completionGeneratedChars,
  estimateChatPromptTokens,
  estimatedUsage,
  estimateEmbeddingsPromptTokens,
} from '../core/text/estimate-usage.js';
import { redactSecrets } from '../core/text/redact.js';
import type {
  ChatCompletionRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
  Usage,
} from '../core/wire/openai.js';
import type { Authorizer } from './auth/authorize.js';
import { routeHeaders, writeAnswerHead } from './http/answer-headers.js';
import {
  openaiStreamTranslator,
  readOpening,
  type StreamEnd,
  sseEventDecoder,
  translatedStreamTranslator,
} from './relay-stream.js';
import { relayAnswer, streamResult } from './stream-answer.js';
import { AwsEventStreamDecoder, loadAwsEventStreamCodec } from './upstream/aws-event-stream.js';
import { destroyBody } from './upstream/destroy-body.js';
import { classify, type HttpUpstream } from './upstream/http-upstream.js';
import {
  type AttemptContext,
  AttemptFailure,
  type UpstreamCaller,
  type UpstreamResponse,
  type UpstreamTimeouts,
} from './upstream/upstream.js';

/** Largest upstream body read into memory (non-streamed answers, error bodies). */
const MAX_UPSTREAM_BODY_BYTES = 32 * 1024 * 1024;
/** Error bodies are only read for their message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface AttemptRecord {
  backend: string;
  /**
   * `skipped`: the member could not serve this request and nothing was sent (a capability it lacks, no caller key
   * for a BYOK member); `credential`: no credential could be obtained for it (e.g. a token endpoint failed);
   * `deadline`: the request's overall deadline passed while the attempt was under way (the gateway cut it).
   */
  outcome: 'success' | 'http-error' | 'skipped' | 'credential' | 'deadline' | AttemptFailure['kind'];
  status?: number;
  /** The wait a 429 asked for, in milliseconds. */
  retryAfterMs?: number;
}

export interface ExecutionResult {
  /** The deployment that served, or the last one tried. */
  backend: Deployment | undefined;
  status: number;
  attempts: AttemptRecord[];
  /**
   * The answer's token usage: the provider's, or, for an answer it reported none for (a stream without or cut
   * before its usage chunk, a JSON answer without `usage`), an estimate from the request's text and the
   * generated text the client was sent, with `usageEstimated` set.
   */
  usage: Usage | undefined;
  /** `usage` (or its completion part) is Junction's estimate, not the provider's count. */
  usageEstimated?: boolean;
  streamEnd?: StreamEnd;
  error?: GatewayError;
  /** Milliseconds from the start of execution to the first byte sent to the client. */
  firstByteMs?: number;
}

export interface ExecuteInput {
  plan: readonly PlannedAttempt[];
  endpoint: 'chat' | 'embeddings';
  /** The routing rule that chose the plan, reported in `x-junction-route`. */
  rule?: string | null;
  /** What moves on to the next attempt, and the budget of all attempts (the key's policy). */
  execution?: ExecutionPolicy;
  requestId: string;
  /** The client's parsed, validated body. */
  request: ChatCompletionRequest | EmbeddingsRequest;
  /** The client's body as received. */
  bodyText: string;
  stream: boolean;
  clientHeaders: IncomingHttpHeaders;
  signal: AbortSignal;
  response: ServerResponse;
  http: HttpUpstream;
  echo: UpstreamCaller;
  authorizer: Authorizer;
  timeouts: UpstreamTimeouts;
  /** Headers every answer carries (request id, snapshot version). */
  baseHeaders: Readonly<Record<string, string>>;
  /** Told of every attempt's outcome (health feedback). */
  onAttempt?: (deployment: Deployment, attempt: AttemptRecord) => void;
  /**
   * Called with the outcome of a successful answer just before its last bytes go to the client (the end of a JSON
   * answer, a stream's `[DONE]`), so what records it is written before the client can see the answer complete.
   */
  beforeComplete?: (result: ExecutionResult) => void;
}

/** Whether a failure of this kind moves on to the next attempt under the policy. */
function movesOn(
  execution: ExecutionPolicy | undefined,
  kind: 'connect' | 'timeout' | 'rate-limit' | 'server-error',
): boolean {
  return execution?.retryOn ? execution.retryOn.includes(kind) : true;
}

/** Whether a failure came too late to re-run under the policy's `fallbackWithinMs` ("fall back only on fast failures"). */
function slowFailure(execution: ExecutionPolicy | undefined, attemptStarted: number): boolean {
  return (
    execution?.fallbackWithinMs !== undefined &&
    performance.now() - attemptStarted > execution.fallbackWithinMs
  );
}

/**
 * The wait a 429 asks for: `retry-after-ms` (OpenAI, Azure), or `Retry-After` in seconds or as an HTTP date;
 * undefined when it names none.
 */
export function retryAfterMs(
  headers: Readonly<Record<string, string | string[] | undefined>> | undefined,
  now: number,
): number | undefined {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const milliseconds = first(headers?.['retry-after-ms'])?.trim();
  if (milliseconds !== undefined && /^\d+(\.\d+)?$/.test(milliseconds))
    return Math.ceil(Number(milliseconds));
  const value = first(headers?.['retry-after'])?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The longest `Retry-After` the gateway waits for, even within a larger deadline. */
const MAX_RETRY_AFTER_MS = 30_000;

/** What an attempt that answered 2xx needs to turn the answer into the client's. */
interface Answer {
  deployment: Deployment;
  model: CompiledModel;
  adapter: ProviderAdapter;
  framing: UpstreamRequest['framing'];
  warnings: readonly string[];
  upstream: UpstreamResponse;
}

/** Executes the plan and writes the answer (or the error) to the client. */
export async function executePlan(input: ExecuteInput): Promise<ExecutionResult> {
  const { plan } = input;
  const started = performance.now();
  const attempts: AttemptRecord[] = [];
  const note = (deployment: Deployment, attempt: AttemptRecord) => {
    attempts.push(attempt);
    input.onAttempt?.(deployment, attempt);
  };
  let lastError: GatewayError | undefined;
  let backend: Deployment | undefined;
  let backendModel: CompiledModel | undefined;

  const deadline =
    input.execution?.deadlineMs === undefined ? undefined : started + input.execution.deadlineMs;
  const guard = deadline === undefined ? undefined : new DeadlineGuard(input.signal, deadline - started);
  const signal = guard?.signal ?? input.signal;
  const commit = () => guard?.commit();
  /** A stream handed over to the relay: the guard is disposed when it ends. */
  let relaying: Promise<ExecutionResult> | undefined;
  const deadlineError = () =>
    new GatewayError(
      'upstream_timeout',
      `The routing deadline of ${input.execution?.deadlineMs} ms passed before an upstream answered`,
    );
  try {
    for (let index = 0; index < plan.length; index++) {
      const { deployment, model } = plan[index]!;
      const attemptStarted = performance.now();
      if (deadline !== undefined && index > 0 && performance.now() >= deadline) {
        lastError = deadlineError();
        break;
      }
      backend = deployment;
      backendModel = model;
      const isLast = index === plan.length - 1;
      const adapter = adapterFor(deployment.provider.type);
      try {
        let framing: UpstreamRequest['framing'] = 'openai';
        let warnings: readonly string[] = [];
        let upstream: UpstreamResponse;
        if (deployment.provider.type === 'echo') {
          upstream = await input.echo(echoContext(input, deployment, model, signal));
        } else {
          const sent = await sendAttempt(input, adapter, deployment, signal);
          if (!sent.ok) {
            note(deployment, { backend: deployment.id, outcome: sent.outcome });
            lastError = sent.error;
            continue;
          }
          ({ framing, warnings, upstream } = sent);
        }
        if (upstream.statusCode >= 200 && upstream.statusCode < 300) {
          const outcome = await answer(
            input,
            { deployment, model, adapter, framing, warnings, upstream },
            attempts,
            note,
            started,
            commit,
            (kind) => !isLast && (kind === 'reset' || movesOn(input.execution, kind)),
          );
          if (outcome.kind === 'done') return outcome.result;
          if (outcome.kind === 'relay') {
            // The stream is under way: this function returns now rather than wait for it, as a suspended async
            // function holds its whole frame for as long as it waits. The guard forwards a client's abort to the
            // upstream until the stream ends.
            relaying = guard ? disposedAfter(outcome.done, guard) : outcome.done;
            return relaying;
          }
          lastError = outcome.error;
          continue;
        }
        const errorText = await readText(upstream.body, MAX_ERROR_BODY_BYTES, true).catch(() => '');
        const status = upstream.statusCode;
        const waitMs = status === 429 ? retryAfterMs(upstream.headers, Date.now()) : undefined;
        note(deployment, {
          backend: deployment.id,
          outcome: 'http-error',
          status,
          ...(waitMs === undefined ? {} : { retryAfterMs: waitMs }),
        });
        lastError = upstreamHttpError(upstream, errorText, deployment, adapter);
        const kind = status === 429 ? 'rate-limit' : status >= 500 ? 'server-error' : undefined;
        if (!kind || !movesOn(input.execution, kind) || isLast) break;
        if (
          kind === 'server-error' &&
          !input.execution?.replayUncertain &&
          performance.now() - attemptStarted >
            (input.execution?.uncertainAfterMs ?? DEFAULT_UNCERTAIN_AFTER_MS)
        ) {
          // So slow an error may come after the work was done (and billed): not re-run unless the policy says so.
          break;
        }
        const next = plan[index + 1]!;
        if (kind === 'rate-limit' && next.deployment.provider.id === deployment.provider.id) {
          // The next attempt goes to the same entry: not before its Retry-After, and only when the wait fits the
          // deadline; otherwise the request ends here rather than retry early.
          if (waitMs !== undefined && waitMs > 0) {
            const fits =
              deadline !== undefined && waitMs <= MAX_RETRY_AFTER_MS && performance.now() + waitMs < deadline;
            if (!fits) break;
            await sleep(waitMs, undefined, { signal }).catch(() => undefined);
          }
        }
        if (slowFailure(input.execution, attemptStarted)) break;
      } catch (caught) {
        if (guard?.passed && !input.signal.aborted) {
          // The gateway cut the attempt: it says nothing about the upstream, and nothing is tried after the deadline.
          note(deployment, { backend: deployment.id, outcome: 'deadline' });
          lastError = deadlineError();
          break;
        }
        const failure = classify(caught);
        note(deployment, { backend: deployment.id, outcome: failure.kind });
        if (failure.kind === 'aborted' || input.signal.aborted) {
          return { backend, status: 499, attempts, usage: undefined, streamEnd: 'cancelled' };
        }
        if (failure.uncertain && !input.execution?.replayUncertain) {
          // The request was sent and may have been processed (and billed): it is not sent again unless the policy says so.
          lastError = new GatewayError(
            'upstream_error',
            `The connection to ${deployment.id} broke after the request was sent; it may have been processed, so it was not sent again`,
          );
          break;
        }
        const retryKind =
          failure.kind === 'timeout' ? 'timeout' : failure.kind === 'connect' ? 'connect' : undefined;
        const tooSlow = retryKind === 'timeout' && slowFailure(input.execution, attemptStarted);
        if (retryKind && (!movesOn(input.execution, retryKind) || tooSlow)) {
          lastError =
            failure.kind === 'timeout'
              ? new GatewayError('upstream_timeout', `The upstream ${deployment.id} did not answer in time`)
              : new GatewayError(
                  'upstream_unreachable',
                  `The upstream ${deployment.id} could not be reached`,
                );
          break;
        }
        lastError =
          failure.kind === 'timeout'
            ? new GatewayError('upstream_timeout', `The upstream ${deployment.id} did not answer in time`)
            : failure.kind === 'connect'
              ? new GatewayError('upstream_unreachable', `The upstream ${deployment.id} could not be reached`)
              : new GatewayError('upstream_error', `The connection to the upstream ${deployment.id} failed`);
      }
    }
  } finally {
    if (!relaying) guard?.dispose();
  }
  const error = lastError ?? new GatewayError('no_backend_available');
  return fail(input, backend, attempts, error, backendModel);
}

/**
 * The request's overall deadline over every attempt: a signal that aborts the attempt under way when the deadline
 * passes (or the client goes), until the answer is committed to the client, after which only the client's abort
 * counts (a stream that started is bounded by its idle timeout, not cut by the routing deadline).
 */
class DeadlineGuard {
  readonly #controller = new AbortController();
  readonly #client: AbortSignal;
  readonly #timer: NodeJS.Timeout;
  readonly #onClientAbort = () => this.#controller.abort();
  passed = false;

  constructor(client: AbortSignal, remainingMs: number) {
    this.#client = client;
    client.addEventListener('abort', this.#onClientAbort, { once: true });
    this.#timer = setTimeout(
      () => {
        this.passed = true;
        this.#controller.abort();
      },
      Math.max(0, remainingMs),
    );
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The answer is going to the client: the deadline no longer applies. */
  commit(): void {
    clearTimeout(this.#timer);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#client.removeEventListener('abort', this.#onClientAbort);
  }
}

type AnswerOutcome =
  | { kind: 'done'; result: ExecutionResult }
  /** A stream whose first content went to the client: `done` settles when the relay ends. */
  | { kind: 'relay'; done: Promise<ExecutionResult> }
  /** The attempt failed before anything reached the client, and the plan may move on. */
  | { kind: 'next'; error: GatewayError };

/** Turns a 2xx upstream answer into the client's: relayed, parsed and re-serialised, or streamed. */
async function answer(
  input: ExecuteInput,
  attempt: Answer,
  attempts: AttemptRecord[],
  note: (deployment: Deployment, attempt: AttemptRecord) => void,
  started: number,
  commit: () => void,
  canMoveOn: (kind: 'timeout' | 'server-error' | 'reset') => boolean,
): Promise<AnswerOutcome> {
  const { deployment, model, adapter, framing, upstream } = attempt;
  const { response, timeouts } = input;
  const includeUsage = (input.request as ChatCompletionRequest).stream_options?.include_usage === true;
  // Only translated answers need it; relayed ones skip the cost.
  const context = (): ResponseContext => ({
    requestedModel: input.request.model,
    responseId: `chatcmpl-${input.requestId.replace(/[^A-Za-z0-9]/g, '').slice(0, 32) || 'junction'}`,
    created: Math.floor(Date.now() / 1000),
    includeUsage,
    target: deployment.target,
  });
  /** The prompt estimate, for an answer the provider reported no usage for. */
  const promptEstimate = () =>
    input.endpoint === 'chat'
      ? estimateChatPromptTokens(input.request as ChatCompletionRequest)
      : estimateEmbeddingsPromptTokens(input.request as EmbeddingsRequest);
  const streamed =
    input.stream &&
    (framing === 'openai' ? upstream.contentType.includes('text/event-stream') : framing !== 'json');
  if (streamed) {
    if (framing === 'aws-event-stream') await loadAwsEventStreamCodec();
    const translator =
      framing !== 'openai' && adapter.createStreamMapper
        ? translatedStreamTranslator(
            framing === 'aws-event-stream' ? new AwsEventStreamDecoder() : sseEventDecoder(),
            adapter.createStreamMapper(context()),
          )
        : openaiStreamTranslator({ clientAskedUsage: includeUsage });
    // The prompt's estimate is taken now (it reads only the messages' lengths), so that the stream, which may last
    // minutes, holds a number rather than the request and its body.
    const promptTokens = promptEstimate();
    /** Commits the answer: the deadline no longer applies, and the stream's headers go out. */
    const startStream = () => {
      commit();
      writeAnswerHead(
        response,
        200,
        'text/event-stream',
        input,
        deployment,
        model,
        attempts.length,
        attempt.warnings,
      );
    };
    // Nothing is committed before the first event with content: an error or an end before it may fall back.
    const opening = await readOpening(upstream.body, translator, timeouts.idleMs);
    if (opening.kind === 'empty') {
      note(deployment, { backend: deployment.id, outcome: 'reset', status: upstream.statusCode });
      return {
        kind: 'next',
        error: new GatewayError(
          'stream_interrupted',
          'The upstream ended the stream before sending anything',
        ),
      };
    }
    if (opening.kind === 'failed') {
      const outcome: AttemptRecord =
        opening.retry === 'server-error'
          ? { backend: deployment.id, outcome: 'http-error', status: opening.error.status }
          : { backend: deployment.id, outcome: opening.retry };
      note(deployment, outcome);
      if (canMoveOn(opening.retry)) return { kind: 'next', error: opening.error };
      // Nothing left to try: the client gets what was held back and the error, as any broken stream ends.
      startStream();
      response.write(opening.out);
      response.end(formatSseError(toOpenAIError(opening.error)));
      return {
        kind: 'done',
        result: streamResult(
          deployment,
          attempts,
          translator,
          promptTokens,
          opening.end,
          performance.now() - started,
        ),
      };
    }
    note(deployment, { backend: deployment.id, outcome: 'success', status: upstream.statusCode });
    startStream();
    return {
      kind: 'relay',
      done: relayAnswer(
        response,
        upstream.body,
        opening,
        timeouts.idleMs,
        translator,
        { deployment, attempts, promptTokens, firstByteMs: performance.now() - started },
        input.beforeComplete,
      ),
    };
  }

  const text = await readText(upstream.body, MAX_UPSTREAM_BODY_BYTES);
  commit();
  let out: string;
  let usage: Usage | undefined;
  let embeddings: EmbeddingsResponse | undefined;
  /** The parsed answer (a chat's choices are read for an estimate when it has no usage). */
  let answerBody: unknown;
  if (framing === 'openai') {
    let parsed: { usage?: Usage } & Partial<EmbeddingsResponse>;
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      note(deployment, { backend: deployment.id, outcome: 'http-error', status: upstream.statusCode });
      const error = new GatewayError(
        'upstream_bad_response',
        'The upstream answered with a body that is not JSON',
      );
      return { kind: 'done', result: fail(input, deployment, attempts, error, model) };
    }
    usage = parsed.usage ?? undefined;
    answerBody = parsed;
    if (input.endpoint === 'embeddings') embeddings = parsed as EmbeddingsResponse;
    out = text;
  } else {
    const parse = input.endpoint === 'chat' ? adapter.parseChat : adapter.parseEmbeddings;
    const parsed = parse?.(text, context());
    if (!parsed?.ok) {
      note(deployment, { backend: deployment.id, outcome: 'http-error', status: upstream.statusCode });
      const error =
        parsed?.error ??
        new GatewayError('upstream_bad_response', `No translator reads ${deployment.provider.type} answers`);
      return { kind: 'done', result: fail(input, deployment, attempts, error, model) };
    }
    usage = parsed.usage;
    answerBody = parsed.body;
    let body = parsed.body;
    if (input.endpoint === 'embeddings') {
      embeddings = body as EmbeddingsResponse;
      // Providers answer floats; the client asked OpenAI for base64 (the openai SDK's default).
      if ((input.request as EmbeddingsRequest).encoding_format === 'base64')
        body = encodeEmbeddingsBase64(embeddings);
    }
    out = JSON.stringify(body);
  }
  if (embeddings) {
    const request = input.request as EmbeddingsRequest;
    const mismatch = checkEmbeddingDimension(embeddings, request.dimensions ?? model.dimension);
    if (mismatch) {
      // The member is misconfigured (another model, another size): another member may still serve.
      note(deployment, { backend: deployment.id, outcome: 'http-error', status: 502 });
      return {
        kind: 'next',
        error: new GatewayError(
          'dimension_mismatch',
          `${deployment.id} returned ${mismatch.actual}-dimensional embeddings, but ${model.id} is recorded as ${mismatch.expected}-dimensional`,
        ),
      };
    }
  }
  note(deployment, { backend: deployment.id, outcome: 'success', status: upstream.statusCode });
  const result: ExecutionResult = {
    backend: deployment,
    status: upstream.statusCode,
    attempts,
    usage,
    firstByteMs: performance.now() - started,
  };
  if (!usage) {
    // No usage in the answer: estimated from the request, and for a chat from the answer's generated text.
    result.usage = estimatedUsage(
      promptEstimate(),
      input.endpoint === 'chat' ? completionGeneratedChars(answerBody) : 0,
    );
    result.usageEstimated = true;
  }
  // The usage record is in the spool before the headers go out, as it is before any byte of the answer.
  input.beforeComplete?.(result);
  writeAnswerHead(
    response,
    upstream.statusCode,
    'application/json',
    input,
    deployment,
    model,
    attempts.length,
    attempt.warnings,
    Buffer.byteLength(out),
  );
  response.end(out);
  return { kind: 'done', result };
}

/** Disposes the guard when the stream ends (a function of its own: a closure here would hold `executePlan`'s frame). */
function disposedAfter(done: Promise<ExecutionResult>, guard: DeadlineGuard): Promise<ExecutionResult> {
  return done.finally(() => guard.dispose());
}

type SentAttempt =
  | { ok: true; framing: UpstreamRequest['framing']; warnings: readonly string[]; upstream: UpstreamResponse }
  | { ok: false; outcome: 'skipped' | 'credential'; error: GatewayError };

/**
 * Builds one attempt's upstream request, authorizes it and sends it; resolves with the upstream's answer headers.
 * The built request (with its body and headers) lives only in this frame, not for as long as the answer streams.
 */
async function sendAttempt(
  input: ExecuteInput,
  adapter: ProviderAdapter,
  deployment: Deployment,
  signal: AbortSignal,
): Promise<SentAttempt> {
  const built = build(adapter, input, deployment);
  if (!built.ok) return { ok: false, outcome: 'skipped', error: built.error };
  let authorized: Awaited<ReturnType<Authorizer['authorize']>>;
  try {
    authorized = await input.authorizer.authorize(deployment.provider, built.request, input.clientHeaders);
  } catch (error) {
    const reason = error instanceof Error ? `: ${error.message}` : '';
    return {
      ok: false,
      outcome: 'credential',
      error: new GatewayError(
        'upstream_error',
        redactSecrets(
          `No credential could be obtained for ${deployment.provider.id}${reason}`,
          deployment.provider.secrets,
        ),
      ),
    };
  }
  if (!authorized.ok) return { ok: false, outcome: 'skipped', error: authorized.error };
  const upstream = await input.http.send(
    deployment.provider.origin,
    {
      method: built.request.method,
      path: built.request.path,
      headers: withFields(authorized.headers, { 'x-request-id': input.requestId }),
      body: built.request.body,
    },
    signal,
    input.execution?.firstByteTimeoutMs,
  );
  return { ok: true, framing: built.request.framing, warnings: built.warnings, upstream };
}

function build(adapter: ProviderAdapter, input: ExecuteInput, deployment: Deployment): BuildResult {
  if (input.endpoint === 'chat') {
    return adapter.buildChat({
      request: input.request as ChatCompletionRequest,
      bodyText: input.bodyText,
      target: deployment.target,
    });
  }
  if (!adapter.buildEmbeddings) {
    return {
      ok: false,
      error: new GatewayError(
        'unsupported_parameter',
        `${deployment.provider.type} providers serve no embeddings`,
      ),
    };
  }
  return adapter.buildEmbeddings({
    request: input.request as EmbeddingsRequest,
    bodyText: input.bodyText,
    target: deployment.target,
  });
}

function echoContext(
  input: ExecuteInput,
  deployment: Deployment,
  model: CompiledModel,
  signal: AbortSignal,
): AttemptContext {
  return {
    requestId: input.requestId,
    endpoint: input.endpoint,
    deployment,
    model,
    bodyText: input.bodyText,
    body: echoBody(input),
    stream: input.stream,
    signal,
  };
}

/**
 * The request the echo provider answers: a stream asks for its usage chunk, as the OpenAI adapters ask real
 * upstreams, so echo streams are accounted with echo's own counts (the chunk is removed again for a client that
 * did not ask for it).
 */
function echoBody(input: ExecuteInput): Record<string, unknown> {
  const request = input.request as ChatCompletionRequest;
  if (!input.stream || request.stream_options?.include_usage === true) return request;
  return withFields(request, {
    stream_options: withFields(request.stream_options ?? {}, { include_usage: true }),
  });
}

function fail(
  input: ExecuteInput,
  backend: Deployment | undefined,
  attempts: AttemptRecord[],
  error: GatewayError,
  model?: CompiledModel,
): ExecutionResult {
  const { response } = input;
  if (!response.headersSent) {
    const headers = routeHeaders([], input, model, backend, attempts.length);
    for (let i = 0; i < headers.length; i += 2) response.setHeader(headers[i] as string, headers[i + 1]!);
  }
  return { backend, status: error.status, attempts, usage: undefined, error };
}

/** Rewrites an upstream HTTP error into Junction's error, keeping the provider's status and a redacted message. */
function upstreamHttpError(
  upstream: UpstreamResponse,
  text: string,
  deployment: Deployment,
  adapter: ProviderAdapter,
): GatewayError {
  const status = upstream.statusCode;
  let message = `The upstream ${deployment.id} answered HTTP ${status}`;
  const detail = adapter.readError(status, text, upstream.headers);
  if (detail.message) message += `: ${detail.message.slice(0, 1000)}`;
  else if (detail.providerCode) message += `: ${detail.providerCode.slice(0, 100)}`;
  const retryAfter =
    upstream.retryAfter && /^\d{1,6}$/.test(upstream.retryAfter) ? upstream.retryAfter : undefined;
  return new GatewayError('upstream_error', redactSecrets(message, deployment.provider.secrets), {
    status,
    ...(retryAfter ? { headers: { 'retry-after': retryAfter } } : {}),
  });
}

/** Reads a whole body as text up to `maxBytes`; `truncate` keeps the start instead of failing. */
function readText(body: Readable, maxBytes: number, truncate = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        destroyBody(body);
        if (truncate) resolve(Buffer.concat(chunks).toString('utf8'));
        else reject(new AttemptFailure('reset', 'The upstream body is larger than the gateway accepts'));
        return;
      }
      chunks.push(chunk);
    });
    body.on('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    body.on('error', (error) => reject(classify(error)));
  });
}

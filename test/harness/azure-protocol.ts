/**
 * Azure OpenAI's protocol for the fake upstream: deployment routes
 * (`/openai/deployments/{deployment}/chat/completions?api-version=…`, `/embeddings`) and the v1 routes
 * (`/openai/v1/chat/completions`, `/openai/v1/embeddings`, deployment name in `model`), the `api-key` (or
 * `Authorization: Bearer`) check, and Azure's error bodies. Answers are the fake's default OpenAI answers
 * dressed the way Azure sends them: the underlying model's name, `prompt_filter_results`,
 * `content_filter_results` on every choice, and, in streams, a first chunk with empty `choices` that carries
 * only the prompt filter results.
 *
 * Usage: `upstream.on({ reply: azureOpenAIHandler({ apiKey, deployments }) })`.
 */
import type { RecordedRequest, Reply } from './fake-upstream.js';
import { defaultReply, pathnameOf } from './fake-upstream-defaults.js';
import { sendReply } from './fake-upstream-replies.js';

export interface AzureDeployment {
  /** The model behind the deployment, which Azure reports as `model` (e.g. `gpt-4o-2024-08-06`). */
  model: string;
  kind: 'chat' | 'embeddings';
}

export interface AzureProtocolOptions {
  /** The key expected in `api-key` (or as `Authorization: Bearer`). */
  apiKey: string;
  deployments: Readonly<Record<string, AzureDeployment>>;
  /** A path in front of `/openai`, as an API Management gateway adds. */
  pathPrefix?: string;
}

type Operation = 'chat' | 'embeddings';

interface Route {
  operation: Operation;
  /** From the path on deployment routes, from the body's `model` on v1 routes. */
  deployment: string | undefined;
  v1: boolean;
}

/** Content filter verdicts for content that passed every filter. */
export const AZURE_SAFE_FILTER_RESULTS = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
} as const;

const PROMPT_FILTER_RESULTS = [
  {
    prompt_index: 0,
    content_filter_results: { ...AZURE_SAFE_FILTER_RESULTS, jailbreak: { filtered: false, detected: false } },
  },
];

/** v1 routes accept no api-version or one of these. */
const V1_API_VERSIONS = new Set(['v1', 'preview', 'latest']);

function azureError(status: number, code: string, message: string): Reply {
  return { kind: 'json', status, body: { error: { code, message } } };
}

const resourceNotFound = (): Reply => azureError(404, '404', 'Resource not found');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function routeOf(pathname: string, body: Record<string, unknown>): Route | undefined {
  const dated = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(pathname);
  if (dated?.[1] && dated[2]) {
    return {
      operation: dated[2] === 'embeddings' ? 'embeddings' : 'chat',
      deployment: decodeURIComponent(dated[1]),
      v1: false,
    };
  }
  const v1 = /^\/openai\/v1\/(chat\/completions|embeddings)$/.exec(pathname);
  if (v1?.[1]) {
    return {
      operation: v1[1] === 'embeddings' ? 'embeddings' : 'chat',
      deployment: typeof body.model === 'string' ? body.model : undefined,
      v1: true,
    };
  }
  return undefined;
}

function authorised(request: RecordedRequest, apiKey: string): boolean {
  const header = request.headers['api-key'];
  if (header !== undefined) return header === apiKey;
  const authorization = request.headers.authorization;
  return authorization === `Bearer ${apiKey}`;
}

/** Computes Azure's answer to one request; usable directly as a route's `reply`. */
export function azureOpenAIReply(options: AzureProtocolOptions): (request: RecordedRequest) => Reply {
  const prefix = options.pathPrefix ?? '';
  let nextId = 0;
  return (request) => {
    const pathname = pathnameOf(request);
    if (request.method !== 'POST' || !pathname.startsWith(`${prefix}/openai/`)) return resourceNotFound();
    const body = isRecord(request.json) ? request.json : {};
    const route = routeOf(pathname.slice(prefix.length), body);
    if (!route) return resourceNotFound();
    if (!authorised(request, options.apiKey)) {
      return azureError(
        401,
        '401',
        'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
      );
    }
    const apiVersion = new URLSearchParams(request.path.split('?')[1] ?? '').get('api-version');
    if (!route.v1 && !apiVersion) {
      return azureError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    if (route.v1 && apiVersion && !V1_API_VERSIONS.has(apiVersion)) {
      return azureError(400, 'BadRequest', 'API version not supported');
    }
    if (!isRecord(request.json)) {
      return {
        kind: 'json',
        status: 400,
        body: {
          error: { message: 'Invalid JSON body', type: 'invalid_request_error', param: null, code: null },
        },
      };
    }
    const deployment = route.deployment === undefined ? undefined : options.deployments[route.deployment];
    if (!deployment) {
      return azureError(
        404,
        'DeploymentNotFound',
        'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
      );
    }
    if (deployment.kind !== route.operation) {
      const operation = route.operation === 'chat' ? 'chatCompletion' : 'embeddings';
      return azureError(
        400,
        'OperationNotSupported',
        `The ${operation} operation does not work with the specified model, ${deployment.model}. Please choose different model and try again.`,
      );
    }
    // The fake's OpenAI answer for the same request, reporting the deployment's model, then dressed as Azure's.
    const openai = defaultReply(
      {
        ...request,
        path: `/${route.operation === 'chat' ? 'chat/completions' : 'embeddings'}`,
        json: { ...body, model: deployment.model },
      },
      () => `chatcmpl-azure-${++nextId}`,
    );
    return route.operation === 'chat' ? dressChat(openai) : openai;
  };
}

/** Adds Azure's content filter annotations to an OpenAI chat answer. */
function dressChat(reply: Reply): Reply {
  if (reply.kind === 'json' && isRecord(reply.body) && Array.isArray(reply.body.choices)) {
    return {
      ...reply,
      body: {
        ...reply.body,
        choices: reply.body.choices.map((choice: unknown) =>
          isRecord(choice) ? { ...choice, content_filter_results: AZURE_SAFE_FILTER_RESULTS } : choice,
        ),
        prompt_filter_results: PROMPT_FILTER_RESULTS,
        system_fingerprint: 'fp_azure_fake',
      },
    };
  }
  if (reply.kind === 'sse') {
    const chunks = reply.events.map((event) => {
      if (!isRecord(event) || !Array.isArray(event.choices) || event.choices.length === 0) return event;
      return {
        ...event,
        choices: event.choices.map((choice: unknown) => {
          if (!isRecord(choice)) return choice;
          const delta = isRecord(choice.delta) ? choice.delta : {};
          // Azure rates text as it goes; chunks without text carry an empty verdict.
          const hasText = typeof delta.content === 'string' && delta.content !== '';
          return { ...choice, content_filter_results: hasText ? AZURE_SAFE_FILTER_RESULTS : {} };
        }),
      };
    });
    const promptChunk = {
      choices: [],
      created: 0,
      id: '',
      model: '',
      object: '',
      prompt_filter_results: PROMPT_FILTER_RESULTS,
    };
    return { ...reply, events: [promptChunk, ...chunks] };
  }
  return reply;
}

/** Azure OpenAI as a `handler` reply for the fake upstream. */
export function azureOpenAIHandler(options: AzureProtocolOptions): Extract<Reply, { kind: 'handler' }> {
  const reply = azureOpenAIReply(options);
  return {
    kind: 'handler',
    handle: async (request, response) => {
      const lifetime = new AbortController();
      response.once('close', () => lifetime.abort());
      await sendReply(reply(request), request, response, { signal: lifetime.signal });
    },
  };
}

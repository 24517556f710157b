/**
 * Google's wire format for the fake upstream: replies shaped like the Gemini API and Vertex AI
 * (generateContent, streamGenerateContent?alt=sse, batchEmbedContents, predict, `{error:{code,message,status}}`),
 * a default handler that answers either path style from the request body, and a fake OAuth token endpoint
 * that verifies a service account's JWT assertion. Use them as routes: `upstream.on({ reply: googleHandler() })`.
 */

import type { KeyObject } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { jwtVerify } from 'jose';
import type {
  GeminiContent,
  GeminiPart,
  GeminiRequest,
  GeminiResponse,
  GeminiUsageMetadata,
} from '../../src/core/providers/gemini/wire.js';
import type { RecordedRequest, Reply } from './fake-upstream.js';
import { DEFAULT_EMBEDDING_DIMENSIONS, fakeEmbedding, pathnameOf } from './fake-upstream-defaults.js';

/** Google's canonical status for an HTTP status, as its error bodies carry it. */
export const googleStatusOf: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** A Google error body. */
export function googleError(code: number, message: string, status = googleStatusOf[code] ?? 'UNKNOWN') {
  return { error: { code, message, status } };
}

/** A failed answer in Google's error shape. */
export function googleErrorReply(code: number, message: string, status?: string): Reply {
  return { kind: 'json', status: code, body: googleError(code, message, status) };
}

/** A one-candidate answer with the given parts. */
export function geminiResponse(
  parts: GeminiPart[],
  options: { finishReason?: string; usage?: GeminiUsageMetadata } = {},
): GeminiResponse {
  return {
    candidates: [
      {
        content: { role: 'model', parts },
        ...(options.finishReason === undefined ? {} : { finishReason: options.finishReason }),
      },
    ],
    ...(options.usage ? { usageMetadata: options.usage } : {}),
    modelVersion: 'fake-gemini',
  };
}

/** A whole generateContent answer. */
export function generateContentReply(response: GeminiResponse, status = 200): Reply {
  return { kind: 'json', status, body: response };
}

export interface GoogleStreamOptions {
  /** Send only this many events, then cut the connection (`cut`, default a reset). */
  cutAfter?: number;
  cut?: 'close' | 'reset';
  /** Strip every finishReason, so the stream ends cleanly yet never completes. */
  withoutFinishReason?: boolean;
  intervalMs?: number;
}

/** A streamGenerateContent?alt=sse answer: each event a whole GenerateContentResponse, no `[DONE]`. */
export function streamGenerateContentReply(
  events: GeminiResponse[],
  options: GoogleStreamOptions = {},
): Reply {
  const shaped = options.withoutFinishReason
    ? events.map((event) => ({
        ...event,
        candidates: event.candidates?.map(({ finishReason: _dropped, ...candidate }) => candidate),
      }))
    : events;
  return {
    kind: 'sse',
    events: shaped,
    done: false,
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
    ...(options.cutAfter === undefined ? {} : { afterEvents: options.cutAfter, end: options.cut ?? 'reset' }),
  };
}

/** A Gemini API batchEmbedContents answer. */
export function batchEmbedContentsReply(vectors: number[][]): Reply {
  return { kind: 'json', body: { embeddings: vectors.map((values) => ({ values })) } };
}

/** A Vertex AI predict answer for a text embedding model. */
export function vertexPredictReply(vectors: number[][], tokenCounts: number[] = []): Reply {
  return {
    kind: 'json',
    body: {
      predictions: vectors.map((values, index) => ({
        embeddings: { values, statistics: { truncated: false, token_count: tokenCounts[index] ?? 1 } },
      })),
    },
  };
}

export interface GoogleHandlerOptions {
  /** When set, Gemini API paths require this `x-goog-api-key`. */
  apiKey?: string;
  /** When set, Vertex paths require `Authorization: Bearer <token>`; a function is asked on every request. */
  bearerToken?: string | (() => string | undefined);
  /** Embedding size when the request names none (default 8). */
  dimensions?: number;
}

const GEMINI_PATH = /\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/;
const VERTEX_PATH =
  /^\/v1\/projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent|predict)$/;

/**
 * Answers both path styles like Google would, from the request body: `fake:<last user text>` (or a function
 * call when toolConfig demands one), the text streamed word by word, and deterministic embeddings.
 */
export function googleHandler(options: GoogleHandlerOptions = {}): Reply {
  return { kind: 'handler', handle: (request, response) => handleGoogle(request, response, options) };
}

function handleGoogle(
  request: RecordedRequest,
  response: ServerResponse,
  options: GoogleHandlerOptions,
): void {
  const pathname = pathnameOf(request);
  const vertex = VERTEX_PATH.exec(pathname);
  const gemini = vertex ? null : GEMINI_PATH.exec(pathname);
  const method = vertex?.[2] ?? gemini?.[2];
  if (request.method !== 'POST' || !method) {
    sendJson(response, 404, googleError(404, `fake-google: no method at ${request.method} ${request.path}`));
    return;
  }
  const denied = vertex ? checkBearer(request, options) : checkApiKey(request, options);
  if (denied) {
    sendJson(response, denied.error.code, denied);
    return;
  }
  const body = (typeof request.json === 'object' && request.json !== null ? request.json : {}) as Record<
    string,
    unknown
  >;
  if (method === 'batchEmbedContents') {
    const requests = Array.isArray(body.requests) ? (body.requests as Array<Record<string, unknown>>) : [];
    const embeddings = requests.map((item) => {
      const content = item.content as GeminiContent | undefined;
      const text = (content?.parts ?? []).map((part) => part.text ?? '').join('');
      const size = typeof item.outputDimensionality === 'number' ? item.outputDimensionality : undefined;
      return { values: fakeEmbedding(text, size ?? options.dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS) };
    });
    sendJson(response, 200, { embeddings });
    return;
  }
  if (method === 'predict') {
    const instances = Array.isArray(body.instances) ? (body.instances as Array<{ content?: string }>) : [];
    const parameters = (body.parameters ?? {}) as { outputDimensionality?: number };
    const size = parameters.outputDimensionality ?? options.dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
    const predictions = instances.map(({ content = '' }) => ({
      embeddings: {
        values: fakeEmbedding(content, size),
        statistics: { truncated: false, token_count: words(content) },
      },
    }));
    sendJson(response, 200, { predictions });
    return;
  }
  const answer = answerFor(body as unknown as GeminiRequest);
  if (method === 'generateContent') {
    sendJson(response, 200, answer.whole);
    return;
  }
  if (!new URLSearchParams(request.path.split('?')[1] ?? '').has('alt', 'sse')) {
    // Without alt=sse Google streams one JSON array; adapters should never ask for it.
    sendJson(response, 200, [answer.whole]);
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const event of answer.events) response.write(`data: ${JSON.stringify(event)}\r\n\r\n`);
  response.end();
}

function checkApiKey(request: RecordedRequest, options: GoogleHandlerOptions) {
  if (options.apiKey === undefined) return undefined;
  const key = request.headers['x-goog-api-key'];
  if (key === undefined) {
    return googleError(
      403,
      "Method doesn't allow unregistered callers. Please use API Key or other form of API consumer identity to call this API.",
    );
  }
  return key === options.apiKey
    ? undefined
    : googleError(400, 'API key not valid. Please pass a valid API key.');
}

function checkBearer(request: RecordedRequest, options: GoogleHandlerOptions) {
  if (options.bearerToken === undefined) return undefined;
  const expected = typeof options.bearerToken === 'function' ? options.bearerToken() : options.bearerToken;
  if (expected !== undefined && request.headers.authorization === `Bearer ${expected}`) return undefined;
  return googleError(
    401,
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  );
}

const words = (text: string): number => Math.max(1, text.split(/\s+/).filter((word) => word !== '').length);

function answerFor(request: GeminiRequest): { whole: GeminiResponse; events: GeminiResponse[] } {
  const contents = Array.isArray(request.contents) ? request.contents : [];
  const promptText = contents
    .flatMap((content) => content.parts ?? [])
    .map((part) => part.text ?? '')
    .join(' ');
  const promptTokenCount = words(promptText);
  const config = request.toolConfig?.functionCallingConfig;
  const declarations = request.tools?.flatMap((tool) => tool.functionDeclarations ?? []) ?? [];
  if (config?.mode === 'ANY' && declarations.length > 0) {
    const name = config.allowedFunctionNames?.[0] ?? declarations[0]?.name ?? 'unknown';
    const usage = { promptTokenCount, candidatesTokenCount: 5, totalTokenCount: promptTokenCount + 5 };
    const whole = geminiResponse([{ functionCall: { name, args: {} } }], { finishReason: 'STOP', usage });
    return { whole, events: [whole] };
  }
  const lastUser = [...contents].reverse().find((content) => content.role !== 'model');
  const text = `fake:${(lastUser?.parts ?? []).map((part) => part.text ?? '').join('')}`;
  const pieces = text.match(/\s*\S+\s*$|\s*\S+/g) ?? [text];
  const usage = {
    promptTokenCount,
    candidatesTokenCount: pieces.length,
    totalTokenCount: promptTokenCount + pieces.length,
  };
  const whole = geminiResponse([{ text }], { finishReason: 'STOP', usage });
  const events = pieces.map((piece, index) =>
    index === pieces.length - 1
      ? geminiResponse([{ text: piece }], { finishReason: 'STOP', usage })
      : geminiResponse([{ text: piece }]),
  );
  return { whole, events };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(text);
}

export interface OAuthTokenHandlerOptions {
  /** The service account's public key, to verify the assertion's RS256 signature. */
  publicKey: KeyObject;
  /** Expected `iss` (the service account's client_email), when checked. */
  clientEmail?: string;
  /** Expected `aud` (the key's token_uri), when checked. */
  audience?: string;
  /** The access token for the n-th grant (1-based); `fake-access-token-<n>` by default. */
  accessToken?: (grant: number) => string;
  expiresIn?: number;
  /** The clock the assertion's iat/exp are checked against (epoch milliseconds). */
  now?: () => number;
}

/**
 * Google's OAuth token endpoint for the JWT-bearer grant: verifies the signature and the claims Google checks
 * and returns `{access_token, expires_in, token_type}`, or `{error, error_description}` with status 400.
 */
export function oauthTokenHandler(options: OAuthTokenHandlerOptions): Reply {
  let grants = 0;
  return {
    kind: 'handler',
    handle: async (request, response) => {
      const form = new URLSearchParams(request.body);
      const grantType = form.get('grant_type');
      if (grantType !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
        sendJson(response, 400, {
          error: 'unsupported_grant_type',
          error_description: `Invalid grant_type: ${grantType ?? ''}`,
        });
        return;
      }
      const failure = await verifyAssertion(form.get('assertion') ?? '', options);
      if (failure) {
        sendJson(response, 400, { error: 'invalid_grant', error_description: failure });
        return;
      }
      grants += 1;
      sendJson(response, 200, {
        access_token: options.accessToken?.(grants) ?? `fake-access-token-${grants}`,
        expires_in: options.expiresIn ?? 3599,
        token_type: 'Bearer',
      });
    },
  };
}

async function verifyAssertion(
  assertion: string,
  options: OAuthTokenHandlerOptions,
): Promise<string | undefined> {
  try {
    const { payload, protectedHeader } = await jwtVerify(assertion, options.publicKey, {
      algorithms: ['RS256'],
      ...(options.clientEmail ? { issuer: options.clientEmail } : {}),
      ...(options.audience ? { audience: options.audience } : {}),
      currentDate: new Date(options.now?.() ?? Date.now()),
      requiredClaims: ['iat', 'exp', 'iss', 'aud'],
    });
    if (protectedHeader.typ !== undefined && protectedHeader.typ !== 'JWT') return 'Invalid JWT header.';
    if (typeof payload.scope !== 'string' || payload.scope.split(' ').length === 0)
      return 'Invalid OAuth scope.';
    if ((payload.exp ?? 0) - (payload.iat ?? 0) > 3600) {
      return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.';
    }
    return undefined;
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
      ? 'Invalid JWT Signature.'
      : `Invalid JWT: ${code ?? 'malformed'}`;
  }
}

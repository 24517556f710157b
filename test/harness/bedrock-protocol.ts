/**
 * Bedrock for the fake upstream: Converse JSON, ConverseStream as binary AWS event-stream messages,
 * InvokeModel embeddings (Titan, Cohere), Bedrock's error shape, the OpenAI-compatible endpoint, and an
 * independent SigV4 verifier. The verifier uses node:crypto only (never smithy), so it checks Junction's
 * smithy-based signer rather than agreeing with it by construction.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import type { RecordedRequest, Reply } from './fake-upstream.js';
import {
  DEFAULT_EMBEDDING_DIMENSIONS,
  defaultReply,
  fakeEmbedding,
  pathnameOf,
} from './fake-upstream-defaults.js';
import { resetConnection, sendReply, sleep, write } from './fake-upstream-replies.js';

// ---------------------------------------------------------------------------------------------- event stream

/** One event-stream message; object payloads are sent as JSON. */
export interface AwsMessage {
  messageType?: 'event' | 'exception';
  /** `:event-type` of an event, `:exception-type` of an exception. */
  eventType: string;
  payload: unknown;
}

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

/** Encodes one message in AWS's binary framing (prelude, headers, payload, CRCs). */
export function encodeAwsMessage(message: AwsMessage): Uint8Array {
  const messageType = message.messageType ?? 'event';
  const payload = typeof message.payload === 'string' ? message.payload : JSON.stringify(message.payload);
  return codec.encode({
    headers: {
      [messageType === 'event' ? ':event-type' : ':exception-type']: {
        type: 'string',
        value: message.eventType,
      },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: messageType },
    },
    body: new TextEncoder().encode(payload),
  });
}

export interface ConverseUsageCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

function usageBody(usage: ConverseUsageCounts): Record<string, number> {
  const total =
    usage.inputTokens +
    usage.outputTokens +
    (usage.cacheReadInputTokens ?? 0) +
    (usage.cacheWriteInputTokens ?? 0);
  return { ...usage, totalTokens: total };
}

export interface FakeToolUse {
  toolUseId: string;
  name: string;
  input: Record<string, unknown>;
}

/** A `/converse` answer body. */
export function converseResponse(options: {
  text?: string;
  toolUses?: FakeToolUse[];
  stopReason?: string;
  usage?: ConverseUsageCounts;
}): Record<string, unknown> {
  const content: unknown[] = [];
  if (options.text !== undefined) content.push({ text: options.text });
  for (const toolUse of options.toolUses ?? []) content.push({ toolUse });
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: options.stopReason ?? (options.toolUses?.length ? 'tool_use' : 'end_turn'),
    usage: usageBody(options.usage ?? { inputTokens: 1, outputTokens: 1 }),
    metrics: { latencyMs: 42 },
  };
}

/** The messages of a complete ConverseStream: text pieces, then tool calls, then messageStop and metadata. */
export function converseStreamMessages(options: {
  pieces?: string[];
  toolUses?: FakeToolUse[];
  stopReason?: string;
  usage?: ConverseUsageCounts;
}): AwsMessage[] {
  const event = (eventType: string, payload: unknown): AwsMessage => ({ eventType, payload });
  const messages = [event('messageStart', { role: 'assistant' })];
  let block = 0;
  if (options.pieces?.length) {
    for (const text of options.pieces) {
      messages.push(event('contentBlockDelta', { contentBlockIndex: block, delta: { text } }));
    }
    messages.push(event('contentBlockStop', { contentBlockIndex: block++ }));
  }
  for (const { toolUseId, name, input } of options.toolUses ?? []) {
    const contentBlockIndex = block++;
    const delta = { toolUse: { input: JSON.stringify(input) } };
    messages.push(
      event('contentBlockStart', { contentBlockIndex, start: { toolUse: { toolUseId, name } } }),
      event('contentBlockDelta', { contentBlockIndex, delta }),
      event('contentBlockStop', { contentBlockIndex }),
    );
  }
  const stopReason = options.stopReason ?? (options.toolUses?.length ? 'tool_use' : 'end_turn');
  const usage = usageBody(options.usage ?? { inputTokens: 1, outputTokens: 1 });
  messages.push(
    event('messageStop', { stopReason }),
    event('metadata', { usage, metrics: { latencyMs: 42 } }),
  );
  return messages;
}

export interface StreamReplyOptions {
  /** Pause between messages. */
  intervalMs?: number;
  /** Leave out messageStop and metadata: the stream ends cleanly but incomplete. */
  omitTerminal?: boolean;
  /** Send an exception message (e.g. throttlingException) after `afterMessages` messages, then end. */
  exception?: { type: string; message: string; afterMessages?: number; extra?: Record<string, unknown> };
  /** Stop after this many messages... */
  cutAfter?: number;
  /** ...also sending the first half of the next message's bytes... */
  cutMidMessage?: boolean;
  /** ...and then close the connection cleanly (default) or reset it. */
  end?: 'close' | 'reset';
}

/** A ConverseStream answer as the fake sends it, honouring the cut/exception options. */
export function converseStreamReply(messages: AwsMessage[], options: StreamReplyOptions = {}): Reply {
  return { kind: 'handler', handle: (_request, response) => sendConverseStream(response, messages, options) };
}

async function sendConverseStream(
  response: ServerResponse,
  input: AwsMessage[],
  options: StreamReplyOptions,
): Promise<void> {
  let messages = options.omitTerminal
    ? input.filter((message) => message.eventType !== 'messageStop' && message.eventType !== 'metadata')
    : [...input];
  if (options.exception) {
    const { type, message, afterMessages, extra } = options.exception;
    messages = messages.slice(0, afterMessages ?? messages.length);
    messages.push({ messageType: 'exception', eventType: type, payload: { message, ...extra } });
  }
  const frames = messages.map(encodeAwsMessage);
  let sent = frames;
  if (options.cutAfter !== undefined) {
    sent = frames.slice(0, options.cutAfter);
    const next = frames[options.cutAfter];
    if (options.cutMidMessage && next) sent.push(next.subarray(0, Math.floor(next.length / 2)));
  }
  const signal = lifetimeOf(response);
  response.writeHead(200, {
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': 'fake-bedrock-request',
  });
  response.flushHeaders();
  for (const [index, frame] of sent.entries()) {
    if (index > 0 && !(await sleep(options.intervalMs ?? 0, signal))) return;
    if (!(await write(response, Buffer.from(frame), signal))) return;
  }
  if (options.cutAfter !== undefined && options.end === 'reset') {
    // Give the client a moment to read what was written before the RST discards it.
    if (await sleep(20, signal)) resetConnection(response);
    return;
  }
  response.end();
}

/** Aborted when the response closes, so a hung-up client stops the writer. */
function lifetimeOf(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => controller.abort());
  return controller.signal;
}

// ------------------------------------------------------------------------------------ embeddings and errors

/** A Titan Text Embeddings answer. */
export function titanEmbeddingReply(embedding: number[], inputTextTokenCount: number): Reply {
  return { kind: 'json', body: { embedding, inputTextTokenCount } };
}

/** A Cohere Embed answer (floats, no `embedding_types`). */
export function cohereEmbeddingReply(embeddings: number[][], texts: string[]): Reply {
  return {
    kind: 'json',
    body: { id: 'fake-cohere-id', embeddings, response_type: 'embeddings_floats', texts },
  };
}

/** Bedrock's error answer: `{"message"}` with the type in `x-amzn-errortype`. */
export function bedrockError(status: number, errorType: string, message: string): Reply {
  return {
    kind: 'json',
    status,
    headers: { 'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
    body: { message },
  };
}

// ---------------------------------------------------------------------------------------------------- SigV4

export interface FakeAwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type SigV4Verdict =
  | { ok: true }
  | { ok: false; errorType: 'InvalidSignatureException' | 'UnrecognizedClientException'; message: string };

type SignedRequest = Pick<RecordedRequest, 'method' | 'path' | 'headers' | 'body'>;

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 defines it: everything but A-Z a-z 0-9 - _ . ~ is %XX-escaped. */
function awsEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function headerValue(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function invalid(message: string): SigV4Verdict {
  return { ok: false, errorType: 'InvalidSignatureException', message };
}

function unrecognized(message: string): SigV4Verdict {
  return { ok: false, errorType: 'UnrecognizedClientException', message };
}

/**
 * Checks a request's SigV4 `Authorization` header from first principles: canonical request (the wire path
 * encoded once more, as AWS does for non-S3 services), string to sign, derived key, constant-time compare.
 */
export function verifySigV4(
  request: SignedRequest,
  credentials: FakeAwsCredentials,
  region: string,
  service: string,
  options: { now?: Date } = {},
): SigV4Verdict {
  const authorization = headerValue(request, 'authorization');
  if (!authorization) return unrecognized('Missing Authentication Token');
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return invalid(`Authorization header is not a SigV4 header: ${authorization}`);
  const [, credential = '', signedHeaderList = '', signature = ''] = match;
  const [accessKeyId, scopeDate, scopeRegion, scopeService, terminator, ...rest] = credential.split('/');
  if (accessKeyId !== credentials.accessKeyId) {
    return unrecognized('The security token included in the request is invalid.');
  }
  if (rest.length > 0 || terminator !== 'aws4_request')
    return invalid(`Malformed credential scope ${credential}`);
  if (scopeRegion !== region)
    return invalid(`Credential should be scoped to a valid region, not '${scopeRegion}'`);
  if (scopeService !== service)
    return invalid(`Credential should be scoped to correct service: '${service}'`);
  const amzDate = headerValue(request, 'x-amz-date') ?? '';
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) return invalid('Missing or malformed x-amz-date header');
  if (amzDate.slice(0, 8) !== scopeDate) return invalid('Credential date does not match x-amz-date');
  const signedAt = Date.parse(
    amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (Math.abs((options.now ?? new Date()).getTime() - signedAt) > 5 * 60_000)
    return invalid('Signature expired');

  const signedHeaders = signedHeaderList.split(';');
  if ([...signedHeaders].sort().join(';') !== signedHeaderList)
    return invalid('SignedHeaders are not sorted');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
    return invalid('host and x-amz-date must be signed');
  }
  const token = headerValue(request, 'x-amz-security-token');
  if (token !== credentials.sessionToken)
    return unrecognized('The security token included in the request is invalid.');
  if (token !== undefined && !signedHeaders.includes('x-amz-security-token')) {
    return invalid('x-amz-security-token must be signed');
  }

  const queryStart = request.path.indexOf('?');
  const rawPath = queryStart === -1 ? request.path : request.path.slice(0, queryStart);
  const canonicalPath = rawPath === '' ? '/' : rawPath.split('/').map(awsEncode).join('/');
  const canonicalQuery = (queryStart === -1 ? '' : request.path.slice(queryStart + 1))
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const key = decodeURIComponent(equals === -1 ? pair : pair.slice(0, equals));
      const value = equals === -1 ? '' : decodeURIComponent(pair.slice(equals + 1));
      return [awsEncode(key), awsEncode(value)] as const;
    })
    .sort(([keyA, valueA], [keyB, valueB]) =>
      keyA === keyB ? (valueA < valueB ? -1 : 1) : keyA < keyB ? -1 : 1,
    )
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const canonicalHeaders: string[] = [];
  for (const name of signedHeaders) {
    const value = headerValue(request, name);
    if (value === undefined) return invalid(`Signed header ${name} is missing from the request`);
    canonicalHeaders.push(`${name}:${value.trim().replace(/\s+/g, ' ')}\n`);
  }
  const bodyHash = sha256(request.body);
  const declaredHash = headerValue(request, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== bodyHash) {
    return invalid('The provided x-amz-content-sha256 header does not match what was computed.');
  }
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath,
    canonicalQuery,
    canonicalHeaders.join(''),
    signedHeaderList,
    bodyHash,
  ].join('\n');
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, scopeDate);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return invalid(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------- default handler

export interface BedrockFakeOptions {
  /** Requests must be signed with these (SigV4); omit both this and `apiKey` to accept anything. */
  credentials?: FakeAwsCredentials;
  /** A Bedrock API key accepted as `Authorization: Bearer <key>`. */
  apiKey?: string;
  region?: string;
  service?: string;
}

const MODEL_PATH = /\/model\/([^/]+)\/(converse|converse-stream|invoke)$/;

/** Answers the Bedrock runtime operations from the request body, after checking its authentication. */
export function bedrockHandler(options: BedrockFakeOptions = {}): Reply {
  return { kind: 'handler', handle: (request, response) => handleBedrock(request, response, options) };
}

function words(text: string): string[] {
  return text.match(/\s*\S+\s*$|\s*\S+/g) ?? [text];
}

async function handleBedrock(
  request: RecordedRequest,
  response: ServerResponse,
  options: BedrockFakeOptions,
) {
  const signal = lifetimeOf(response);
  const reply = (answer: Reply) => sendReply(answer, request, response, { signal });
  const verdict = authenticate(request, options);
  if (!verdict.ok) return reply(bedrockError(403, verdict.errorType, verdict.message));

  const pathname = pathnameOf(request);
  if (pathname.endsWith('/openai/v1/chat/completions'))
    return reply(defaultReply(request, () => 'chatcmpl-bedrock'));
  const operation = MODEL_PATH.exec(pathname);
  if (request.method !== 'POST' || !operation) {
    return reply(
      bedrockError(404, 'UnknownOperationException', `No operation at ${request.method} ${pathname}`),
    );
  }
  const modelId = decodeURIComponent(operation[1] ?? '');
  const body = request.json as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null)
    return reply(bedrockError(400, 'ValidationException', 'Bad JSON'));

  if (operation[2] === 'invoke') return reply(invokeReply(modelId, body));
  const messages = Array.isArray(body.messages) ? (body.messages as Array<Record<string, unknown>>) : [];
  const texts = (message: Record<string, unknown> | undefined) =>
    (Array.isArray(message?.content) ? (message.content as Array<Record<string, unknown>>) : [])
      .map((block) => (typeof block.text === 'string' ? block.text : ''))
      .join('');
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const pieces = words(`fake:${texts(lastUser)}`);
  const inputTokens = Math.max(
    1,
    messages.reduce((sum, message) => sum + texts(message).split(/\s+/).filter(Boolean).length, 0),
  );
  const usage = { inputTokens, outputTokens: pieces.length };
  const toolUses = forcedToolUse(body.toolConfig);
  if (operation[2] === 'converse') {
    return reply({ kind: 'json', body: converseResponse({ text: pieces.join(''), toolUses, usage }) });
  }
  return reply(converseStreamReply(converseStreamMessages({ pieces, toolUses, usage })));
}

function authenticate(request: RecordedRequest, options: BedrockFakeOptions): SigV4Verdict {
  const authorization = headerValue(request, 'authorization');
  if (options.apiKey !== undefined && authorization?.startsWith('Bearer ')) {
    return authorization === `Bearer ${options.apiKey}`
      ? { ok: true }
      : unrecognized('Invalid API Key format: Must start with pre-defined prefix');
  }
  if (options.credentials) {
    return verifySigV4(
      request,
      options.credentials,
      options.region ?? 'us-east-1',
      options.service ?? 'bedrock',
    );
  }
  if (options.apiKey !== undefined)
    return unrecognized('Invalid API Key format: Must start with pre-defined prefix');
  return { ok: true };
}

/** A forced tool choice (`any` or `tool`) is answered with a call to that tool, with empty input. */
function forcedToolUse(toolConfig: unknown): FakeToolUse[] | undefined {
  const config = toolConfig as {
    tools?: Array<{ toolSpec?: { name?: string } }>;
    toolChoice?: Record<string, unknown>;
  };
  const choice = config?.toolChoice;
  if (!choice || !('any' in choice || 'tool' in choice)) return undefined;
  const named = (choice.tool as { name?: string } | undefined)?.name ?? config.tools?.[0]?.toolSpec?.name;
  return named ? [{ toolUseId: 'tooluse_fake_1', name: named, input: {} }] : undefined;
}

function invokeReply(modelId: string, body: Record<string, unknown>): Reply {
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : DEFAULT_EMBEDDING_DIMENSIONS;
  if (modelId.includes('amazon.titan-embed') && typeof body.inputText === 'string') {
    return titanEmbeddingReply(
      fakeEmbedding(body.inputText, dimensions),
      Math.max(1, body.inputText.split(/\s+/).filter(Boolean).length),
    );
  }
  if (modelId.includes('cohere.embed') && Array.isArray(body.texts)) {
    const texts = body.texts.map(String);
    return cohereEmbeddingReply(
      texts.map((text) => fakeEmbedding(text, DEFAULT_EMBEDDING_DIMENSIONS)),
      texts,
    );
  }
  return bedrockError(
    400,
    'ValidationException',
    `Malformed input request for ${modelId}, please reformat your input`,
  );
}

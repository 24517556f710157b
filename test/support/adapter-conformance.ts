/**
 * The conformance suite every provider adapter runs, over its golden fixtures. Each scenario is a folder:
 *
 *   __fixtures__/<scenario>/
 *     case.json                   { endpoint?: 'chat'|'embeddings', request, target?, includeUsage? }
 *     upstream-request.json       the request the adapter must build: { method, path, headers, body }
 *       or build-error.json       { code, status, message } when the request must be refused
 *     upstream-response.json      a 200 JSON answer                     ┐
 *       or upstream-response.sse  an SSE stream, as the upstream sends it │ at most one
 *       or upstream-events.json   AWS event-stream messages, in order    │
 *       or upstream-error.json    { status, body } a failed answer      ┘
 *     expected.json               the OpenAI answer the client gets (JSON answers)
 *       or expected-stream.json   { chunks, end: 'done'|'error'|'incomplete', error?, usage?, usagePartial? } (streams)
 *       or expected-error.json    { message, providerCode } (what readError extracts)
 *     expected-warnings.json      the warnings the build reports (an empty list when absent)
 *
 * `UPDATE_GOLDEN=1` writes the expected files from what the adapter does; review the diff before committing.
 * Streams are fed event by event through the real SSE parser (or as AWS messages), in chunks of a few bytes
 * for SSE, so no translator can depend on whole-body buffering.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type {
  AdapterTarget,
  ProviderAdapter,
  ResponseContext,
  StreamMapper,
  UpstreamEvent,
} from '../../src/core/providers/adapter.js';
import { SseParser } from '../../src/core/sse/sse-parser.js';
import type { ChatCompletionChunk, Usage } from '../../src/core/wire/openai.js';

/** Scenarios every chat adapter answers, each with a fixture (or a declared reason it cannot apply). */
export const requiredChatScenarios = [
  'text',
  'system-prompt',
  'multi-part-image',
  'tool-choice-auto',
  'tool-choice-required',
  'tool-choice-none',
  'tool-choice-named',
  'parallel-tool-calls',
  'tool-results',
  'json-schema',
  'finish-length',
  'stream-text',
  'stream-tool-calls',
  'stream-cut',
  'error-400',
  'error-429',
  'error-500-html',
] as const;

export type ChatScenario = (typeof requiredChatScenarios)[number];

export const TEST_RESPONSE_ID = 'chatcmpl-junction-test';
export const TEST_CREATED = 1_767_225_600;

export interface ConformanceOptions {
  /** The folder holding `__fixtures__`. */
  fixturesDir: string;
  /** Defaults for every scenario's target; `case.json` may override fields. */
  target: AdapterTarget;
  /** Required scenarios that do not apply to this adapter, with the reason (reported in the matrix). */
  notApplicable?: Partial<Record<ChatScenario, string>>;
}

interface CaseFile {
  endpoint?: 'chat' | 'embeddings';
  request: Record<string, unknown>;
  target?: Partial<AdapterTarget>;
  includeUsage?: boolean;
}

interface StreamOutcome {
  chunks: ChatCompletionChunk[];
  end: 'done' | 'error' | 'incomplete';
  error?: { code: string; message: string };
  usage?: Usage;
  usagePartial?: true;
}

const update = process.env.UPDATE_GOLDEN === '1';

/** Registers one test per fixture folder, and one that checks every required scenario is present. */
export function runAdapterConformance(adapter: ProviderAdapter, options: ConformanceOptions): void {
  const root = join(options.fixturesDir, '__fixtures__');
  const scenarios = existsSync(root)
    ? readdirSync(root, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : [];

  it('has a fixture for every required scenario', () => {
    const missing = requiredChatScenarios.filter(
      (name) => !scenarios.includes(name) && !options.notApplicable?.[name],
    );
    expect(missing).toEqual([]);
  });

  for (const scenario of scenarios) {
    it(`scenario ${scenario}`, () => runScenario(adapter, options, join(root, scenario)));
  }
}

function runScenario(adapter: ProviderAdapter, options: ConformanceOptions, dir: string): void {
  const testCase = readJson<CaseFile>(join(dir, 'case.json'));
  const endpoint = testCase.endpoint ?? 'chat';
  const target: AdapterTarget = { ...options.target, ...testCase.target };
  const bodyText = JSON.stringify(testCase.request);
  const input = { request: testCase.request as never, bodyText, target };
  const build =
    endpoint === 'chat'
      ? adapter.buildChat(input)
      : adapter.buildEmbeddings
        ? adapter.buildEmbeddings(input)
        : undefined;
  if (!build) throw new Error('the adapter has no embeddings, yet the scenario calls them');

  if (!build.ok) {
    golden(join(dir, 'build-error.json'), {
      code: build.error.code,
      status: build.error.status,
      message: build.error.message,
    });
    return;
  }
  const request = build.request;
  golden(join(dir, 'upstream-request.json'), {
    method: request.method,
    path: request.path,
    headers: request.headers,
    framing: request.framing,
    body: parseBody(request.body),
  });
  const warningsFile = join(dir, 'expected-warnings.json');
  if (build.warnings.length > 0 || existsSync(warningsFile)) golden(warningsFile, build.warnings);
  else expect(build.warnings).toEqual([]);

  const context: ResponseContext = {
    requestedModel: String(testCase.request.model),
    responseId: TEST_RESPONSE_ID,
    created: TEST_CREATED,
    includeUsage: testCase.includeUsage ?? false,
    target,
  };

  const errorFile = join(dir, 'upstream-error.json');
  if (existsSync(errorFile)) {
    const failure = readJson<{ status: number; body: string }>(errorFile);
    const detail = adapter.readError(failure.status, failure.body);
    golden(join(dir, 'expected-error.json'), {
      message: detail.message ?? null,
      providerCode: detail.providerCode ?? null,
    });
    return;
  }

  const jsonFile = join(dir, 'upstream-response.json');
  if (existsSync(jsonFile)) {
    if (request.framing === 'openai') return; // relayed as received: nothing to translate
    const parse = endpoint === 'chat' ? adapter.parseChat : adapter.parseEmbeddings;
    if (!parse) throw new Error(`the adapter builds ${request.framing} requests but cannot parse them`);
    const result = parse(readFileSync(jsonFile, 'utf8'), context);
    golden(
      join(dir, 'expected.json'),
      result.ok
        ? { body: result.body, usage: result.usage ?? null }
        : { error: { code: result.error.code, message: result.error.message } },
    );
    return;
  }

  const sseFile = join(dir, 'upstream-response.sse');
  const eventsFile = join(dir, 'upstream-events.json');
  if (existsSync(sseFile) || existsSync(eventsFile)) {
    if (request.framing === 'openai') return;
    if (!adapter.createStreamMapper) throw new Error('the adapter streams but has no stream mapper');
    const mapper = adapter.createStreamMapper(context);
    const events = existsSync(sseFile)
      ? sseEvents(readFileSync(sseFile, 'utf8'))
      : readJson<Array<{ messageType?: string; eventType: string; payload: unknown }>>(eventsFile).map(
          (message): UpstreamEvent => ({
            kind: 'aws',
            messageType: message.messageType ?? 'event',
            eventType: message.eventType,
            payload: typeof message.payload === 'string' ? message.payload : JSON.stringify(message.payload),
          }),
        );
    golden(join(dir, 'expected-stream.json'), runStream(mapper, events));
  }
}

/** Feeds events to a mapper the way the data plane does: stops at `done` or at an error. */
export function runStream(mapper: StreamMapper, events: readonly UpstreamEvent[]): StreamOutcome {
  const chunks: ChatCompletionChunk[] = [];
  for (const event of events) {
    const step = mapper.push(event);
    chunks.push(...step.chunks);
    if (step.error) {
      return {
        chunks,
        end: 'error',
        error: { code: step.error.code, message: step.error.message },
        ...usageOf(mapper),
      };
    }
    if (step.done) return { chunks, end: 'done', ...usageOf(mapper) };
  }
  return { chunks, end: 'incomplete', ...usageOf(mapper) };
}

/**
 * The usage the mapper reported, and `usagePartial` when it says that usage does not count the whole completion
 * (only an opening report arrived: the data plane then estimates the completion from what was delivered).
 */
function usageOf(mapper: StreamMapper): { usage?: Usage; usagePartial?: true } {
  const usage = mapper.usage();
  const partial = usage !== undefined && mapper.usageCoversCompletion?.() === false;
  return { ...(usage ? { usage } : {}), ...(partial ? { usagePartial: true as const } : {}) };
}

/** Parses SSE text fed in 7-byte pieces, as a network might deliver it. */
export function sseEvents(text: string): UpstreamEvent[] {
  const parser = new SseParser();
  const bytes = Buffer.from(text, 'utf8');
  const events: UpstreamEvent[] = [];
  for (let offset = 0; offset < bytes.length; offset += 7) {
    for (const event of parser.push(bytes.subarray(offset, offset + 7))) {
      events.push({ kind: 'sse', event: event.event, data: event.data });
    }
  }
  return events;
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Compares with the golden file, or writes it under UPDATE_GOLDEN=1. */
function golden(file: string, actual: unknown): void {
  const normalised = JSON.parse(JSON.stringify(actual)) as unknown;
  if (update || !existsSync(file)) {
    if (!update) throw new Error(`missing golden file ${file}; run with UPDATE_GOLDEN=1 to write it`);
    writeFileSync(file, `${JSON.stringify(normalised, null, 2)}\n`);
    return;
  }
  expect(normalised).toEqual(readJson(file));
}

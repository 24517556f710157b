/**
 * P2: whatever bytes a client sends, the real running gateway answers with a 4xx in OpenAI's error format or
 * a 2xx, never a 5xx, and nothing it parses pollutes a prototype. Valid-looking bodies are routed to echo
 * models so that 2xx answers are possible. Over 1,000 generated cases plus a table of named ones.
 */
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addModel, addProvider, sseData } from './helpers.js';
import {
  CHAT,
  chatShaped,
  deep,
  EMBEDDINGS,
  embeddingsShaped,
  mutated,
  path,
  VALID_CHAT,
} from './malformed-arbitraries.js';

let gateway: TestGateway;
let key: string;
const agent = new Agent({ keepAliveTimeout: 10_000, connections: 4 });
const objectPrototype = Object.getOwnPropertyNames(Object.prototype).sort();
const arrayPrototype = Object.getOwnPropertyNames(Array.prototype).sort();

beforeAll(async () => {
  gateway = await startTestGateway();
  await addProvider(gateway, { id: 'echo', type: 'echo' });
  await addModel(gateway, 'echo-chat', [{ providerId: 'echo', upstreamModel: 'echo' }]);
  await addModel(gateway, 'echo-embed', [{ providerId: 'echo', upstreamModel: 'echo' }], {
    kind: 'embedding',
    dimension: 4,
  });
  key = (await gateway.createKey()).secret;
});

afterAll(async () => {
  await gateway?.close();
  await agent.close();
});

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** Sends the bytes and checks the invariant: no 5xx; a 4xx is OpenAI JSON; a 2xx is a complete answer. */
async function check(path: string, body: string | Uint8Array): Promise<Answer> {
  const response = await request(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : Buffer.from(body),
    dispatcher: agent,
  });
  const text = await response.body.text();
  const answer = { status: response.statusCode, contentType: String(response.headers['content-type']), text };
  const where = `${response.statusCode} for ${preview(body)}: ${text.slice(0, 300)}`;
  expect(answer.status, where).toBeLessThan(500);
  expect(answer.status, where).toBeGreaterThanOrEqual(200);
  if (answer.status >= 400) {
    expect(answer.contentType, where).toBe('application/json');
    const parsed = JSON.parse(text) as { error: Record<string, unknown> };
    expect(Object.keys(parsed), where).toEqual(['error']);
    expect(typeof parsed.error.message, where).toBe('string');
    expect(typeof parsed.error.type, where).toBe('string');
    expect(typeof parsed.error.code, where).toBe('string');
    expect(parsed.error.param === null || typeof parsed.error.param === 'string', where).toBe(true);
  } else if (answer.contentType === 'text/event-stream') {
    expect(text.endsWith('data: [DONE]\n\n'), where).toBe(true);
    for (const data of sseData(text).slice(0, -1))
      expect(JSON.parse(data), where).not.toHaveProperty('error');
  } else {
    expect(answer.contentType, where).toBe('application/json');
    expect(['chat.completion', 'list'], where).toContain((JSON.parse(text) as { object: string }).object);
  }
  return answer;
}

function preview(body: string | Uint8Array): string {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('latin1');
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…(${text.length})` : text);
}

describe('malformed bodies never yield a 5xx', () => {
  it('arbitrary strings (250 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(
        path,
        fc.oneof(fc.string({ maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 64 })),
        async (to, body) => {
          await check(to, body);
        },
      ),
      { numRuns: 250 },
    );
  });

  it('arbitrary raw bytes (100 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(path, fc.uint8Array({ maxLength: 128 }), async (to, body) => {
        await check(to, body);
      }),
      { numRuns: 100 },
    );
  });

  it('arbitrary JSON values (250 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(path, fc.jsonValue(), async (to, value) => {
        const answer = await check(to, JSON.stringify(value) ?? 'null');
        // Only an object can be a request.
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          expect(answer.status).toBe(400);
      }),
      { numRuns: 250 },
    );
  });

  it('chat- and embeddings-shaped objects with wrong types (350 cases)', async () => {
    let served = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          chatShaped.map((body) => [CHAT, body] as const),
          embeddingsShaped.map((body) => [EMBEDDINGS, body] as const),
        ),
        fc.oneof(
          { arbitrary: fc.constant(null), weight: 8 },
          { arbitrary: fc.constantFrom('model', 'messages', 'input'), weight: 1 },
        ),
        async ([to, body], dropped) => {
          // Sometimes without a required field.
          const sent: Record<string, unknown> = { ...body };
          if (dropped !== null) delete sent[dropped];
          const answer = await check(to, JSON.stringify(sent));
          if (answer.status < 300) served++;
          else refused++;
        },
      ),
      { numRuns: 350 },
    );
    // The generator reaches the echo models, not only the validators (how often depends on the draw).
    expect(served).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(50);
  });

  it('valid bodies damaged at the text and byte level (250 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async (body) => {
        await check(CHAT, body);
      }),
      { numRuns: 250 },
    );
  });
});

describe('named malformed bodies', () => {
  const reply = (answer: Answer) =>
    (JSON.parse(answer.text) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message
      .content;
  const errorOf = (answer: Answer) =>
    (JSON.parse(answer.text) as { error: { code: string; param: string | null } }).error;

  it.each([
    ['a BOM', `\uFEFF${VALID_CHAT}`],
    ['NaN', VALID_CHAT.replace('}]}', '}],"temperature":NaN}')],
    ['Infinity', VALID_CHAT.replace('}]}', '}],"max_tokens":Infinity}')],
    ['a raw NUL in a string', VALID_CHAT.replace('hi', 'h\u0000i')],
    ['a raw line feed in a string', VALID_CHAT.replace('hi', 'h\ni')],
    ['a lone closing brace', '}'],
  ])('answers %s with 400 invalid_json', async (_label, body) => {
    const answer = await check(CHAT, body);
    expect(answer.status).toBe(400);
    expect(errorOf(answer).code).toBe('invalid_json');
  });

  it.each([
    ['an escaped NUL', VALID_CHAT.replace('hi', 'a\\u0000b'), 'You said: a\u0000b'],
    ['raw U+2028 and U+2029', VALID_CHAT.replace('hi', 'a\u2028b\u2029c'), 'You said: a\u2028b\u2029c'],
    ['an escaped lone surrogate', VALID_CHAT.replace('hi', 'a\\ud800b'), 'You said: a\ud800b'],
    [
      'duplicate keys (the last one wins)',
      '{"model":"nope","messages":[{"role":"user","content":"first","content":"second"}],"model":"echo-chat"}',
      'You said: second',
    ],
    [
      'a __proto__ key',
      '{"__proto__":{"polluted":true},"model":"echo-chat","messages":[{"role":"user","content":"p","__proto__":{"role":"system"}}]}',
      'You said: p',
    ],
    [
      'constructor and prototype keys',
      '{"constructor":{"prototype":{"polluted":true}},"model":"echo-chat","messages":[{"role":"user","content":"c"}]}',
      'You said: c',
    ],
    [
      '10,000 levels of nesting in an unknown field',
      VALID_CHAT.replace('"hi"', `"deep","extra":${deep(10_000, '[', ']')}`),
      'You said: deep',
    ],
    [
      '10,000 levels of nesting in metadata',
      `{"metadata":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)},${VALID_CHAT.slice(1)}`,
      'You said: hi',
    ],
    [
      '10,000 levels of nesting in tool calls',
      `{"model":"echo-chat","messages":[{"role":"assistant","content":null,"tool_calls":${deep(10_000, '[', ']')}},{"role":"user","content":"tools"}]}`,
      'You said: tools',
    ],
    [
      '100,000 messages',
      `{"model":"echo-chat","messages":[${Array(100_000).fill('{"role":"user","content":"m"}').join(',')}]}`,
      'You said: m',
    ],
  ])('serves %s', async (_label, body, expected) => {
    const answer = await check(CHAT, body);
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    expect(reply(answer)).toBe(expected);
  });

  it('serves invalid UTF-8 as replacement characters', async () => {
    const at = VALID_CHAT.indexOf('"hi"') + 2;
    const body = Buffer.concat([
      Buffer.from(VALID_CHAT.slice(0, at)),
      Buffer.from([0xff, 0xc3]),
      Buffer.from(VALID_CHAT.slice(at)),
    ]);
    expect(body.toString('latin1')).toContain('"content":"h');
    const answer = await check(CHAT, body);
    expect(answer.status).toBe(200);
    expect(reply(answer)).toBe('You said: h\ufffd\ufffdi');
  });

  it.each([
    ['10,000 nested arrays as the body', deep(10_000, '[', ']'), null],
    [
      '10,000 nested arrays as messages',
      `{"model":"echo-chat","messages":${deep(10_000, '[', ']')}}`,
      'messages[0]',
    ],
    [
      '100,000 numbers as messages',
      `{"model":"echo-chat","messages":[${Array(100_000).fill(1).join(',')}]}`,
      'messages[0]',
    ],
    [
      '10,000 nested arrays as content',
      VALID_CHAT.replace('"hi"', deep(10_000, '[', ']')),
      'messages[0].content[0]',
    ],
    [
      'a model that is an object',
      '{"model":{"__proto__":"echo-chat"},"messages":[{"role":"user","content":"x"}]}',
      'model',
    ],
  ])('refuses %s with 400 invalid_request', async (_label, body, param) => {
    const answer = await check(CHAT, body);
    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toMatchObject({ code: 'invalid_request', param });
  });
});

// Runs last: vitest runs a file's tests in order.
describe('after every malformed body', () => {
  it('left Object.prototype and Array.prototype untouched', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(objectPrototype);
    expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(arrayPrototype);
    const probe = {} as Record<string, unknown>;
    for (const name of ['polluted', 'isAdmin', 'role', 'model', 'messages', 'x'])
      expect(probe[name]).toBeUndefined();
  });

  it('served every request to the end', () => {
    expect(gateway.running.dataPlane.inFlight()).toBe(0);
  });
});

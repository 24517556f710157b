import { describe, expect, it } from 'vitest';
import { assembleChatStream, captureRecord, limited } from './capture.js';

const sse = (events: unknown[]) =>
  `${events.map((event) => `data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`).join('')}data: [DONE]\n\n`;

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: null }],
  ...extra,
});

describe('assembleChatStream', () => {
  it('joins content, tool calls, finish reason and usage into one chat completion', () => {
    const assembled = JSON.parse(
      assembleChatStream(
        sse([
          chunk({ role: 'assistant', content: '' }),
          chunk({ content: 'Hel' }),
          chunk({ content: 'lo' }),
          chunk({
            tool_calls: [
              { index: 0, id: 't1', type: 'function', function: { name: 'get', arguments: '{"a"' } },
            ],
          }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
          { ...chunk({}), choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
          { id: 'c1', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
        ]),
      ),
    );
    expect(assembled).toEqual({
      object: 'chat.completion',
      id: 'c1',
      model: 'm',
      created: 1,
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Hello',
            tool_calls: [
              { index: 0, id: 't1', type: 'function', function: { name: 'get', arguments: '{"a":1}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
    });
  });

  it('keeps an error event and lines that are not JSON', () => {
    const assembled = JSON.parse(
      assembleChatStream(
        `${sse([chunk({ content: 'par' })])}data: {"error":{"message":"cut"}}\n\ndata: oops\n\n`,
      ),
    );
    expect(assembled.choices[0].message.content).toBe('par');
    expect(assembled.error).toEqual({ message: 'cut' });
    expect(assembled.unparsed).toEqual(['oops']);
  });
});

describe('captureRecord', () => {
  const base = {
    id: 'r1',
    requestId: 'q1',
    at: '2026-11-22T00:00:00.000Z',
    keyId: 'k',
    teamId: 't',
    responseCut: false,
    maxBytes: 10_000,
  };

  it('redacts a secret split across stream events once the answer is assembled', () => {
    const secret = 'sk-canary-0123456789abcdef01234567';
    const parts = [secret.slice(0, 6), secret.slice(6, 20), secret.slice(20)];
    const capture = captureRecord({
      ...base,
      requestText: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `repeat ${secret}` }] }),
      responseText: sse(parts.map((content) => chunk({ content }))),
      stream: true,
    });
    expect(capture.requestBody).not.toContain(secret.slice(6));
    expect(capture.responseBody).not.toContain(secret.slice(6));
    expect(JSON.parse(capture.responseBody!).choices[0].message.content).toBe('[redacted]');
    expect(capture).toMatchObject({ kind: 'capture', id: 'r1', truncated: false });
  });

  it('cuts a long body after redacting it and reports the cut', () => {
    const capture = captureRecord({
      ...base,
      requestText: 'x'.repeat(50),
      responseText: `${'word '.repeat(10)}sk-canary-abcdefghijklmnopqrstuvwxyz`,
      stream: false,
      maxBytes: 60,
    });
    expect(capture.requestBody).toBe('x'.repeat(50));
    expect(capture.responseBody).toBe(`${'word '.repeat(10)}[redacted]`);
    expect(capture.truncated).toBe(false);
    const cut = captureRecord({
      ...base,
      requestText: 'y'.repeat(80),
      responseText: null,
      stream: false,
      maxBytes: 60,
    });
    expect(cut.truncated).toBe(true);
    expect(cut.responseBody).toBeNull();
  });
});

describe('limited', () => {
  it('cuts at a character boundary and drops a token cut in half', () => {
    expect(limited('héllo wörld', 100)).toEqual({ text: 'héllo wörld', cut: false });
    expect(limited('aé', 2)).toEqual({ text: '', cut: true });
    expect(limited('one two sk-secretsecretsecret', 20)).toEqual({ text: 'one two ', cut: true });
    expect(limited('abc déf', 6)).toEqual({ text: 'abc ', cut: true });
  });
});

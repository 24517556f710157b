import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/gateway-error.js';
import { validateChatRequest, validateEmbeddingsRequest } from './validate.js';

const chat = (overrides: Record<string, unknown>) => ({
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  ...overrides,
});

function rejection(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('validateChatRequest', () => {
  it('accepts a minimal request and leaves unknown fields alone', () => {
    const body = chat({ temperature: 0.2, metadata: { a: 1 }, stream: true });
    expect(validateChatRequest(body)).toBe(body);
  });

  it.each([
    [null, null],
    [[], null],
    ['text', null],
    [{ messages: [{ role: 'user', content: 'x' }] }, 'model'],
    [chat({ model: '' }), 'model'],
    [chat({ model: 5 }), 'model'],
    [chat({ model: 'x'.repeat(257) }), 'model'],
    [chat({ messages: 'hi' }), 'messages'],
    [chat({ messages: [] }), 'messages'],
    [chat({ messages: ['hi'] }), 'messages[0]'],
    [chat({ messages: [{ role: 'robot', content: 'x' }] }), 'messages[0].role'],
    [chat({ messages: [{ role: 'user', content: 5 }] }), 'messages[0].content'],
    [chat({ messages: [{ role: 'user', content: [{ text: 'x' }] }] }), 'messages[0].content[0]'],
    [chat({ stream: 'yes' }), 'stream'],
    [chat({ max_tokens: 0 }), 'max_tokens'],
    [chat({ max_tokens: 1.5 }), 'max_tokens'],
    [chat({ max_completion_tokens: -1 }), 'max_completion_tokens'],
    [chat({ stream_options: 'x' }), 'stream_options'],
    [chat({ tools: {} }), 'tools'],
  ])('rejects %j naming %s', (body, param) => {
    const error = rejection(() => validateChatRequest(body));
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });

  it('throws nothing but a 400 GatewayError for any JSON value (P2)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          validateChatRequest(value);
        } catch (error) {
          expect(error).toBeInstanceOf(GatewayError);
          expect((error as GatewayError).status).toBe(400);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('validateEmbeddingsRequest', () => {
  it.each([['hello'], [['a', 'b']], [[1, 2, 3]], [[[1, 2], [3]]]])('accepts input %j', (input) => {
    expect(validateEmbeddingsRequest({ model: 'e', input }).input).toEqual(input);
  });

  it.each([
    [{ model: 'e' }, 'input'],
    [{ model: 'e', input: '' }, 'input'],
    [{ model: 'e', input: [] }, 'input'],
    [{ model: 'e', input: ['a', 1] }, 'input'],
    [{ model: 'e', input: [1.5] }, 'input'],
    [{ model: 'e', input: [[]] }, 'input'],
    [{ model: 'e', input: [{}] }, 'input'],
    [{ model: 'e', input: 'x', encoding_format: 'hex' }, 'encoding_format'],
    [{ model: 'e', input: 'x', dimensions: 0 }, 'dimensions'],
    [{ input: 'x' }, 'model'],
  ])('rejects %j naming %s', (body, param) => {
    expect(rejection(() => validateEmbeddingsRequest(body)).param).toBe(param);
  });

  it('throws nothing but a 400 GatewayError for any JSON value (P2)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          validateEmbeddingsRequest(value);
        } catch (error) {
          expect((error as GatewayError).status).toBe(400);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

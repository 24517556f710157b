import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk, Usage } from '../wire/openai.js';
import {
  chunkGeneratedChars,
  completionGeneratedChars,
  estimateChatPromptTokens,
  estimatedUsage,
  estimateEmbeddingsPromptTokens,
  estimateTokens,
  settleUsage,
} from './estimate-usage.js';

describe('estimateTokens', () => {
  it.each([
    [0, 0],
    [1, 1],
    [4, 1],
    [5, 2],
    [8, 2],
    [401, 101],
  ])('%i characters are %i tokens', (chars, tokens) => {
    expect(estimateTokens(chars)).toBe(tokens);
  });
});

describe('estimateChatPromptTokens', () => {
  it('counts the text of every message, rounded up, at least 1 per message', () => {
    expect(
      estimateChatPromptTokens({
        messages: [
          { role: 'system', content: 'Be brief.' }, // 9 → 3
          { role: 'user', content: '' }, // 0 → 1
          {
            role: 'user',
            content: [
              { type: 'text', text: 'abcd' }, // 4
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }, // no text
              { type: 'text', text: 'e' }, // 1 → 5 → 2
            ],
          },
          { role: 'assistant', content: null }, // 1
        ],
      }),
    ).toBe(3 + 1 + 2 + 1);
  });

  it('counts tool calls replayed in the history', () => {
    expect(
      estimateChatPromptTokens({
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c', type: 'function', function: { name: 'get', arguments: '{"city":"Oslo"}' } },
            ],
          },
        ],
      }),
    ).toBe(Math.ceil((3 + 15) / 4));
  });
});

describe('estimateEmbeddingsPromptTokens', () => {
  it('counts text inputs at 4 characters a token (at least 1 each) and token ids one each', () => {
    expect(estimateEmbeddingsPromptTokens({ input: 'hello world' })).toBe(3);
    expect(estimateEmbeddingsPromptTokens({ input: ['a', '', 'abcde'] })).toBe(1 + 1 + 2);
    expect(estimateEmbeddingsPromptTokens({ input: [101, 2023, 102] })).toBe(3);
    expect(estimateEmbeddingsPromptTokens({ input: [[1, 2], [3]] })).toBe(3);
  });
});

describe('generated characters', () => {
  const chunk = (delta: Record<string, unknown>): ChatCompletionChunk => ({
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [
      { index: 0, delta: delta as ChatCompletionChunk['choices'][number]['delta'], finish_reason: null },
    ],
  });

  it('counts content, refusals, reasoning and tool-call arguments of a chunk, not names or roles', () => {
    expect(chunkGeneratedChars(chunk({ role: 'assistant', content: '' }))).toBe(0);
    expect(chunkGeneratedChars(chunk({ content: 'héllo' }))).toBe(5);
    expect(chunkGeneratedChars(chunk({ reasoning_content: 'hmm' }))).toBe(3);
    expect(chunkGeneratedChars(chunk({ refusal: 'no' }))).toBe(2);
    expect(
      chunkGeneratedChars(
        chunk({
          tool_calls: [
            { index: 0, id: 'x', type: 'function', function: { name: 'get_weather', arguments: '' } },
            { index: 1, function: { arguments: '{"a":1}' } },
          ],
        }),
      ),
    ).toBe(7);
  });

  it('counts the same things in a whole answer', () => {
    expect(
      completionGeneratedChars({
        choices: [
          { message: { role: 'assistant', content: 'abc', reasoning_content: 'de' } },
          {
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [{ function: { name: 'f', arguments: '{}' } }],
            },
          },
        ],
      }),
    ).toBe(7);
    expect(completionGeneratedChars({ object: 'list' })).toBe(0);
    expect(completionGeneratedChars(undefined)).toBe(0);
  });
});

describe('settleUsage', () => {
  const reported: Usage = {
    prompt_tokens: 10,
    completion_tokens: 1,
    total_tokens: 11,
    prompt_tokens_details: { cached_tokens: 4 },
    completion_tokens_details: { reasoning_tokens: 1 },
  };

  it("keeps the provider's usage when it covers the answer", () => {
    expect(settleUsage(reported, true, () => 99, 400)).toEqual({ usage: reported, estimated: false });
  });

  it('estimates everything when the provider reported nothing', () => {
    expect(settleUsage(undefined, true, () => 7, 10)).toEqual({
      usage: estimatedUsage(7, 10),
      estimated: true,
    });
    expect(estimatedUsage(7, 10)).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  });

  it("keeps the provider's prompt and estimates the completion when only an opening count arrived", () => {
    expect(settleUsage(reported, false, () => 99, 40)).toEqual({
      usage: {
        prompt_tokens: 10,
        completion_tokens: 10,
        total_tokens: 20,
        prompt_tokens_details: { cached_tokens: 4 },
      },
      estimated: true,
    });
    // Never below what the provider already counted.
    expect(
      settleUsage({ ...reported, completion_tokens: 50 }, false, () => 99, 40).usage.completion_tokens,
    ).toBe(50);
  });
});

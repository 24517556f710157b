import { describe, expect, it } from 'vitest';
import { approximatePromptTokens, approximateTokens } from './approximate-tokens.js';

describe('approximateTokens', () => {
  it.each([
    ['', 0],
    ['a', 1],
    ['abcd', 1],
    ['abcde', 2],
    ['x'.repeat(400), 100],
  ])('%j -> %i', (text, tokens) => {
    expect(approximateTokens(text)).toBe(tokens);
  });
});

describe('approximatePromptTokens', () => {
  it('adds per-message and priming overhead', () => {
    expect(approximatePromptTokens([])).toBe(3);
    expect(approximatePromptTokens([{ role: 'user', content: 'abcdefgh' }])).toBe(3 + 3 + 2);
    expect(approximatePromptTokens([{ role: 'user', content: null, name: 'bob' }])).toBe(3 + 3 + 1);
  });

  it('counts text parts, images and tool calls', () => {
    const tokens = approximatePromptTokens([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'abcd' },
          { type: 'image_url', image_url: { url: 'data:,' } },
          { type: 'input_audio', input_audio: {} },
        ],
      },
      { role: 'assistant', content: null, tool_calls: [{ id: 'x' }] },
    ]);
    expect(tokens).toBe(3 + 3 + 1 + 85 + 3 + Math.ceil('[{"id":"x"}]'.length / 4));
  });
});

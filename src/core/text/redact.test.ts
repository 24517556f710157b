import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('removes known secrets wherever they appear', () => {
    expect(redactSecrets('key abcd-1234-efgh was rejected (abcd-1234-efgh)', ['abcd-1234-efgh'])).toBe(
      `key ${REDACTED} was rejected (${REDACTED})`,
    );
  });

  it.each([
    'Incorrect API key provided: sk-proj-abcdefghijklmnop1234',
    'Authorization: Bearer abcdefghijklmnopqrstu.vwxyz',
    'aws key AKIAABCDEFGHIJKLMNOP leaked',
    'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'gateway key jk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  ])('removes token-shaped strings: %s', (text) => {
    const result = redactSecrets(text);
    expect(result).toContain(REDACTED);
    expect(result).not.toMatch(/sk-proj-abc|abcdefghijklmnopqrstu|AKIAABCDEFGHIJKLMNOP|eyJzdWIi|jk_AAAA/);
  });

  it('leaves ordinary text alone and is idempotent', () => {
    const text = 'The model `gpt-4o` does not exist';
    expect(redactSecrets(text)).toBe(text);
    const once = redactSecrets('sk-abcdefghijklmnop and Bearer qwertyuiopasdf', ['qwerty']);
    expect(redactSecrets(once, ['qwerty'])).toBe(once);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactBody, redactSecrets } from './redact.js';

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

describe('redactBody (captured prompts and answers)', () => {
  const secrets = {
    openai: 'sk-proj-Zx81kQ0aBcDeFgHiJkLmNoPq',
    jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeQ',
    aws: 'AKIAZ7Q2CANARY0KEY9X',
    google: 'AIzaSyA1234567890abcdefghijklmnopqrstuv',
    github: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  };
  const leaks = (text: string) => Object.values(secrets).filter((secret) => text.includes(secret));

  it('walks a JSON body: secrets in any string, JSON escapes, nested JSON and secret-named fields', () => {
    const escaped = secrets.openai.replace('sk-', '\\u0073k\\u002d');
    const body = `{"model":"m","messages":[{"role":"user","content":"use ${escaped} and ${secrets.aws}"},
      {"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":"{\\"token\\":\\"${secrets.jwt}\\"}"}}]}],
      "metadata":{"password":"correct horse battery staple","note":"ok"}}`;
    const result = redactBody(body);
    expect(leaks(result)).toEqual([]);
    expect(result).not.toContain('correct horse');
    const parsed = JSON.parse(result) as {
      messages: Array<{ content?: string }>;
      metadata: { note: string };
    };
    expect(parsed.messages[0]!.content).toBe(`use ${REDACTED} and ${REDACTED}`);
    expect(parsed.metadata.note).toBe('ok');
  });

  it('finds secrets hidden in URL-encoded, base64 and hex runs, glued to other letters', () => {
    const text = [
      `https://x.test/?key=${encodeURIComponent(`Bearer ${secrets.openai}`)}`,
      `blob ab${btoa(`header ${secrets.google} trailer`)}`,
      `url-safe ${btoa(`x${secrets.github}`).replaceAll('+', '-').replaceAll('/', '_')}`,
      `hex f${[...`id=${secrets.aws};`].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')}`,
    ].join('\n');
    const result = redactBody(text);
    expect(leaks(result)).toEqual([]);
    expect(result.match(/\[redacted\]/g)).toHaveLength(4);
    for (const line of result.split('\n')) expect(atobSafe(line)).not.toMatch(/sk-proj|AIza|ghp_|AKIA/);
  });

  it('keeps ordinary text and structure as it was', () => {
    const body = JSON.stringify({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content:
            'Summarise https://example.com/a%20b and the hash 3f786850e387550fdab836ed7e6dc881de23001b',
        },
      ],
    });
    expect(redactBody(body)).toBe(body);
    expect(redactBody('plain text, not JSON')).toBe('plain text, not JSON');
  });

  it('is idempotent and leaves no canary in any embedding (fast-check)', () => {
    const secret = fc.oneof(
      fc.stringMatching(/^sk-canary-[a-f0-9]{24}$/),
      fc.stringMatching(/^AKIA[A-Z0-9]{16}$/),
      fc
        .tuple(fc.stringMatching(/^[A-Za-z0-9_-]{10,30}$/), fc.stringMatching(/^[A-Za-z0-9_-]{10,30}$/))
        .map(([payload, signature]) => `eyJhbGciOiJIUzI1NiJ9.eyJ${payload}.${signature}`),
    );
    const embed = fc.constantFrom<(s: string) => string>(
      (s) => s,
      (s) => encodeURIComponent(`k=${s}`),
      (s) => btoa(`token ${s}`),
      (s) => btoa(`${s}!`).replaceAll('+', '-').replaceAll('/', '_'),
      (s) => [...s].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(''),
      (s) => JSON.stringify({ content: s }).replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`),
    );
    const filler = fc.string({
      unit: fc.constantFrom(' ', '.', ',', '\n', 'a', 'Z', '9', '"', ':', '{', '}'),
    });
    fc.assert(
      fc.property(secret, embed, filler, filler, fc.boolean(), (value, form, before, after, asJson) => {
        const text = `${before} ${form(value)} ${after}`;
        const body = asJson ? JSON.stringify({ messages: [{ role: 'user', content: text }] }) : text;
        const once = redactBody(body);
        expect(redactBody(once)).toBe(once);
        expect(once).not.toContain(value);
        expect(once).not.toContain(form(value));
      }),
      { numRuns: 1_000 },
    );
  });

  it('is idempotent on arbitrary text (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const once = redactBody(text);
        expect(redactBody(once)).toBe(once);
      }),
      { numRuns: 1_000 },
    );
  });
});

/** The printable text a base64 line decodes to, or '' when it does not decode. */
function atobSafe(line: string): string {
  try {
    return atob(line.replace(/[^A-Za-z0-9+/]/g, '').slice(0, -(line.length % 4) || undefined));
  } catch {
    return '';
  }
}

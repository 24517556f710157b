import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MasterKey, SecretError } from './envelope.js';

const KEY_BYTES = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const key = new MasterKey(KEY_BYTES);
const CONTEXT = 'providers/openai-eu:credential';

/** The SecretError `run` throws (fails the test when it throws something else or nothing). */
function secretErrorOf(run: () => unknown): SecretError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretError);
    return error as SecretError;
  }
  throw new Error('expected a SecretError, but nothing was thrown');
}

/** `sealed` with one bit flipped in byte `index` of its part `part` (base64url-decoded, then re-encoded). */
function flip(sealed: string, part: number, index: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  const at = ((index % bytes.length) + bytes.length) % bytes.length;
  bytes[at] = bytes[at]! ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('MasterKey seal/open', () => {
  it('round-trips a secret and never shows it in the sealed text', () => {
    const secret = 'sk-live-0123456789abcdefghij';
    const sealed = key.seal(secret, CONTEXT);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain(Buffer.from(secret).toString('base64url').slice(4, -4));
    expect(key.open(sealed, CONTEXT)).toBe(secret);
  });

  it('round-trips unicode, the empty string and long values', () => {
    for (const secret of ['ключ 🔑 密钥 — ünïcödé', '', 'x'.repeat(10_000), '\u0000\n\t"\\']) {
      expect(key.open(key.seal(secret, CONTEXT), CONTEXT)).toBe(secret);
    }
  });

  it('writes v1.<key id>.<wrapped dek>.<iv>.<tag>.<ciphertext> in base64url', () => {
    const parts = key.seal('abc', CONTEXT).split('.');
    expect(parts).toHaveLength(6);
    expect(parts[0]).toBe('v1');
    expect(parts[1]).toBe(key.id);
    for (const part of parts.slice(2)) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(parts[2]!, 'base64url')).toHaveLength(12 + 16 + 32);
    expect(Buffer.from(parts[3]!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[4]!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64url')).toHaveLength(3);
  });

  it('seals the same value differently every time', () => {
    const first = key.seal('same value', CONTEXT);
    const second = key.seal('same value', CONTEXT);
    expect(first).not.toBe(second);
    const [, , wrappedA, ivA, , dataA] = first.split('.');
    const [, , wrappedB, ivB, , dataB] = second.split('.');
    expect(wrappedA).not.toBe(wrappedB);
    expect(ivA).not.toBe(ivB);
    expect(dataA).not.toBe(dataB);
    expect(key.open(first, CONTEXT)).toBe('same value');
    expect(key.open(second, CONTEXT)).toBe('same value');
  });

  it('refuses another context as tampered (a ciphertext copied onto another row)', () => {
    const sealed = key.seal('secret', 'providers/a:credential');
    for (const context of [
      'providers/b:credential',
      'providers/a:credential ',
      '',
      'PROVIDERS/A:CREDENTIAL',
    ]) {
      const error = secretErrorOf(() => key.open(sealed, context));
      expect(error.reason).toBe('tampered');
      expect(error.message).toBe('The sealed secret does not belong to this record or was altered');
      expect(error.name).toBe('SecretError');
    }
  });

  it.each([
    [2, 'wrapped DEK'],
    [3, 'IV'],
    [4, 'tag'],
    [5, 'ciphertext'],
  ])('refuses a flipped byte in part %i (%s) as tampered', (part) => {
    const sealed = key.seal('a secret worth protecting', CONTEXT);
    const length = Buffer.from(sealed.split('.')[part]!, 'base64url').length;
    for (const index of new Set([0, 1, Math.floor(length / 2), length - 1])) {
      expect(secretErrorOf(() => key.open(flip(sealed, part, index), CONTEXT)).reason).toBe('tampered');
    }
  });

  it('refuses truncated or mixed-up parts as tampered', () => {
    const first = key.seal('first secret', CONTEXT);
    const second = key.seal('second secret', CONTEXT);
    const a = first.split('.');
    const b = second.split('.');
    const variants = [
      [...a.slice(0, 2), b[2], ...a.slice(3)],
      [...a.slice(0, 5), b[5]],
      [...a.slice(0, 4), b[4], a[5]],
      [...a.slice(0, 2), a[2]!.slice(0, 20), ...a.slice(3)],
      [...a.slice(0, 5), `${a[5]}AA`],
      [...a.slice(0, 4), '', a[5]],
    ];
    for (const parts of variants) {
      expect(secretErrorOf(() => key.open(parts.join('.'), CONTEXT)).reason).toBe('tampered');
    }
  });

  it('refuses a truncated authentication tag as tampered (GCM would accept 4 to 15 bytes)', () => {
    const parts = key.seal('secret', CONTEXT).split('.');
    const tag = Buffer.from(parts[4]!, 'base64url');
    for (const length of [4, 8, 12, 13, 14, 15]) {
      const truncated = [...parts.slice(0, 4), tag.subarray(0, length).toString('base64url'), parts[5]];
      expect(secretErrorOf(() => key.open(truncated.join('.'), CONTEXT)).reason, `${length} bytes`).toBe(
        'tampered',
      );
    }
  });

  it('refuses another master key as wrong_key, naming both key ids', () => {
    const other = MasterKey.generate();
    expect(other.id).not.toBe(key.id);
    const error = secretErrorOf(() => other.open(key.seal('secret', CONTEXT), CONTEXT));
    expect(error.reason).toBe('wrong_key');
    expect(error.message).toBe(
      `The secret was sealed with master key ${key.id}, but the configured master key is ${other.id}`,
    );
  });

  it('refuses a forged key id as wrong_key', () => {
    const parts = key.seal('secret', CONTEXT).split('.');
    parts[1] = 'aaaaaaaaaaaa';
    expect(secretErrorOf(() => key.open(parts.join('.'), CONTEXT)).reason).toBe('wrong_key');
  });

  it.each(['', 'plaintext-credential', 'v1', 'v1.a.b.c.d', 'v1.a.b.c.d.e.f', 'v2.a.b.c.d.e', 'V1.a.b.c.d.e'])(
    'refuses the malformed value %j as malformed',
    (value) => {
      const error = secretErrorOf(() => key.open(value, CONTEXT));
      expect(error.reason).toBe('malformed');
      expect(error.message).toBe('The sealed secret is malformed');
    },
  );

  it('refuses a sealed value with another version prefix as malformed', () => {
    const sealed = key.seal('secret', CONTEXT);
    expect(secretErrorOf(() => key.open(`v2${sealed.slice(2)}`, CONTEXT)).reason).toBe('malformed');
  });
});

describe('MasterKey.parse', () => {
  it('reads 64 hex characters, in either case and with surrounding whitespace', () => {
    const hex = KEY_BYTES.toString('hex');
    expect(MasterKey.parse(hex).id).toBe(key.id);
    expect(MasterKey.parse(hex.toUpperCase()).id).toBe(key.id);
    expect(MasterKey.parse(`  ${hex}\n`).id).toBe(key.id);
  });

  it('reads base64 and base64url of 32 bytes, and its own export', () => {
    expect(MasterKey.parse(KEY_BYTES.toString('base64')).id).toBe(key.id);
    expect(MasterKey.parse(`${KEY_BYTES.toString('base64')}\n`).id).toBe(key.id);
    expect(MasterKey.parse(KEY_BYTES.toString('base64url')).id).toBe(key.id);
    expect(MasterKey.parse(key.export()).id).toBe(key.id);
    const generated = MasterKey.generate();
    expect(MasterKey.parse(generated.export()).id).toBe(generated.id);
  });

  it('gives keys parsed from hex and base64 of the same bytes each other’s secrets', () => {
    const fromHex = MasterKey.parse(KEY_BYTES.toString('hex'));
    const fromBase64 = MasterKey.parse(KEY_BYTES.toString('base64'));
    expect(fromBase64.open(fromHex.seal('shared', CONTEXT), CONTEXT)).toBe('shared');
  });

  it.each([
    ['empty', ''],
    ['too short hex', 'ab'.repeat(31)],
    ['hex of 33 bytes', 'ab'.repeat(33)],
    ['63 hex characters', 'a'.repeat(63)],
    ['base64 of 31 bytes', randomBytes(31).toString('base64')],
    ['base64 of 33 bytes', randomBytes(33).toString('base64')],
    ['a passphrase', 'correct horse battery staple'],
  ])('refuses %s', (_label, text) => {
    expect(() => MasterKey.parse(text)).toThrow(
      'The master key must be 32 bytes written as 64 hex characters or as base64',
    );
  });

  it('refuses a key of another length in the constructor', () => {
    expect(() => new MasterKey(randomBytes(16))).toThrow('The master key must be 32 bytes (256 bits)');
  });

  it('derives a 12-hex-character id that differs between keys and reveals nothing of the key', () => {
    expect(key.id).toMatch(/^[0-9a-f]{12}$/);
    expect(KEY_BYTES.toString('hex')).not.toContain(key.id);
    expect(MasterKey.generate().id).not.toBe(MasterKey.generate().id);
  });
});

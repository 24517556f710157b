/**
 * The small pieces of sign-in: password policy and hashing, the failed sign-in throttle, the CSRF token of a
 * session, and single sign-on's claim reading, rule matching and `next` sanitising.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../src/management/identity/login-throttle.js';
import {
  checkPasswordPolicy,
  hashPassword,
  verifyPassword,
} from '../../src/management/identity/passwords.js';
import { csrfMatches, csrfTokenFor } from '../../src/management/identity/sessions.js';
import { claimValues, matchRule, type SsoRule, safeNext } from '../../src/management/identity/sso.js';

describe('passwords', () => {
  it('hashes with argon2id and verifies only the right password', async () => {
    const phc = await hashPassword('correct horse battery');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(phc, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(phc, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword(null, 'correct horse battery')).toBe(false);
    expect(await verifyPassword('not a phc string', 'x')).toBe(false);
    expect(await verifyPassword(phc, 'x'.repeat(5000))).toBe(false);
  });

  it('refuses short, blank and huge passwords naming the field', () => {
    expect(() => checkPasswordPolicy('short')).toThrow(/password: must be at least 12/);
    expect(() => checkPasswordPolicy(' '.repeat(20))).toThrow(/must not be blank/);
    expect(() => checkPasswordPolicy('x'.repeat(1025))).toThrow(/at most 1024/);
    expect(() => checkPasswordPolicy('twelve chars')).not.toThrow();
  });
});

describe('failed sign-in throttle', () => {
  it('refuses an email after five failures until the first leaves the window', () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(5, 15 * 60_000, 100, () => now);
    for (let attempt = 0; attempt < 4; attempt++) throttle.fail('a@example.com');
    expect(throttle.retryAfter('a@example.com')).toBe(0);
    throttle.fail('a@example.com');
    expect(throttle.retryAfter('a@example.com')).toBe(900);
    expect(throttle.retryAfter('b@example.com')).toBe(0);
    now += 600_000;
    expect(throttle.retryAfter('a@example.com')).toBe(300);
    now += 300_001;
    expect(throttle.retryAfter('a@example.com')).toBe(0);
    throttle.fail('a@example.com');
    throttle.succeed('a@example.com');
    expect(throttle.retryAfter('a@example.com')).toBe(0);
  });

  it('keeps at most its bound of emails, dropping the oldest', () => {
    const throttle = new LoginThrottle(1, 60_000, 3);
    for (const email of ['a', 'b', 'c', 'd']) throttle.fail(email);
    expect(throttle.retryAfter('a')).toBe(0);
    expect(throttle.retryAfter('d')).toBeGreaterThan(0);
  });
});

describe('CSRF token', () => {
  it('is derived from the session secret and matches only it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (secret, other) => {
        const token = csrfTokenFor(secret);
        expect(csrfMatches(secret, token)).toBe(true);
        expect(csrfMatches(secret, undefined)).toBe(false);
        if (other !== secret) expect(csrfMatches(secret, csrfTokenFor(other))).toBe(false);
        expect(token).not.toContain(secret.length > 8 ? secret : '\u0000');
      }),
    );
  });
});

describe('single sign-on rules', () => {
  const rules: SsoRule[] = [
    { value: 'admins', role: 'super_admin', teamId: null },
    { value: 'ml', role: 'developer', teamId: 'team_ml' },
    { value: 'everyone', role: 'viewer', teamId: null },
  ];

  it('reads a claim as a list of strings, at a dotted path', () => {
    expect(claimValues({ groups: ['a', 'b', 3] }, 'groups')).toEqual(['a', 'b']);
    expect(claimValues({ roles: 'admins' }, 'roles')).toEqual(['admins']);
    expect(claimValues({ realm_access: { roles: ['x'] } }, 'realm_access.roles')).toEqual(['x']);
    expect(claimValues({ groups: { a: 1 } }, 'groups')).toBeUndefined();
    expect(claimValues({}, 'groups')).toBeUndefined();
    expect(claimValues({ realm_access: ['x'] }, 'realm_access.roles')).toBeUndefined();
  });

  it('takes the first rule in order that any value matches, exactly', () => {
    expect(matchRule(rules, ['everyone', 'ml'])?.role).toBe('developer');
    expect(matchRule(rules, ['everyone', 'admins', 'ml'])?.role).toBe('super_admin');
    expect(matchRule(rules, ['Admins', 'admins '])).toBeUndefined();
    expect(matchRule(rules, [])).toBeUndefined();
  });

  it('keeps `next` only when it is a path on this origin', () => {
    expect(safeNext('/providers?tab=health')).toBe('/providers?tab=health');
    for (const unsafe of [
      undefined,
      '',
      '//evil.example',
      'https://evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      '/ok\r\nset-cookie: x=1',
      `/${'a'.repeat(2001)}`,
    ]) {
      expect(safeNext(unsafe)).toBe('/');
    }
  });
});

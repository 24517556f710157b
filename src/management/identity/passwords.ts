/**
 * Passwords of local users: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane; about 10 ms here), kept as
 * PHC strings so stronger parameters later still verify the old hashes. A sign-in for an unknown user verifies
 * against a fixed hash so that its answer takes as long as a wrong password's.
 */
import type * as Argon2 from '@node-rs/argon2';
import { GatewayError } from '../../core/errors/gateway-error.js';

/** `algorithm: 2` is argon2id (the package's const enum cannot be imported under isolated modules). */
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;
/** Longer passwords are refused before hashing (the hash's cost grows with the input). */
export const PASSWORD_MAX_LENGTH = 1024;

/** Throws 400 naming the field when `password` does not meet the policy. */
export function checkPasswordPolicy(password: string, field = 'password'): void {
  const problem =
    password.length < PASSWORD_MIN_LENGTH
      ? `must be at least ${PASSWORD_MIN_LENGTH} characters`
      : password.length > PASSWORD_MAX_LENGTH
        ? `must be at most ${PASSWORD_MAX_LENGTH} characters`
        : password.trim().length === 0
          ? 'must not be blank'
          : undefined;
  if (problem) {
    throw new GatewayError('invalid_request', `${field}: ${problem}`, {
      details: [{ path: field, message: problem }],
    });
  }
}

/** The argon2 binding, loaded at the first password operation rather than at start (cold start). */
let binding: Promise<typeof Argon2> | undefined;
const argon2 = () => {
  binding ??= import('@node-rs/argon2');
  return binding;
};

export async function hashPassword(password: string): Promise<string> {
  return (await argon2()).hash(password, OPTIONS);
}

let decoy: Promise<string> | undefined;

/**
 * Whether `password` matches `phc`. Without a hash (unknown user, SSO user) it verifies against a decoy and
 * answers false, in about the same time.
 */
export async function verifyPassword(phc: string | null | undefined, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH) return false;
  if (!phc) {
    decoy ??= hashPassword('junction decoy password, never valid');
    await (await argon2()).verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await (await argon2()).verify(phc, password);
  } catch {
    return false;
  }
}

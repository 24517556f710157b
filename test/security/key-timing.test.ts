/**
 * Test plan X7: no timing signal in the API-key lookup. `authenticate()` hashes the presented secret (SHA-256)
 * and looks the digest up in `snapshot.keysByHash`, so no secret is compared. Wrong keys that share 0 leading
 * characters with a real key and wrong keys that share 24 are timed in-process, interleaved in random order;
 * the plan's verdict: Mann-Whitney p > 0.01 between the groups, or a median difference under 1 µs.
 *
 * The second test runs the same measurement on a deliberately leaky lookup (a linear string compare over the
 * plaintext secrets of the same key table) and expects the verdict to fail, so this test can fail.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { expect, it } from 'vitest';
import { GatewayError } from '../../src/core/errors/gateway-error.js';
import { compileSnapshot } from '../../src/core/snapshot/compile.js';
import type { GatewaySnapshot } from '../../src/core/snapshot/snapshot.js';
import type { ApiKeySource } from '../../src/core/snapshot/source.js';
import { authenticate } from '../../src/dataplane/authenticate.js';
import { generateSecret, hashSecret } from '../../src/secrets/hash.js';
import { configurationSource } from '../support/configuration.js';
import { mannWhitneyU, median } from '../support/mann-whitney.js';

const ATTEMPTS_PER_GROUP = 20_000;
const WARM_UP_PER_GROUP = 5_000;
const SHARED_PREFIX = 24;
/** A realistic key table: every key starts with the same non-secret `jk_`, as issued keys do. */
const KEYS_IN_TABLE = 200;
const P_THRESHOLD = 0.01;
const MEDIAN_THRESHOLD_NS = 1_000;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

type Lookup = (headers: IncomingHttpHeaders) => unknown;

interface Verdict {
  medianZeroNs: number;
  medianSharedNs: number;
  p: number;
  pass: boolean;
}

function randomChars(length: number): string {
  let text = '';
  for (const byte of randomBytes(length)) text += BASE64URL[byte & 63];
  return text;
}

/**
 * A wrong key of the real key's length whose first `shared` characters are the real key's and whose next one
 * differs. The header is copied through a Buffer so that every string is flat: a rope (cons string) costs a
 * flattening on first use, which would differ between the groups for reasons that have nothing to do with
 * the code under test.
 */
function wrongKeyHeaders(secret: string, shared: number): IncomingHttpHeaders {
  let next: string;
  do next = randomChars(1);
  while (next === secret[shared]);
  const wrong = secret.slice(0, shared) + next + randomChars(secret.length - shared - 1);
  return { authorization: Buffer.from(`Bearer ${wrong}`, 'latin1').toString('latin1') };
}

function keyTable(): { secret: string; secrets: string[]; snapshot: GatewaySnapshot } {
  const secrets = Array.from({ length: KEYS_IN_TABLE }, () => generateSecret('jk'));
  const apiKeys: ApiKeySource[] = secrets.map((secret, index) => ({
    id: `key-${index}`,
    name: `key ${index}`,
    secretHash: hashSecret(secret),
    teamId: 'team',
    environment: 'production',
    expiresAt: null,
    revokedAt: null,
  }));
  const compiled = compileSnapshot(configurationSource({ teams: [{ id: 'team', name: 'team' }], apiKeys }));
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
  // The real key the wrong ones are measured against sits in the middle of the table.
  return { secret: secrets[KEYS_IN_TABLE >> 1]!, secrets, snapshot: compiled.snapshot };
}

/** Times `lookup` on both groups, interleaved in random order after a warm-up, and applies the plan's verdict. */
function measure(lookup: Lookup, secret: string): Verdict {
  const call = (headers: IncomingHttpHeaders) => {
    try {
      lookup(headers);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
    }
  };
  for (let i = 0; i < WARM_UP_PER_GROUP; i++) {
    call(wrongKeyHeaders(secret, 0));
    call(wrongKeyHeaders(secret, SHARED_PREFIX));
  }
  const trials: Array<{ shared: boolean; headers: IncomingHttpHeaders }> = [];
  for (let i = 0; i < ATTEMPTS_PER_GROUP; i++) {
    trials.push({ shared: false, headers: wrongKeyHeaders(secret, 0) });
    trials.push({ shared: true, headers: wrongKeyHeaders(secret, SHARED_PREFIX) });
  }
  for (let i = trials.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [trials[i], trials[j]] = [trials[j]!, trials[i]!];
  }
  const zero: number[] = [];
  const shared: number[] = [];
  for (const trial of trials) {
    const start = process.hrtime.bigint();
    call(trial.headers);
    const elapsed = Number(process.hrtime.bigint() - start);
    (trial.shared ? shared : zero).push(elapsed);
  }
  const medianZeroNs = median(zero);
  const medianSharedNs = median(shared);
  const { p } = mannWhitneyU(zero, shared);
  const pass = p > P_THRESHOLD || Math.abs(medianSharedNs - medianZeroNs) < MEDIAN_THRESHOLD_NS;
  return { medianZeroNs, medianSharedNs, p, pass };
}

const describeVerdict = (label: string, verdict: Verdict) =>
  `${label}: median ${(verdict.medianZeroNs / 1000).toFixed(3)} µs (0 shared) vs ` +
  `${(verdict.medianSharedNs / 1000).toFixed(3)} µs (${SHARED_PREFIX} shared), ` +
  `Mann-Whitney p ${verdict.p === 0 ? '< 1e-300' : `= ${verdict.p.toPrecision(3)}`}`;

it('X7: authenticate() shows no timing signal between wrong keys sharing 0 and 24 leading characters', () => {
  const { secret, snapshot } = keyTable();
  // The real key is accepted and the wrong ones are refused, so both groups take the refusal path.
  expect(authenticate({ authorization: `Bearer ${secret}` }, snapshot, Date.now()).id).toBe(
    `key-${KEYS_IN_TABLE >> 1}`,
  );
  for (const shared of [0, SHARED_PREFIX]) {
    expect(() => authenticate(wrongKeyHeaders(secret, shared), snapshot, Date.now())).toThrow(/not valid/);
  }
  const verdict = measure((headers) => authenticate(headers, snapshot, Date.now()), secret);
  process.stdout.write(`${describeVerdict('X7 authenticate()', verdict)}\n`);
  expect(verdict.pass, describeVerdict('X7 authenticate()', verdict)).toBe(true);
});

it('X7 sensitivity: the same measurement fails a linear string compare over the key table', () => {
  const { secret, secrets } = keyTable();
  // What the hash-keyed lookup replaced: compare the presented secret with every key's plaintext.
  const leaky: Lookup = (headers) => {
    const presented = (headers.authorization as string).slice('Bearer '.length);
    for (const candidate of secrets) if (candidate === presented) return candidate;
    throw new GatewayError('invalid_api_key');
  };
  const verdict = measure(leaky, secret);
  process.stdout.write(`${describeVerdict('X7 leaky linear compare', verdict)}\n`);
  expect(verdict.pass, describeVerdict('X7 leaky linear compare', verdict)).toBe(false);
});

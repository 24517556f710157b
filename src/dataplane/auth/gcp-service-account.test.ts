import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../../test/harness/fake-upstream.js';
import { oauthTokenHandler } from '../../../test/harness/google-protocol.js';
import type { ServiceAccountKey } from '../../core/providers/credentials.js';
import { CLOUD_PLATFORM_SCOPE, createGcpTokenSource, parseServiceAccount } from './gcp-service-account.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const TOKEN_PATH = '/token';
const HOUR = 3_600_000;

let upstream: FakeUpstream;
let account: ServiceAccountKey;

beforeAll(async () => {
  upstream = await startFakeUpstream({ defaultReplies: false });
});

afterAll(async () => {
  await upstream.close();
});

beforeEach(() => {
  upstream.reset();
  account = {
    client_email: 'junction@acme-prod.iam.gserviceaccount.com',
    private_key: privateKeyPem,
    private_key_id: 'key-1',
    project_id: 'acme-prod',
    token_uri: `${upstream.url}${TOKEN_PATH}`,
  };
});

/** A clock the test moves by hand, starting at the real time so the endpoint's exp check passes. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let at = Date.now();
  return { now: () => at, advance: (ms) => (at += ms) };
}

/** Polls until the condition holds (a background refresh has no promise to await), failing after 2 s. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('createGcpTokenSource', () => {
  it('signs an RS256 assertion Google accepts and returns the access token', async () => {
    upstream.on({
      path: TOKEN_PATH,
      reply: oauthTokenHandler({ publicKey, clientEmail: account.client_email, audience: account.token_uri }),
    });
    const source = createGcpTokenSource(account);
    expect(await source.token()).toBe('fake-access-token-1');
    const [sent] = upstream.requests;
    expect(sent?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(sent?.body);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const assertion = form.get('assertion') ?? '';
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'key-1' });
    const claims = decodeJwt(assertion);
    expect(claims).toMatchObject({
      iss: account.client_email,
      aud: account.token_uri,
      scope: CLOUD_PLATFORM_SCOPE,
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
  });

  it('caches the token until five minutes before it expires', async () => {
    upstream.on({ path: TOKEN_PATH, reply: oauthTokenHandler({ publicKey, expiresIn: 3600 }) });
    const clock = manualClock();
    const source = createGcpTokenSource(account, { now: clock.now });
    expect(await source.token()).toBe('fake-access-token-1');
    clock.advance(HOUR - 6 * 60_000);
    expect(await source.token()).toBe('fake-access-token-1');
    expect(source.peek()).toBe('fake-access-token-1');
    expect(upstream.requests).toHaveLength(1);
  });

  it('shares one request among 20 concurrent callers', async () => {
    upstream.on({ path: TOKEN_PATH, reply: oauthTokenHandler({ publicKey }) });
    const source = createGcpTokenSource(account);
    expect(source.peek()).toBeUndefined();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => source.token()));
    expect(new Set(tokens)).toEqual(new Set(['fake-access-token-1']));
    expect(upstream.requests).toHaveLength(1);
  });

  it('refreshes in the background near expiry while handing out the cached token', async () => {
    upstream.on({ path: TOKEN_PATH, reply: oauthTokenHandler({ publicKey, expiresIn: 3600 }) });
    const clock = manualClock();
    const source = createGcpTokenSource(account, { now: clock.now });
    await source.token();
    clock.advance(HOUR - 4 * 60_000);
    const during = await Promise.all(Array.from({ length: 5 }, () => source.token()));
    expect(during).toEqual(Array(5).fill('fake-access-token-1'));
    await waitUntil(() => source.peek() === 'fake-access-token-2');
    expect(upstream.requests).toHaveLength(2);
  });

  it('waits for a new token once the cached one has expired', async () => {
    upstream.on({ path: TOKEN_PATH, reply: oauthTokenHandler({ publicKey, expiresIn: 3600 }) });
    const clock = manualClock();
    const source = createGcpTokenSource(account, { now: clock.now });
    await source.token();
    clock.advance(HOUR);
    expect(source.peek()).toBeUndefined();
    expect(await source.token()).toBe('fake-access-token-2');
  });

  it('keeps the cached token when a background refresh fails, and retries later', async () => {
    const clock = manualClock();
    upstream.enqueue(
      'POST',
      TOKEN_PATH,
      { kind: 'json', body: { access_token: 'first', expires_in: 3600, token_type: 'Bearer' } },
      { kind: 'json', status: 503, body: { error: 'backend_error' } },
      { kind: 'json', body: { access_token: 'second', expires_in: 3600, token_type: 'Bearer' } },
    );
    const source = createGcpTokenSource(account, { now: clock.now });
    expect(await source.token()).toBe('first');
    clock.advance(HOUR - 4 * 60_000);
    expect(await source.token()).toBe('first');
    await upstream.waitForRequests(2);
    // Let the failed answer reach the source before the clock moves on.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await source.token()).toBe('first');
    expect(upstream.requests).toHaveLength(2);
    clock.advance(11_000);
    expect(await source.token()).toBe('first');
    await waitUntil(() => source.peek() === 'second');
  });

  it("reports Google's error without the key or the assertion", async () => {
    const { publicKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    upstream.on({ path: TOKEN_PATH, reply: oauthTokenHandler({ publicKey: otherKey }) });
    const source = createGcpTokenSource(account);
    const failures = await Promise.allSettled([source.token(), source.token()]);
    expect(upstream.requests).toHaveLength(1);
    for (const failure of failures) {
      expect(failure.status).toBe('rejected');
      const message = String((failure as PromiseRejectedResult).reason.message);
      expect(message).toBe(
        'the Google token endpoint answered HTTP 400: invalid_grant: Invalid JWT Signature.',
      );
    }
  });

  it('never repeats an assertion an endpoint echoes back', async () => {
    upstream.on({
      path: TOKEN_PATH,
      reply: (request) => ({
        kind: 'json',
        status: 401,
        body: { error: 'nope', error_description: request.body },
      }),
    });
    const error = await createGcpTokenSource(account)
      .token()
      .catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('HTTP 401');
    expect(message).toContain('[assertion]');
    expect(message).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(message).not.toContain('PRIVATE KEY');
  });

  it('names an unreadable private key without quoting it', async () => {
    const broken = {
      ...account,
      private_key: '-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----\n',
    };
    await expect(createGcpTokenSource(broken).token()).rejects.toThrow(
      'the private_key of service account junction@acme-prod.iam.gserviceaccount.com cannot be read',
    );
    expect(upstream.requests).toHaveLength(0);
  });

  it('reports an unreachable endpoint and an answer without a token', async () => {
    const closed = await startFakeUpstream();
    const url = `${closed.url}/token`;
    await closed.close();
    await expect(createGcpTokenSource(account, { tokenUriOverride: url }).token()).rejects.toThrow(
      /^could not reach the Google token endpoint 127\.0\.0\.1:\d+: /,
    );
    upstream.on({ path: TOKEN_PATH, reply: { kind: 'json', body: { token_type: 'Bearer' } } });
    await expect(createGcpTokenSource(account).token()).rejects.toThrow('answered without an access_token');
  });

  it('posts to the override while keeping token_uri as the audience', async () => {
    upstream.on({ path: '/elsewhere', reply: oauthTokenHandler({ publicKey, audience: account.token_uri }) });
    const source = createGcpTokenSource(account, { tokenUriOverride: `${upstream.url}/elsewhere` });
    expect(await source.token()).toBe('fake-access-token-1');
  });
});

describe('parseServiceAccount', () => {
  const key = {
    type: 'service_account',
    client_email: 'a@b.iam.gserviceaccount.com',
    private_key: privateKeyPem,
    private_key_id: 'k',
    token_uri: 'https://oauth2.googleapis.com/token',
    project_id: 'acme',
  };

  it('accepts a key file and names the missing field otherwise', () => {
    expect(parseServiceAccount(JSON.stringify(key))).toMatchObject({
      ok: true,
      value: { project_id: 'acme' },
    });
    const { client_email: _email, ...withoutEmail } = key;
    expect(parseServiceAccount(JSON.stringify(withoutEmail))).toEqual({
      ok: false,
      message: 'the service-account key needs client_email',
    });
    expect(parseServiceAccount('{')).toMatchObject({
      ok: false,
      message: 'the service-account key is not valid JSON',
    });
    expect(parseServiceAccount(JSON.stringify({ ...key, type: 'authorized_user' }))).toMatchObject({
      ok: false,
    });
  });
});

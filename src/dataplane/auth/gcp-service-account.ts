/**
 * Google service-account authentication: a key file becomes OAuth access tokens through the JWT-bearer grant
 * (https://developers.google.com/identity/protocols/oauth2/service-account#httprest). Tokens are cached until
 * five minutes before they expire; in those last five minutes the cached token is still handed out while one
 * refresh runs in the background, and concurrent callers always share a single request to the token endpoint.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Agent as UndiciAgent } from 'undici';
import type { ServiceAccountKey } from '../../core/providers/credentials.js';
import { Agent } from '../../http/undici.js';

/** Reads and validates a service-account key file, naming the missing or malformed field. */
export { parseServiceAccount } from '../../core/providers/credentials.js';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** Google accepts assertions valid for at most an hour. */
const ASSERTION_LIFETIME_SECONDS = 3600;
/** From this long before expiry, a token is refreshed in the background while it is still handed out. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** A token this close to expiry is no longer handed out: a request sent with it could arrive after it lapsed. */
const EXPIRY_GUARD_MS = 30_000;
/** After a failed background refresh, callers keep the cached token this long before another is tried. */
const BACKGROUND_RETRY_MS = 10_000;
const TOKEN_REQUEST_TIMEOUT_MS = 15_000;

export interface GcpTokenSourceOptions {
  /** Epoch milliseconds; Date.now by default. */
  now?: () => number;
  /** Where to POST the assertion instead of the key's token_uri (the assertion's audience stays token_uri). */
  tokenUriOverride?: string;
}

export interface GcpTokenSource {
  /** A valid access token, fetching one when none is cached or the cached one is about to expire. */
  token(): Promise<string>;
  /** The cached token when it is still usable (starting a background refresh when due), without waiting. */
  peek(): string | undefined;
}

interface CachedToken {
  value: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Creates the token source of one service account. */
export function createGcpTokenSource(
  serviceAccount: ServiceAccountKey,
  options: GcpTokenSourceOptions = {},
): GcpTokenSource {
  const now = options.now ?? Date.now;
  const endpoint = options.tokenUriOverride ?? serviceAccount.token_uri;
  let key: KeyObject | undefined;
  let cached: CachedToken | undefined;
  let inFlight: Promise<CachedToken> | undefined;
  let backgroundFailedAt = Number.NEGATIVE_INFINITY;

  const signingKey = (): KeyObject => {
    if (!key) {
      try {
        key = createPrivateKey(serviceAccount.private_key);
      } catch {
        // The parser's message could quote the key; say only which account it is.
        throw new Error(`the private_key of service account ${serviceAccount.client_email} cannot be read`);
      }
    }
    return key;
  };

  const fetchToken = async (): Promise<CachedToken> => {
    const startedAt = now();
    const issuedAt = Math.floor(startedAt / 1000);
    const assertion = await new SignJWT({ scope: CLOUD_PLATFORM_SCOPE })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        ...(serviceAccount.private_key_id ? { kid: serviceAccount.private_key_id } : {}),
      })
      .setIssuer(serviceAccount.client_email)
      .setAudience(serviceAccount.token_uri)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ASSERTION_LIFETIME_SECONDS)
      .sign(signingKey());
    const form = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion,
    });
    let status: number;
    let text: string;
    try {
      const url = new URL(endpoint);
      const response = await tokenAgent().request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`could not reach the Google token endpoint ${hostOf(endpoint)}: ${reason}`);
    }
    return readTokenAnswer(status, text, startedAt, assertion);
  };

  const refresh = (): Promise<CachedToken> => {
    inFlight ??= fetchToken()
      .then((token) => {
        cached = token;
        return token;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  /** The cached token when usable, starting a background refresh inside the margin; undefined otherwise. */
  const usable = (): string | undefined => {
    if (!cached) return undefined;
    const at = now();
    if (at < cached.expiresAt - REFRESH_MARGIN_MS) return cached.value;
    if (at >= cached.expiresAt - EXPIRY_GUARD_MS) return undefined;
    if (!inFlight && at - backgroundFailedAt >= BACKGROUND_RETRY_MS) {
      refresh().catch(() => {
        backgroundFailedAt = now();
      });
    }
    return cached.value;
  };

  return {
    token: async () => usable() ?? (await refresh()).value,
    peek: usable,
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'at the configured token_uri';
  }
}

function readTokenAnswer(status: number, text: string, startedAt: number, assertion: string): CachedToken {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      body = parsed as Record<string, unknown>;
    }
  } catch {
    // Non-JSON answers (an HTML error page) are reported by status alone.
  }
  if (status !== 200) {
    const description = [body.error, body.error_description]
      .filter((part): part is string => typeof part === 'string' && part !== '')
      .join(': ')
      // An endpoint that echoes its input must not make the assertion show up in logs.
      .replaceAll(assertion, '[assertion]');
    throw new Error(
      `the Google token endpoint answered HTTP ${status}${description ? `: ${description}` : ''}`,
    );
  }
  const accessToken = body.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new Error('the Google token endpoint answered without an access_token');
  }
  const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
  return { value: accessToken, expiresAt: startedAt + expiresIn * 1000 };
}

/** The connections token requests go over (any token endpoint), made on first use. */
let agent: UndiciAgent | undefined;
const tokenAgent = (): UndiciAgent => {
  agent ??= new Agent();
  return agent;
};

/**
 * A hand-rolled OpenID issuer on 127.0.0.1:0 (node:http + jose) for negative tests: it answers discovery, JWKS,
 * authorization and token requests like a real issuer, but can be told to misbehave — a flawed ID token
 * (`flaw`), a wrong `state`, an `error=access_denied` answer, a wrong or missing `iss` in the authorization
 * response. It records what the relying party sent and counts JWKS and token requests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

export const ID_TOKEN_FLAWS = [
  'alg-none',
  'hs256',
  'wrong-iss',
  'wrong-aud',
  'multi-aud-no-azp',
  'expired',
  'nbf-future',
  'iat-future',
  'wrong-nonce',
  'no-nonce',
  'unknown-kid',
  'bad-signature',
] as const;

export type IdTokenFlaw = (typeof ID_TOKEN_FLAWS)[number];

export interface CraftedClaims {
  sub: string;
  email?: string;
  name?: string;
  groups?: string[] | string;
  [claim: string]: unknown;
}

/** What the relying party sent to `/authorize`. */
export interface AuthorizeRecord {
  response_type?: string;
  client_id?: string;
  redirect_uri?: string;
  state?: string;
  nonce?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  scope?: string;
  [parameter: string]: string | undefined;
}

export interface CraftedIdpOptions {
  clientId: string;
  clientSecret: string;
  /** Advertise `authorization_response_iss_parameter_supported: true` (RFC 9207). */
  advertiseIss?: boolean;
  /** `id_token_signing_alg_values_supported` in discovery (default ["RS256"]). */
  idTokenAlgs?: string[];
  claims?: CraftedClaims;
}

export interface CraftedIdp {
  readonly issuer: string;
  /** How the next ID token is broken (undefined: a valid token). */
  flaw: IdTokenFlaw | undefined;
  /** Claims of the next ID token (besides iss/aud/exp/iat/nonce). */
  claims: CraftedClaims;
  /** How `/authorize` answers: a normal code, a state other than the one sent, or `error=access_denied`. */
  authorizeMode: 'code' | 'wrong-state' | 'access-denied';
  /** `iss` in the authorization response: the issuer, another URL, or none (default: issuer when advertised). */
  issMode: 'correct' | 'wrong' | 'omit';
  readonly authorizeRequests: AuthorizeRecord[];
  /** Why each refused token request was refused (code reuse, PKCE, client auth...). */
  readonly tokenFailures: string[];
  readonly jwksRequests: number;
  readonly tokenRequests: number;
  /** The redirect `/authorize` answered last (the callback URL with code and state). */
  readonly lastRedirect: string | undefined;
  resetCounts(): void;
  close(): Promise<void>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  nonce: string | undefined;
  challenge: string | undefined;
  method: string | undefined;
  issuedAt: number;
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** Starts the issuer; `close()` stops it. */
export async function startCraftedIdp(options: CraftedIdpOptions): Promise<CraftedIdp> {
  const good = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  const goodKid = 'crafted-good';
  const publicJwk = { ...(await exportJWK(good.publicKey)), kid: goodKid, alg: 'RS256', use: 'sig' };

  const codes = new Map<string, PendingCode>();
  const counters = { jwks: 0, token: 0 };
  const authorizeRequests: AuthorizeRecord[] = [];
  const tokenFailures: string[] = [];
  let lastRedirect: string | undefined;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', detail: (error as Error).message });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const idp: CraftedIdp = {
    issuer,
    flaw: undefined,
    claims: options.claims ?? { sub: 'crafted-user', email: 'crafted@example.test', name: 'Crafted User' },
    authorizeMode: 'code',
    issMode: options.advertiseIss ? 'correct' : 'omit',
    authorizeRequests,
    tokenFailures,
    get jwksRequests() {
      return counters.jwks;
    },
    get tokenRequests() {
      return counters.token;
    },
    get lastRedirect() {
      return lastRedirect;
    },
    resetCounts() {
      counters.jwks = 0;
      counters.token = 0;
      authorizeRequests.length = 0;
      tokenFailures.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };

  const discovery = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: options.idTokenAlgs ?? ['RS256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: ['openid', 'email', 'profile', 'groups'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'email', 'name', 'groups'],
    ...(options.advertiseIss ? { authorization_response_iss_parameter_supported: true } : {}),
  };

  async function idToken(code: PendingCode): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const flaw = idp.flaw;
    const payload: JWTPayload = {
      ...idp.claims,
      iss: flaw === 'wrong-iss' ? `${issuer}/not-this-issuer` : issuer,
      aud:
        flaw === 'wrong-aud'
          ? 'some-other-client'
          : flaw === 'multi-aud-no-azp'
            ? [code.clientId, 'some-other-client']
            : code.clientId,
      iat: flaw === 'iat-future' ? now + 3600 : now,
      exp: flaw === 'expired' ? now - 3600 : now + 600,
      ...(flaw === 'nbf-future' ? { nbf: now + 3600 } : {}),
    };
    if (flaw === 'expired') payload.iat = now - 7200;
    if (flaw !== 'no-nonce' && code.nonce !== undefined) {
      payload.nonce = flaw === 'wrong-nonce' ? base64url(randomBytes(16)) : code.nonce;
    }
    switch (flaw) {
      case 'alg-none': {
        const header = base64url(Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })));
        return `${header}.${base64url(Buffer.from(JSON.stringify(payload)))}.`;
      }
      case 'hs256':
        return new SignJWT(payload)
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .sign(new TextEncoder().encode(options.clientSecret));
      case 'unknown-kid':
        // Signed by a key the JWKS does not publish, under a kid the JWKS does not have.
        return new SignJWT(payload)
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'kid-nobody-published' })
          .sign(other.privateKey);
      case 'bad-signature':
        // The published kid, but signed by another key.
        return new SignJWT(payload)
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: goodKid })
          .sign(other.privateKey);
      default:
        return new SignJWT(payload)
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: goodKid })
          .sign(good.privateKey);
    }
  }

  function clientCredentials(req: IncomingMessage, form: URLSearchParams): { id?: string; secret?: string } {
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return {
        id: decodeURIComponent(decoded.slice(0, colon)),
        secret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    }
    return { id: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.token += 1;
    const form = new URLSearchParams(await readBody(req));
    const refuse = (status: number, error: string, why: string) => {
      tokenFailures.push(why);
      sendJson(res, status, { error, error_description: why });
    };
    const client = clientCredentials(req, form);
    if (client.id !== options.clientId || client.secret !== options.clientSecret) {
      return refuse(401, 'invalid_client', 'client authentication failed');
    }
    if (form.get('grant_type') !== 'authorization_code') {
      return refuse(400, 'unsupported_grant_type', 'grant_type');
    }
    const codeValue = form.get('code') ?? '';
    const code = codes.get(codeValue);
    // Single use: a code is gone after its first exchange, whatever the outcome.
    codes.delete(codeValue);
    if (!code) return refuse(400, 'invalid_grant', 'unknown or used code');
    if (Date.now() - code.issuedAt > 60_000) return refuse(400, 'invalid_grant', 'code expired');
    if (code.clientId !== client.id) return refuse(400, 'invalid_grant', 'code issued to another client');
    if (form.get('redirect_uri') !== code.redirectUri) return refuse(400, 'invalid_grant', 'redirect_uri');
    const verifier = form.get('code_verifier');
    if (code.challenge === undefined || code.method !== 'S256') {
      return refuse(400, 'invalid_grant', 'no S256 code_challenge was sent');
    }
    if (!verifier || base64url(createHash('sha256').update(verifier).digest()) !== code.challenge) {
      return refuse(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    }
    sendJson(res, 200, {
      access_token: base64url(randomBytes(24)),
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'openid email profile',
      id_token: await idToken(code),
    });
  }

  function authorize(url: URL, res: ServerResponse): void {
    const record: AuthorizeRecord = Object.fromEntries(url.searchParams.entries());
    authorizeRequests.push(record);
    const redirectUri = record.redirect_uri;
    if (!redirectUri || record.client_id !== options.clientId) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('bad authorization request');
      return;
    }
    const target = new URL(redirectUri);
    if (idp.authorizeMode === 'access-denied') {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'the user said no');
    } else {
      const code = base64url(randomBytes(24));
      codes.set(code, {
        clientId: record.client_id,
        redirectUri,
        nonce: record.nonce,
        challenge: record.code_challenge,
        method: record.code_challenge_method,
        issuedAt: Date.now(),
      });
      target.searchParams.set('code', code);
    }
    const state = idp.authorizeMode === 'wrong-state' ? base64url(randomBytes(16)) : record.state;
    if (state !== undefined) target.searchParams.set('state', state);
    if (idp.issMode === 'correct') target.searchParams.set('iss', issuer);
    if (idp.issMode === 'wrong') target.searchParams.set('iss', 'http://127.0.0.1:1/evil-issuer');
    lastRedirect = target.toString();
    res.writeHead(302, { location: lastRedirect });
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return sendJson(res, 200, discovery);
    }
    if (req.method === 'GET' && url.pathname === '/jwks') {
      counters.jwks += 1;
      return sendJson(res, 200, { keys: [publicJwk] }, { 'content-type': 'application/jwk-set+json' });
    }
    if (req.method === 'GET' && url.pathname === '/authorize') return authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/token') return token(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }

  return idp;
}

/**
 * A real OpenID Provider (oidc-provider 9) in-process on 127.0.0.1:0 for the SSO end-to-end tests: one static
 * confidential client (authorization code + PKCE), accounts in a mutable map, and interactions that log in
 * `idp.loginAs` and grant the requested scopes without any form, so a plain HTTP client that follows redirects
 * completes the flow. `groups` (scope `groups`) and the `email`/`profile` claims are put in the ID token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';

export interface IdpAccount {
  email: string;
  email_verified: boolean;
  name: string;
  groups: string[];
}

export interface OidcProviderOptions {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Accounts by `sub`; the map stays live (tests may change it). */
  accounts?: Map<string, IdpAccount>;
  /** The account the automatic login signs in (settable later through `idp.loginAs`). */
  loginAs?: string;
}

export interface OidcIdp {
  readonly issuer: string;
  /** `sub` of the account the next interaction logs in. */
  loginAs: string;
  readonly accounts: Map<string, IdpAccount>;
  setGroups(sub: string, groups: string[]): void;
  /** Number of completed interactions (logins) so far. */
  readonly logins: number;
  close(): Promise<void>;
}

// The surface of oidc-provider this fixture uses (the package ships no type declarations).
interface InteractionDetails {
  uid: string;
  prompt: { name: string };
  params: Record<string, unknown>;
  grantId?: string;
}
interface GrantInstance {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: new (properties: { accountId: string; clientId: string }) => GrantInstance;
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

let providerClass: Promise<ProviderClass> | undefined;
let consoleFilterInstalled = false;

/**
 * oidc-provider prints development notices through console.warn/info ("Unsupported runtime" on Node 20, the
 * in-memory adapter, default TTL functions). Drops those lines, and only those, for the test process.
 */
function silenceProviderNotices(): void {
  if (consoleFilterInstalled) return;
  consoleFilterInstalled = true;
  const target = globalThis.console;
  for (const level of ['warn', 'info'] as const) {
    const original = target[level].bind(target);
    target[level] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('oidc-provider ')) return;
      original(...args);
    };
  }
}

function loadProvider(): Promise<ProviderClass> {
  silenceProviderNotices();
  // A module name held in a variable: the untyped package is typed through ProviderClass above.
  const name = 'oidc-provider';
  providerClass ??= import(name).then((module: { default: ProviderClass }) => module.default);
  return providerClass;
}

/** Starts the provider; `close()` stops it. */
export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcIdp> {
  const Provider = await loadProvider();
  const accounts = options.accounts ?? new Map<string, IdpAccount>();
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'idp-rs256', alg: 'RS256', use: 'sig' };

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const state = { loginAs: options.loginAs ?? accounts.keys().next().value ?? '', logins: 0 };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // Scope → claims; `groups` is its own scope (as at Okta and others).
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    // Put the claims of the granted scopes in the ID token, not only behind the userinfo endpoint.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    jwks: { keys: [signingKey] },
    cookies: { keys: ['junction-test-idp-cookie-key-0123456789'] },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
    renderError: (ctx: { type: string; body: string }, out: Record<string, unknown>) => {
      ctx.type = 'text/plain';
      ctx.body = `idp error: ${JSON.stringify(out)}`;
    },
    findAccount: (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: account.email,
          email_verified: account.email_verified,
          name: account.name,
          groups: [...account.groups],
        }),
      };
    },
  });

  const callback = provider.callback();

  /** Logs in `state.loginAs` and grants what the client asked for, in one step. */
  async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const accountId = state.loginAs;
    if (!accounts.has(accountId)) {
      res.statusCode = 500;
      res.end(`no such account: ${accountId}`);
      return;
    }
    const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    state.logins += 1;
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  handler = (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.statusCode = 500;
        res.end(`interaction failed: ${(error as Error).message}`);
      });
      return;
    }
    callback(req, res);
  };

  return {
    issuer,
    accounts,
    get loginAs() {
      return state.loginAs;
    },
    set loginAs(sub: string) {
      state.loginAs = sub;
    },
    get logins() {
      return state.logins;
    },
    setGroups(sub, groups) {
      const account = accounts.get(sub);
      if (!account) throw new Error(`no such account: ${sub}`);
      account.groups = [...groups];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

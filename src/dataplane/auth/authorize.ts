/**
 * The auth decorator: adds an entry's authentication to a request an adapter built. Static credentials are
 * precomputed headers in the snapshot; AWS entries sign each request (SigV4); Google service accounts attach a
 * cached OAuth token; BYOK entries forward the caller's own key. Signers and token sources are kept per
 * credential, so a new snapshot with the same credential reuses them (and their cached tokens).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayError } from '../../core/errors/gateway-error.js';
import { withFields } from '../../core/objects.js';
import type { UpstreamRequest } from '../../core/providers/adapter.js';
import type { CompiledProvider } from '../../core/snapshot/snapshot.js';
import { createAwsSigner } from './aws-sigv4.js';
import { createGcpTokenSource } from './gcp-service-account.js';
import { callerProviderKey, missingProviderKey } from './passthrough.js';

export type Authorized = { ok: true; headers: Record<string, string> } | { ok: false; error: GatewayError };

type Signer = ReturnType<typeof createAwsSigner>;
type TokenSource = ReturnType<typeof createGcpTokenSource>;

export interface Authorizer {
  authorize(
    provider: CompiledProvider,
    request: UpstreamRequest,
    clientHeaders: IncomingHttpHeaders,
  ): Authorized | Promise<Authorized>;
}

export interface AuthorizerOptions {
  /** Replaces every service account's token URI (tests point it at a local fake). */
  gcpTokenUri?: string;
}

/** Creates the decorator with its signer and token caches. */
export function createAuthorizer(options: AuthorizerOptions = {}): Authorizer {
  const signers = new Map<string, Signer>();
  const tokenSources = new Map<string, TokenSource>();

  const signerFor = (provider: CompiledProvider & { auth: { kind: 'aws-sigv4' } }): Signer => {
    const key = `${provider.id}\u0000${provider.credentialKey}\u0000${provider.auth.region}`;
    let signer = signers.get(key);
    if (!signer) {
      forget(signers, provider.id);
      signer = createAwsSigner(provider.auth.credentials, provider.auth.region, 'bedrock');
      signers.set(key, signer);
    }
    return signer;
  };
  const tokenSourceFor = (
    provider: CompiledProvider & { auth: { kind: 'gcp-service-account' } },
  ): TokenSource => {
    const key = `${provider.id}\u0000${provider.credentialKey}`;
    let source = tokenSources.get(key);
    if (!source) {
      forget(tokenSources, provider.id);
      source = createGcpTokenSource(
        provider.auth.serviceAccount,
        options.gcpTokenUri ? { tokenUriOverride: options.gcpTokenUri } : {},
      );
      tokenSources.set(key, source);
    }
    return source;
  };

  const authorize = (
    provider: CompiledProvider,
    request: UpstreamRequest,
    clientHeaders: IncomingHttpHeaders,
  ): Authorized | Promise<Authorized> => {
    const auth = provider.auth;
    switch (auth.kind) {
      case 'static':
        return { ok: true, headers: withFields(request.headers, provider.headers) };
      case 'passthrough': {
        const key = callerProviderKey(clientHeaders);
        if (!key) return { ok: false, error: missingProviderKey(provider.id) };
        return { ok: true, headers: withFields(request.headers, { [auth.header]: `${auth.prefix}${key}` }) };
      }
      case 'aws-sigv4': {
        const signer = signerFor(provider as CompiledProvider & { auth: typeof auth });
        return signer
          .sign({
            origin: provider.origin,
            path: request.path,
            method: request.method,
            headers: { ...request.headers },
            body: request.body,
          })
          .then((headers): Authorized => ({ ok: true, headers }));
      }
      case 'gcp-service-account': {
        const source = tokenSourceFor(provider as CompiledProvider & { auth: typeof auth });
        return source.token().then(
          (token): Authorized => ({
            ok: true,
            headers: withFields(request.headers, { authorization: `Bearer ${token}` }),
          }),
        );
      }
    }
  };
  return { authorize };
}

/** Drops cached signers or token sources of an entry whose credential changed. */
function forget(cache: Map<string, unknown>, providerId: string): void {
  const prefix = `${providerId}\u0000`;
  for (const key of cache.keys()) if (key.startsWith(prefix)) cache.delete(key);
}

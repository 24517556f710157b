/**
 * Signs upstream requests with AWS Signature Version 4 (header form), for Bedrock entries authenticated with
 * an access key. The path is signed exactly as it goes on the wire: adapters URI-encode each segment once
 * (a model id's `:` becomes `%3A`), and the signer encodes it a second time for the canonical request, which
 * is what AWS expects from every service except S3. smithy's signer is loaded with the first request signed: a
 * process without Bedrock entries never loads it.
 */
import type { SignatureV4 } from '@smithy/signature-v4';

type SignerOptions = ConstructorParameters<typeof SignatureV4>[0];

let smithy: Promise<{ Signer: typeof SignatureV4; sha256: SignerOptions['sha256'] }> | undefined;
const loadSmithy = () => {
  smithy ??= Promise.all([import('@smithy/signature-v4'), import('@smithy/hash-node')]).then(
    ([signature, hash]) => ({ Signer: signature.SignatureV4, sha256: hash.Hash.bind(null, 'sha256') }),
  );
  return smithy;
};

/** An AWS access key, with the session token of temporary credentials. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** One request about to be sent. */
export interface SignableRequest {
  /** `https://bedrock-runtime.us-east-1.amazonaws.com` (scheme, host and port only). */
  readonly origin: string;
  /** Path and query, as sent on the wire. */
  readonly path: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface AwsSigner {
  /**
   * The full header set to send: the request's headers plus `host`, `x-amz-date`, `x-amz-security-token` (for
   * temporary credentials) and `authorization`. `signingDate` is for tests; requests are signed at "now".
   */
  sign(request: SignableRequest, signingDate?: Date): Promise<Record<string, string>>;
}

/** Creates a signer for one entry's credentials, region and service; it is reused for every request. */
export function createAwsSigner(credentials: AwsCredentials, region: string, service = 'bedrock'): AwsSigner {
  let ready: Promise<SignatureV4> | undefined;
  const signerReady = () => {
    ready ??= loadSmithy().then(
      ({ Signer, sha256 }) =>
        new Signer({
          credentials: {
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: credentials.secretAccessKey,
            ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
          },
          region,
          service,
          sha256,
          // Double-encodes the (already encoded) wire path in the canonical request, as non-S3 services require.
          uriEscapePath: true,
          // Bedrock does not need x-amz-content-sha256; leaving it out keeps the request lean.
          applyChecksum: false,
        }),
    );
    return ready;
  };

  return {
    async sign(request, signingDate) {
      const url = new URL(request.origin);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
      // The Host header undici will send: URL.host omits the scheme's default port, as HTTP clients do.
      headers.host = url.host;
      const queryStart = request.path.indexOf('?');
      const signer = await signerReady();
      const signed = await signer.sign(
        {
          method: request.method.toUpperCase(),
          protocol: url.protocol,
          hostname: url.hostname,
          ...(url.port ? { port: Number(url.port) } : {}),
          path: queryStart === -1 ? request.path : request.path.slice(0, queryStart),
          query: queryStart === -1 ? {} : parseQuery(request.path.slice(queryStart + 1)),
          headers,
          body: request.body,
        },
        signingDate ? { signingDate } : {},
      );
      const result: Record<string, string> = {};
      for (const [name, value] of Object.entries(signed.headers)) {
        if (typeof value === 'string') result[name.toLowerCase()] = value;
      }
      return result;
    },
  };
}

/** Decoded query parameters; smithy re-encodes them in the canonical form (a repeated key becomes a list). */
function parseQuery(query: string): Record<string, string | string[]> {
  const parameters: Record<string, string | string[]> = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decodeURIComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decodeURIComponent(pair.slice(equals + 1));
    const existing = parameters[key];
    if (existing === undefined) parameters[key] = value;
    else parameters[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return parameters;
}

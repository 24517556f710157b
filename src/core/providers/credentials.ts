/**
 * The shapes a stored credential takes beyond a single secret: an AWS access key (SigV4) and a Google
 * service-account key. They are sealed as JSON text; these parsers read them back and say precisely what is
 * wrong, without ever repeating a secret value.
 */

/** An AWS access key pair, with a session token for temporary credentials. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The fields of a Google service-account key file Junction uses. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
  token_uri: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

function parseObject(text: string, what: string): Record<string, unknown> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `the ${what} is not valid JSON`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return `the ${what} must be a JSON object`;
  return parsed as Record<string, unknown>;
}

const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** Reads an AWS credential (`{"accessKeyId","secretAccessKey","sessionToken"?}`). */
export function parseAwsCredentials(text: string): Parsed<AwsCredentials> {
  const record = parseObject(text, 'AWS credential');
  if (typeof record === 'string') return { ok: false, message: record };
  if (!isText(record.accessKeyId)) return { ok: false, message: 'the AWS credential needs accessKeyId' };
  if (!/^[A-Z0-9]{16,128}$/.test(record.accessKeyId.trim()))
    return { ok: false, message: 'accessKeyId does not look like an AWS access key id (AKIA… or ASIA…)' };
  if (!isText(record.secretAccessKey))
    return { ok: false, message: 'the AWS credential needs secretAccessKey' };
  if (record.sessionToken !== undefined && !isText(record.sessionToken))
    return { ok: false, message: 'sessionToken, when given, must be a non-empty string' };
  const value: AwsCredentials = {
    accessKeyId: record.accessKeyId.trim(),
    secretAccessKey: record.secretAccessKey.trim(),
  };
  if (isText(record.sessionToken)) value.sessionToken = record.sessionToken.trim();
  return { ok: true, value };
}

/** Reads a Google service-account key file as downloaded from the console. */
export function parseServiceAccount(text: string): Parsed<ServiceAccountKey> {
  const record = parseObject(text, 'service-account key');
  if (typeof record === 'string') return { ok: false, message: record };
  if (record.type !== undefined && record.type !== 'service_account')
    return { ok: false, message: `the key file is of type ${String(record.type)}, not service_account` };
  if (!isText(record.client_email))
    return { ok: false, message: 'the service-account key needs client_email' };
  if (!isText(record.private_key)) return { ok: false, message: 'the service-account key needs private_key' };
  if (!record.private_key.includes('PRIVATE KEY-----'))
    return { ok: false, message: 'private_key is not a PEM private key' };
  if (record.token_uri !== undefined && !isText(record.token_uri))
    return { ok: false, message: 'token_uri, when given, must be a URL' };
  const value: ServiceAccountKey = {
    client_email: record.client_email,
    private_key: record.private_key,
    token_uri: isText(record.token_uri) ? record.token_uri : GOOGLE_TOKEN_URI,
  };
  if (isText(record.private_key_id)) value.private_key_id = record.private_key_id;
  if (isText(record.project_id)) value.project_id = record.project_id;
  return { ok: true, value };
}

/** The secrets inside a stored credential, each to be scrubbed from anything an upstream sends back. */
export function secretsOfCredential(text: string): string[] {
  const aws = parseAwsCredentials(text);
  if (aws.ok) return [aws.value.secretAccessKey, aws.value.sessionToken ?? '', text].filter(Boolean);
  const account = parseServiceAccount(text);
  if (account.ok) return [account.value.private_key, text];
  return [text];
}

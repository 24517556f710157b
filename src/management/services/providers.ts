/** Provider entries: one endpoint plus one credential. Credentials are sealed to their row and never read back. */
import { asc, eq } from 'drizzle-orm';
import { GatewayError } from '../../core/errors/gateway-error.js';
import { parseBaseUrl } from '../../core/snapshot/compile.js';
import type { MasterKey } from '../../secrets/envelope.js';
import { credentialHint } from '../../secrets/hash.js';
import type { Database } from '../../store/database.js';
import { modelDeployments, providers } from '../../store/schema.js';
import type { ProviderCreate, ProviderUpdate } from '../api/schemas.js';
import { providerCredentialContext } from '../configuration.js';
import { notFound, rethrowConflict } from './store-errors.js';

type ProviderRow = typeof providers.$inferSelect;

/** The API view of a provider row: the credential appears only as a masked hint. */
export function providerView(row: ProviderRow) {
  return {
    id: row.id,
    displayName: row.displayName,
    type: row.type as ProviderCreate['type'],
    baseUrl: row.baseUrl,
    authMethod: row.authMethod as NonNullable<ProviderCreate['authMethod']>,
    region: row.region,
    environments: row.environments,
    enabled: row.enabled,
    firstParty: row.firstParty,
    labels: row.labels,
    credential:
      row.credentialHint && row.credentialRotatedAt
        ? { hint: row.credentialHint, rotatedAt: row.credentialRotatedAt.toISOString() }
        : null,
    config: row.config,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type ProviderView = ReturnType<typeof providerView>;

export async function listProviders(db: Database): Promise<ProviderView[]> {
  return (await db.select().from(providers).orderBy(asc(providers.id))).map(providerView);
}

export async function getProvider(db: Database, id: string): Promise<ProviderView> {
  const [row] = await db.select().from(providers).where(eq(providers.id, id));
  if (!row) throw notFound('Provider', id);
  return providerView(row);
}

interface Resolved {
  type: ProviderCreate['type'];
  baseUrl: string | null;
  authMethod: NonNullable<ProviderCreate['authMethod']>;
  hasCredential: boolean;
}

/** Applies the per-type rules; throws a 400 naming the field that breaks one. */
function checkProvider(resolved: Resolved): void {
  const fail = (param: string, message: string) =>
    new GatewayError('invalid_request', message, { details: [{ path: param, message }] });
  if (resolved.type === 'echo') {
    if (resolved.baseUrl) throw fail('baseUrl', 'an echo provider answers in-process and takes no base URL');
    if (resolved.authMethod !== 'none' || resolved.hasCredential) {
      throw fail(resolved.hasCredential ? 'apiKey' : 'authMethod', 'an echo provider takes no credential');
    }
    return;
  }
  if (resolved.type === 'openai-compatible' && !resolved.baseUrl) {
    throw fail(
      'baseUrl',
      'an openai-compatible provider needs the base URL of its server, e.g. http://vllm:8000/v1',
    );
  }
  if (resolved.baseUrl) {
    const parsed = parseBaseUrl(resolved.baseUrl);
    if (typeof parsed === 'string') throw fail('baseUrl', parsed);
  }
  if (resolved.authMethod === 'api-key' && !resolved.hasCredential) {
    throw fail('apiKey', 'the api-key auth method needs an apiKey');
  }
}

export async function createProvider(
  db: Database,
  masterKey: MasterKey,
  input: ProviderCreate,
): Promise<ProviderView> {
  const apiKey = input.apiKey?.trim();
  const authMethod =
    input.authMethod ?? (input.type === 'echo' || (!apiKey && input.type !== 'openai') ? 'none' : 'api-key');
  const baseUrl = input.baseUrl ?? (input.type === 'openai' ? 'https://api.openai.com/v1' : null);
  checkProvider({ type: input.type, baseUrl, authMethod, hasCredential: Boolean(apiKey) });
  const now = new Date();
  const [row] = await db
    .insert(providers)
    .values({
      id: input.id,
      displayName: input.displayName,
      type: input.type,
      baseUrl,
      authMethod,
      region: input.region ?? null,
      environments: input.environments ?? ['production', 'staging'],
      enabled: input.enabled ?? true,
      firstParty: input.firstParty ?? false,
      labels: input.labels ?? {},
      config: input.config ?? {},
      credentialCiphertext: apiKey ? masterKey.seal(apiKey, providerCredentialContext(input.id)) : null,
      credentialHint: apiKey ? credentialHint(apiKey) : null,
      credentialRotatedAt: apiKey ? now : null,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .catch((error: unknown) =>
      rethrowConflict(error, `A provider with the identifier ${input.id} already exists`),
    );
  return providerView(row!);
}

export async function updateProvider(
  db: Database,
  masterKey: MasterKey,
  id: string,
  patch: ProviderUpdate,
): Promise<ProviderView> {
  const [current] = await db.select().from(providers).where(eq(providers.id, id));
  if (!current) throw notFound('Provider', id);
  const apiKey = patch.apiKey?.trim();
  // As on create: a credential given without an auth method is meant to be used.
  const authMethod =
    patch.authMethod ??
    (apiKey && current.type !== 'echo' ? 'api-key' : (current.authMethod as Resolved['authMethod']));
  const baseUrl = patch.baseUrl === undefined ? current.baseUrl : patch.baseUrl;
  const keepsCredential = authMethod !== 'none';
  checkProvider({
    type: current.type as Resolved['type'],
    baseUrl,
    authMethod,
    hasCredential: Boolean(apiKey) || (keepsCredential && current.credentialCiphertext !== null),
  });
  const now = new Date();
  const credential = apiKey
    ? {
        credentialCiphertext: masterKey.seal(apiKey, providerCredentialContext(id)),
        credentialHint: credentialHint(apiKey),
        credentialRotatedAt: now,
      }
    : keepsCredential
      ? {}
      : { credentialCiphertext: null, credentialHint: null, credentialRotatedAt: null };
  const [row] = await db
    .update(providers)
    .set({
      displayName: patch.displayName,
      baseUrl,
      authMethod,
      region: patch.region,
      environments: patch.environments,
      enabled: patch.enabled,
      firstParty: patch.firstParty,
      labels: patch.labels,
      config: patch.config,
      ...credential,
      updatedAt: now,
    })
    .where(eq(providers.id, id))
    .returning();
  return providerView(row!);
}

export async function deleteProvider(db: Database, id: string): Promise<void> {
  const users = await db
    .selectDistinct({ modelId: modelDeployments.modelId })
    .from(modelDeployments)
    .where(eq(modelDeployments.providerId, id));
  if (users.length > 0) {
    const names = users.map((user) => user.modelId).sort();
    throw new GatewayError(
      'in_use',
      `Provider ${id} serves the models ${names.join(', ')}; remove it from them first`,
    );
  }
  const deleted = await db.delete(providers).where(eq(providers.id, id)).returning({ id: providers.id });
  if (deleted.length === 0) throw notFound('Provider', id);
}

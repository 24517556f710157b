/** Provider entries: one endpoint plus one credential. Credentials are sealed to their row and never read back. */
import { asc, eq, inArray } from 'drizzle-orm';
import { GatewayError } from '../../core/errors/gateway-error.js';
import { providerTypeInfo } from '../../core/providers/catalog.js';
import { parseBaseUrl } from '../../core/snapshot/compile.js';
import type { AuthMethod, ProviderType } from '../../core/snapshot/source.js';
import type { HealthBoard, HealthRecord } from '../../health/health-board.js';
import type { MasterKey } from '../../secrets/envelope.js';
import { credentialHint } from '../../secrets/hash.js';
import type { Database } from '../../store/database.js';
import { environments, modelDeployments, providers } from '../../store/schema.js';
import type { ProviderCreate, ProviderUpdate } from '../api/schemas.js';
import { providerCredentialContext } from '../configuration.js';
import { notFound, rethrowConflict } from './store-errors.js';

type ProviderRow = typeof providers.$inferSelect;

/** The API view of an entry's health record. */
export function healthView(record: HealthRecord | undefined) {
  return {
    status: record?.status ?? 'unverified',
    lastCheckedAt: record?.lastCheckedAt ? new Date(record.lastCheckedAt).toISOString() : null,
    lastVerifiedAt: record?.lastVerifiedAt ? new Date(record.lastVerifiedAt).toISOString() : null,
    latencyMs: record?.latencyMs ?? null,
    diagnostic: record?.diagnostic ?? null,
  };
}

/** The API view of a provider row: the credential appears only as a masked hint. */
export function providerView(row: ProviderRow, health?: HealthBoard, warnings?: string[]) {
  return {
    id: row.id,
    displayName: row.displayName,
    type: row.type as ProviderType,
    baseUrl: row.baseUrl,
    authMethod: row.authMethod as AuthMethod,
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
    health: healthView(health?.get(row.id)),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    ...(warnings && warnings.length > 0 ? { warnings } : {}),
  };
}
export type ProviderView = ReturnType<typeof providerView>;

export async function listProviders(db: Database, health?: HealthBoard): Promise<ProviderView[]> {
  return (await db.select().from(providers).orderBy(asc(providers.id))).map((row) =>
    providerView(row, health),
  );
}

export async function getProvider(db: Database, id: string, health?: HealthBoard): Promise<ProviderView> {
  const [row] = await db.select().from(providers).where(eq(providers.id, id));
  if (!row) throw notFound('Provider', id);
  return providerView(row, health);
}

const article = (word: string) => (/^[aeio]/.test(word) ? 'an' : 'a');

const invalid = (path: string, message: string) =>
  new GatewayError('invalid_request', message, { details: [{ path, message }] });

interface Resolved {
  id: string;
  type: ProviderType;
  baseUrl: string | null;
  authMethod: AuthMethod;
  hasCredential: boolean;
  region: string | null;
}

/** Applies the catalog's rules to an entry; throws a 400 naming the field that breaks one. */
function checkProvider(resolved: Resolved): void {
  const info = providerTypeInfo(resolved.type);
  if (!info.authMethods.includes(resolved.authMethod)) {
    throw invalid(
      'authMethod',
      `${article(resolved.type)} ${resolved.type} provider authenticates with ${info.authMethods.join(' or ')}, not ${resolved.authMethod}`,
    );
  }
  if (info.wire === 'in-process') {
    if (resolved.baseUrl)
      throw invalid(
        'baseUrl',
        `${article(resolved.type)} ${resolved.type} provider answers in-process and takes no base URL`,
      );
    if (resolved.hasCredential)
      throw invalid('apiKey', `${article(resolved.type)} ${resolved.type} provider takes no credential`);
    return;
  }
  if (!resolved.baseUrl) {
    throw invalid(
      'baseUrl',
      `a ${resolved.type} provider needs the base URL of its server, e.g. http://vllm:8000/v1`,
    );
  }
  const parsed = parseBaseUrl(resolved.baseUrl);
  if (typeof parsed === 'string') throw invalid('baseUrl', parsed);
  if (resolved.authMethod === 'api-key' && !resolved.hasCredential) {
    throw invalid('apiKey', 'the api-key auth method needs an apiKey');
  }
}

/** Advice that does not block saving: a credential pasted with whitespace around it. */
function credentialWarnings(rawApiKey: string | undefined): string[] {
  return rawApiKey !== undefined && rawApiKey !== rawApiKey.trim()
    ? ['The credential had surrounding whitespace, which was removed before it was stored.']
    : [];
}

/** Advice that does not block saving: the naming convention that keeps regional entries together. */
function namingWarnings(id: string, region: string | null): string[] {
  const warnings: string[] = [];
  if (!id.includes('-')) {
    warnings.push(
      `Consider naming entries <provider>-<cloud>-<region> (e.g. openai-azure-westus) so related entries sort together; "${id}" cannot be renamed later.`,
    );
  } else if (region && !id.endsWith(region)) {
    warnings.push(
      `Consider ending the identifier with its region (${region}) so regional entries sort together.`,
    );
  }
  return warnings;
}

async function checkEnvironments(db: Database, names: readonly string[] | undefined): Promise<void> {
  if (!names || names.length === 0) return;
  const known = new Set(
    (
      await db
        .select({ id: environments.id })
        .from(environments)
        .where(inArray(environments.id, [...names]))
    ).map((row) => row.id),
  );
  const missing = names.filter((name) => !known.has(name));
  if (missing.length > 0)
    throw invalid('environments', `unknown environment ${missing.join(', ')}; create it first`);
}

export async function createProvider(
  db: Database,
  masterKey: MasterKey,
  input: ProviderCreate,
): Promise<ProviderView> {
  const info = providerTypeInfo(input.type);
  const apiKey = input.apiKey?.trim() || undefined;
  const authMethod =
    input.authMethod ?? (apiKey && info.authMethods.includes('api-key') ? 'api-key' : info.defaultAuthMethod);
  const baseUrl = input.baseUrl ?? info.defaultBaseUrl;
  const region = input.region ?? null;
  checkProvider({
    id: input.id,
    type: input.type,
    baseUrl,
    authMethod,
    hasCredential: Boolean(apiKey),
    region,
  });
  const environmentNames = input.environments ?? ['production', 'staging'];
  await checkEnvironments(db, environmentNames);
  const now = new Date();
  const [row] = await db
    .insert(providers)
    .values({
      id: input.id,
      displayName: input.displayName,
      type: input.type,
      baseUrl,
      authMethod,
      region,
      environments: [...new Set(environmentNames)],
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
  return providerView(row!, undefined, [
    ...credentialWarnings(input.apiKey),
    ...namingWarnings(input.id, region),
  ]);
}

export async function updateProvider(
  db: Database,
  masterKey: MasterKey,
  id: string,
  patch: ProviderUpdate,
): Promise<ProviderView> {
  const [current] = await db.select().from(providers).where(eq(providers.id, id));
  if (!current) throw notFound('Provider', id);
  const type = current.type as ProviderType;
  const apiKey = patch.apiKey?.trim() || undefined;
  // As on create: a credential given without an auth method is meant to be used.
  const authMethod =
    patch.authMethod ??
    (apiKey && providerTypeInfo(type).authMethods.includes('api-key')
      ? 'api-key'
      : (current.authMethod as AuthMethod));
  const baseUrl = patch.baseUrl === undefined ? current.baseUrl : patch.baseUrl;
  const region = patch.region === undefined ? current.region : patch.region;
  const keepsCredential = authMethod !== 'none';
  checkProvider({
    id,
    type,
    baseUrl,
    authMethod,
    hasCredential: Boolean(apiKey) || (keepsCredential && current.credentialCiphertext !== null),
    region,
  });
  await checkEnvironments(db, patch.environments);
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
      region,
      environments: patch.environments ? [...new Set(patch.environments)] : undefined,
      enabled: patch.enabled,
      firstParty: patch.firstParty,
      labels: patch.labels,
      config: patch.config,
      ...credential,
      updatedAt: now,
    })
    .where(eq(providers.id, id))
    .returning();
  return providerView(row!, undefined, credentialWarnings(patch.apiKey));
}

/** Replaces the credential atomically (the old one is gone when this commits). */
export async function rotateCredential(
  db: Database,
  masterKey: MasterKey,
  id: string,
  apiKey: string,
): Promise<ProviderView> {
  const [current] = await db.select({ type: providers.type }).from(providers).where(eq(providers.id, id));
  if (!current) throw notFound('Provider', id);
  if (!providerTypeInfo(current.type as ProviderType).authMethods.includes('api-key')) {
    throw invalid('apiKey', `${article(current.type)} ${current.type} provider takes no credential`);
  }
  return updateProvider(db, masterKey, id, { apiKey, authMethod: 'api-key' });
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

/** Provider entries: one endpoint plus one credential. Credentials are sealed to their row and never read back. */
import { asc, eq, inArray } from 'drizzle-orm';
import { GatewayError } from '../../core/errors/gateway-error.js';
import { effectiveBaseUrl, providerTypeInfo, regionOfHost } from '../../core/providers/catalog.js';
import { parseAwsCredentials, parseServiceAccount } from '../../core/providers/credentials.js';
import { compileSnapshot, parseBaseUrl } from '../../core/snapshot/compile.js';
import type { CompiledProvider } from '../../core/snapshot/snapshot.js';
import type { AuthMethod, ModelKind, ProviderType } from '../../core/snapshot/source.js';
import type { HealthBoard } from '../../health/health-board.js';
import type { MasterKey } from '../../secrets/envelope.js';
import { credentialHint } from '../../secrets/hash.js';
import type { Database } from '../../store/database.js';
import { environments, modelAliases, modelDeployments, models, providers } from '../../store/schema.js';
import { MODEL_NAME_PATTERN } from '../api/patterns.js';
import type { ProviderCreate, ProviderUpdate } from '../api/schemas.js';
import { providerCredentialContext } from '../configuration.js';
import { createModel, getModel, updateModel } from './models.js';
import { notFound, rethrowConflict } from './store-errors.js';

type ProviderRow = typeof providers.$inferSelect;

/** The API view of an entry's health record. */
export function healthView(board: HealthBoard | undefined, providerId: string) {
  const record = board?.get(providerId);
  return {
    status: record?.status ?? 'unverified',
    lastCheckedAt: record?.lastCheckedAt ? new Date(record.lastCheckedAt).toISOString() : null,
    lastVerifiedAt: record?.lastVerifiedAt ? new Date(record.lastVerifiedAt).toISOString() : null,
    latencyMs: record?.latencyMs ?? null,
    diagnostic: record?.diagnostic ?? null,
    ejected: (board?.ejectionsOf(providerId) ?? []).map((ejection) => ({
      backend: ejection.deploymentId,
      since: new Date(ejection.since).toISOString(),
      probeAt: new Date(ejection.probeAt).toISOString(),
      ejections: ejection.ejections,
      diagnostic: ejection.diagnostic,
    })),
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
    health: healthView(health, row.id),
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
  config: Readonly<Record<string, unknown>>;
}

/** The write-only credential fields of a create, update or rotation. */
export interface CredentialFields {
  apiKey?: string;
  awsCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  serviceAccount?: string | Record<string, unknown>;
}

/** A credential ready to seal: its text, a masked hint, and advice about how it was given. */
interface CredentialToStore {
  text: string;
  hint: string;
  /** The field it was given in. */
  field: keyof CredentialFields;
  /** The auth method the credential's shape implies. */
  impliedMethod: 'api-key' | 'aws-sigv4' | 'gcp-service-account';
  warnings: string[];
}

const credentialFieldOf: Record<AuthMethod, keyof CredentialFields | null> = {
  'api-key': 'apiKey',
  bearer: 'apiKey',
  'azure-api-key': 'apiKey',
  'aws-sigv4': 'awsCredentials',
  'gcp-service-account': 'serviceAccount',
  none: null,
  passthrough: null,
};

/** Reads whichever credential field was given; throws a 400 naming the field when it is malformed. */
function credentialToStore(fields: CredentialFields): CredentialToStore | undefined {
  const given = (['apiKey', 'awsCredentials', 'serviceAccount'] as const).filter(
    (name) => fields[name] !== undefined,
  );
  if (given.length > 1) throw invalid(given[1]!, `give one credential, not ${given.join(' and ')}`);
  if (fields.apiKey !== undefined) {
    const text = fields.apiKey.trim();
    if (!text) throw invalid('apiKey', 'the apiKey is empty');
    return {
      text,
      hint: credentialHint(text),
      field: 'apiKey',
      impliedMethod: 'api-key',
      warnings: credentialWarnings(fields.apiKey),
    };
  }
  if (fields.awsCredentials !== undefined) {
    const raw = fields.awsCredentials;
    const warnings =
      raw.accessKeyId !== raw.accessKeyId.trim() || raw.secretAccessKey !== raw.secretAccessKey.trim()
        ? credentialWarnings(' ')
        : [];
    const text = JSON.stringify(raw);
    const parsed = parseAwsCredentials(text);
    if (!parsed.ok) throw invalid('awsCredentials', parsed.message);
    return {
      text: JSON.stringify(parsed.value),
      hint: `${parsed.value.accessKeyId.slice(0, 4)}****${parsed.value.accessKeyId.slice(-4)}`,
      field: 'awsCredentials',
      impliedMethod: 'aws-sigv4',
      warnings,
    };
  }
  if (fields.serviceAccount !== undefined) {
    const text =
      typeof fields.serviceAccount === 'string'
        ? fields.serviceAccount.trim()
        : JSON.stringify(fields.serviceAccount);
    const parsed = parseServiceAccount(text);
    if (!parsed.ok) throw invalid('serviceAccount', parsed.message);
    const keyId = parsed.value.private_key_id ?? '';
    return {
      text,
      hint: `${parsed.value.client_email.replace(/^[^@]*/, '****')} key ${keyId ? `****${keyId.slice(-4)}` : '****'}`,
      field: 'serviceAccount',
      impliedMethod: 'gcp-service-account',
      warnings: [],
    };
  }
  return undefined;
}

/**
 * The credential fields for a credential given as text (configuration as code reads it from an environment
 * variable): JSON for AWS keys and service accounts, the key itself otherwise.
 */
export function credentialFieldsFromText(
  type: ProviderType,
  authMethod: AuthMethod | undefined,
  text: string,
): CredentialFields {
  const method = authMethod ?? providerTypeInfo(type).defaultAuthMethod;
  if (method === 'aws-sigv4') {
    try {
      return { awsCredentials: JSON.parse(text) as NonNullable<CredentialFields['awsCredentials']> };
    } catch {
      throw invalid(
        'awsCredentials',
        'an AWS credential is given as JSON: {"accessKeyId": …, "secretAccessKey": …}',
      );
    }
  }
  if (method === 'gcp-service-account') return { serviceAccount: text };
  return { apiKey: text };
}

/** Whether a credential of this shape serves this auth method. */
function credentialFits(credential: CredentialToStore, method: AuthMethod): boolean {
  const field = credentialFieldOf[method];
  if (field === 'apiKey') return credential.impliedMethod === 'api-key';
  if (field === 'awsCredentials') return credential.impliedMethod === 'aws-sigv4';
  if (field === 'serviceAccount') return credential.impliedMethod === 'gcp-service-account';
  return false;
}

/** The auth method a create or change means when it names none: the one its credential implies, if allowed. */
function impliedAuthMethod(
  type: ProviderType,
  credential: CredentialToStore | undefined,
  fallback: AuthMethod,
): AuthMethod {
  const info = providerTypeInfo(type);
  if (!credential) return fallback;
  if (credentialFits(credential, fallback)) return fallback;
  const fitting = info.authMethods.find((method) => credentialFits(credential, method));
  return fitting ?? fallback;
}

/** Applies the catalog's rules to an entry; throws a 400 naming the field that breaks one. */
function checkProvider(resolved: Resolved, credential: CredentialToStore | undefined): void {
  const info = providerTypeInfo(resolved.type);
  const an = article(resolved.type);
  if (!info.authMethods.includes(resolved.authMethod)) {
    throw invalid(
      'authMethod',
      `${an} ${resolved.type} provider authenticates with ${info.authMethods.join(', ')}, not ${resolved.authMethod}`,
    );
  }
  const field = credentialFieldOf[resolved.authMethod];
  if (credential && !credentialFits(credential, resolved.authMethod)) {
    throw invalid(
      credential.field,
      info.authMethods.length === 1 && info.authMethods[0] === 'none'
        ? `${an} ${resolved.type} provider takes no credential`
        : field
          ? `the ${resolved.authMethod} auth method takes ${field}, not ${credential.field}`
          : `the ${resolved.authMethod} auth method stores no credential; remove ${credential.field}`,
    );
  }
  if (info.wire === 'in-process') {
    if (resolved.baseUrl)
      throw invalid('baseUrl', `${an} ${resolved.type} provider answers in-process and takes no base URL`);
    return;
  }
  for (const setting of info.settings) {
    const value = resolved.config[setting.name];
    if (value !== undefined && typeof value !== 'string')
      throw invalid(`config.${setting.name}`, `${setting.name} must be a string`);
  }
  const regional = Boolean(info.defaultBaseUrl?.includes('<region>'));
  if (regional && !resolved.region) {
    throw invalid(
      'region',
      `${an} ${resolved.type} provider needs its region (e.g. ${resolved.type === 'bedrock' ? 'us-east-1' : 'europe-west4'})`,
    );
  }
  if (regional && resolved.region && !/^[a-z0-9][a-z0-9-]{1,40}$/.test(resolved.region)) {
    throw invalid(
      'region',
      'the region is written in lower case letters, digits and hyphens, e.g. us-east-1',
    );
  }
  const baseUrl = effectiveBaseUrl(resolved.type, resolved.baseUrl, resolved.region);
  if (!baseUrl) {
    throw invalid(
      'baseUrl',
      `${an} ${resolved.type} provider needs the base URL of its server, e.g. ${info.baseUrlExample ?? 'https://llm.internal/v1'}`,
    );
  }
  if (baseUrl.includes('<region>'))
    throw invalid('baseUrl', 'replace <region> in the base URL with the region');
  const parsed = parseBaseUrl(baseUrl);
  if (typeof parsed === 'string') throw invalid('baseUrl', parsed);
  const hostRegion = regionOfHost(resolved.type, new URL(baseUrl).hostname);
  if (hostRegion && resolved.region && hostRegion !== resolved.region) {
    throw invalid(
      'region',
      `the region ${resolved.region} differs from the region in the base URL host (${hostRegion}); requests would be signed for one region and sent to another`,
    );
  }
  if (field && !resolved.hasCredential) {
    throw invalid(
      field,
      `the ${resolved.authMethod} auth method needs ${field === 'apiKey' ? 'an apiKey' : field}`,
    );
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

/** A create's entry fields, resolved and checked against the catalog (what a draft and a save share). */
interface CheckedEntry {
  authMethod: AuthMethod;
  baseUrl: string | null;
  region: string | null;
  config: Record<string, unknown>;
  credential: CredentialToStore | undefined;
}

/** Resolves the auth method and checks an entry given in the shape of a create; throws a 400 naming the field. */
function checkEntry(input: Omit<ProviderCreate, 'id' | 'displayName'> & { id: string }): CheckedEntry {
  const info = providerTypeInfo(input.type);
  const credential = credentialToStore(input);
  const authMethod = input.authMethod ?? impliedAuthMethod(input.type, credential, info.defaultAuthMethod);
  const baseUrl = input.baseUrl ?? null;
  const region = input.region ?? null;
  const config = input.config ?? {};
  checkProvider(
    {
      id: input.id,
      type: input.type,
      baseUrl,
      authMethod,
      hasCredential: Boolean(credential),
      region,
      config,
    },
    credential,
  );
  return { authMethod, baseUrl, region, config, credential };
}

/** A draft entry to check (`POST /providers/test-connection`): the create's shape, identifier and name optional. */
export type ProviderDraft = Omit<ProviderCreate, 'id' | 'displayName' | 'models'> & {
  id?: string;
  displayName?: string;
};

/** Where a compiler issue about a lone entry points, for the field errors of a draft. */
function issueField(message: string): string {
  if (/projectId|project/.test(message)) return 'config.projectId';
  if (/region/i.test(message)) return 'region';
  if (/base URL/i.test(message)) return 'baseUrl';
  if (/AWS|access key/i.test(message)) return 'awsCredentials';
  if (/service.account|private key|client_email/i.test(message)) return 'serviceAccount';
  if (/credential/i.test(message)) return 'apiKey';
  return '(body)';
}

/**
 * Compiles a draft entry on its own, exactly as a saved entry is compiled into the snapshot, without storing
 * anything: the result carries the decrypted credential only in memory, for one connection check.
 */
export async function compileDraftProvider(db: Database, draft: ProviderDraft): Promise<CompiledProvider> {
  const id = draft.id ?? 'draft';
  const entry = checkEntry({ ...draft, id });
  await checkEnvironments(db, draft.environments);
  const compiled = compileSnapshot({
    version: 0,
    providers: [
      {
        id,
        displayName: draft.displayName ?? id,
        type: draft.type,
        baseUrl: entry.baseUrl,
        authMethod: entry.authMethod,
        credential: entry.credential?.text ?? null,
        region: entry.region,
        environments: draft.environments ?? ['production', 'staging'],
        enabled: true,
        labels: draft.labels ?? {},
        config: entry.config,
      },
    ],
    models: [],
    teams: [],
    apiKeys: [],
  });
  if (!compiled.ok) {
    const details = compiled.issues.map((issue) => ({
      path: issueField(issue.message),
      message: issue.message,
    }));
    throw new GatewayError('invalid_request', details[0]?.message ?? 'The entry is not valid', { details });
  }
  const provider = compiled.snapshot.providers.get(id);
  if (!provider) throw new GatewayError('invalid_request', 'The entry is not valid');
  return provider;
}

export async function createProvider(
  db: Database,
  masterKey: MasterKey,
  input: ProviderCreate,
): Promise<ProviderView & { models?: PickedModelResult[] }> {
  const info = providerTypeInfo(input.type);
  const { authMethod, baseUrl, region, config, credential } = checkEntry(input);
  const environmentNames = input.environments ?? ['production', 'staging'];
  await checkEnvironments(db, environmentNames);
  const now = new Date();
  const [row] = await db
    .insert(providers)
    .values({
      id: input.id,
      displayName: input.displayName,
      type: input.type,
      baseUrl: baseUrl ?? (info.defaultBaseUrl?.includes('<region>') ? null : info.defaultBaseUrl),
      authMethod,
      region,
      environments: [...new Set(environmentNames)],
      enabled: input.enabled ?? true,
      firstParty: input.firstParty ?? false,
      labels: input.labels ?? {},
      config,
      credentialCiphertext: credential
        ? masterKey.seal(credential.text, providerCredentialContext(input.id))
        : null,
      credentialHint: credential?.hint ?? null,
      credentialRotatedAt: credential ? now : null,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .catch((error: unknown) =>
      rethrowConflict(error, `A provider with the identifier ${input.id} already exists`),
    );
  const picked =
    input.models && input.models.length > 0 ? await addToPools(db, input.id, input.models) : undefined;
  const view = providerView(row!, undefined, [
    ...(credential?.warnings ?? []),
    ...namingWarnings(input.id, region),
  ]);
  return picked ? { ...view, models: picked } : view;
}

/** What a create did with one picked upstream model. */
export interface PickedModelResult {
  /** The logical model whose pool the entry joined. */
  id: string;
  upstreamModel: string;
  /** Whether the logical model was created for it. */
  created: boolean;
}

type PickedModel = NonNullable<ProviderCreate['models']>[number];

/** Re-points a models-service error at the picked model it came from. */
function atPicked(index: number, error: unknown): never {
  if (error instanceof GatewayError && error.code === 'invalid_request') {
    const field = `models[${index}]`;
    const details =
      error.details.length > 0
        ? error.details.map((detail) => ({ path: `${field}.${detail.path}`, message: detail.message }))
        : [{ path: field, message: error.message }];
    throw new GatewayError('invalid_request', `${field}: ${details[0]!.message}`, { details });
  }
  throw error;
}

/**
 * Adds the entry to the pool of the logical model named like each picked upstream model, creating the logical
 * model (kind chat unless given) when there is none. Runs in the create's transaction: any refusal undoes it all.
 */
async function addToPools(
  db: Database,
  providerId: string,
  picked: readonly PickedModel[],
): Promise<PickedModelResult[]> {
  const seen = new Set<string>();
  picked.forEach((model, index) => {
    const field = `models[${index}].upstreamModel`;
    if (seen.has(model.upstreamModel)) throw invalid(field, `${model.upstreamModel} is listed twice`);
    seen.add(model.upstreamModel);
    if (model.upstreamModel.length > 128 || !MODEL_NAME_PATTERN.test(model.upstreamModel)) {
      throw invalid(
        field,
        `${model.upstreamModel} cannot name a logical model (letters, digits, ".", "_", ":" and "-", at most 128); add it from the Models page under another name`,
      );
    }
  });
  const names = [...seen];
  const existing = new Map(
    (await db.select({ id: models.id, kind: models.kind }).from(models).where(inArray(models.id, names))).map(
      (row) => [row.id, row.kind as ModelKind],
    ),
  );
  const aliases = new Set(
    (await db.select({ id: modelAliases.id }).from(modelAliases).where(inArray(modelAliases.id, names))).map(
      (row) => row.id,
    ),
  );
  const results: PickedModelResult[] = [];
  for (const [index, model] of picked.entries()) {
    const name = model.upstreamModel;
    const member = { providerId, upstreamModel: name };
    if (aliases.has(name)) {
      throw invalid(
        `models[${index}].upstreamModel`,
        `${name} is the name of an alias; add this model to the version it points at from the Models page`,
      );
    }
    const kind = existing.get(name);
    if (kind !== undefined) {
      if (model.kind !== undefined && model.kind !== kind) {
        throw invalid(
          `models[${index}].kind`,
          `the logical model ${name} exists with kind ${kind}, not ${model.kind}`,
        );
      }
      const current = await getModel(db, name);
      await updateModel(db, name, { deployments: [...current.deployments, member] }).catch((error: unknown) =>
        atPicked(index, error),
      );
      results.push({ id: name, upstreamModel: name, created: false });
      continue;
    }
    await createModel(db, {
      id: name,
      kind: model.kind ?? 'chat',
      ...(model.dimension !== undefined ? { dimension: model.dimension } : {}),
      deployments: [member],
    }).catch((error: unknown) => atPicked(index, error));
    results.push({ id: name, upstreamModel: name, created: true });
  }
  return results;
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
  const credential = credentialToStore(patch);
  // As on create: a credential given without an auth method is meant to be used.
  const authMethod =
    patch.authMethod ?? impliedAuthMethod(type, credential, current.authMethod as AuthMethod);
  const baseUrl = patch.baseUrl === undefined ? current.baseUrl : patch.baseUrl;
  const region = patch.region === undefined ? current.region : patch.region;
  const config = patch.config ?? current.config;
  const keepsCredential =
    credentialFieldOf[authMethod] !== null &&
    credentialFieldOf[authMethod] === credentialFieldOf[current.authMethod as AuthMethod];
  checkProvider(
    {
      id,
      type,
      baseUrl,
      authMethod,
      hasCredential: Boolean(credential) || (keepsCredential && current.credentialCiphertext !== null),
      region,
      config,
    },
    credential,
  );
  await checkEnvironments(db, patch.environments);
  const now = new Date();
  const credentialColumns = credential
    ? {
        credentialCiphertext: masterKey.seal(credential.text, providerCredentialContext(id)),
        credentialHint: credential.hint,
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
      ...credentialColumns,
      updatedAt: now,
    })
    .where(eq(providers.id, id))
    .returning();
  return providerView(row!, undefined, credential?.warnings ?? []);
}

/** Replaces the credential atomically (the old one is gone when this commits). */
export async function rotateCredential(
  db: Database,
  masterKey: MasterKey,
  id: string,
  fields: CredentialFields,
): Promise<ProviderView> {
  const [current] = await db
    .select({ authMethod: providers.authMethod, type: providers.type })
    .from(providers)
    .where(eq(providers.id, id));
  if (!current) throw notFound('Provider', id);
  const method = current.authMethod as AuthMethod;
  const field = credentialFieldOf[method];
  if (
    !field &&
    fields.apiKey !== undefined &&
    providerTypeInfo(current.type as ProviderType).authMethods.includes('api-key')
  ) {
    // An entry that had no credential starts using the one given.
    return updateProvider(db, masterKey, id, { apiKey: fields.apiKey, authMethod: 'api-key' });
  }
  if (!field) {
    throw invalid(
      'authMethod',
      `the entry authenticates with ${method}, which stores no credential to rotate`,
    );
  }
  if (fields[field] === undefined) throw invalid(field, `rotating a ${method} credential takes ${field}`);
  return updateProvider(db, masterKey, id, fields);
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

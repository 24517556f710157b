import { ApiError, normalizePath } from '../../api/ApiError';
import type {
  AuthMethodName,
  CreateProviderBody,
  CredentialInput,
  PickedModel,
  ProviderDraft,
  ProviderTypeInfo,
} from '../../api/providers';
import { validateIdentifier } from '../../lib/identifier';

// State, validation and conversion of the connect-provider drawer, kept apart from the JSX.

export const STEPS = ['Credential', 'Name and routing', 'Environments', 'Models'] as const;

export type CredentialMode = 'managed' | 'byok';

export interface PickedRow {
  upstreamModel: string;
  kind: 'chat' | 'embedding';
  /** Text of the dimension input; only sent for embedding models. */
  dimension: string;
}

export interface CredentialState {
  apiKey: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  serviceAccount: string;
}

export interface ConnectFormState extends CredentialState {
  type: string;
  credentialMode: CredentialMode;
  /** The managed auth method (ignored in BYOK mode). */
  authMethod: AuthMethodName;
  id: string;
  displayName: string;
  baseUrl: string;
  /** Whether the person typed a base URL (then a region change leaves it alone). */
  baseUrlEdited: boolean;
  region: string;
  settings: Record<string, string>;
  environments: string[];
  enabled: boolean;
  models: PickedRow[];
}

export const emptyCredential: CredentialState = {
  apiKey: '',
  accessKeyId: '',
  secretAccessKey: '',
  sessionToken: '',
  serviceAccount: '',
};

export function initialConnectForm(environments: string[]): ConnectFormState {
  return {
    ...emptyCredential,
    type: '',
    credentialMode: 'managed',
    authMethod: 'api-key',
    id: '',
    displayName: '',
    baseUrl: '',
    baseUrlEdited: false,
    region: '',
    settings: {},
    environments,
    enabled: true,
    models: [],
  };
}

export const authMethodLabels: Record<AuthMethodName, string> = {
  'api-key': 'API key',
  bearer: 'Bearer token',
  'azure-api-key': 'Azure api-key',
  'aws-sigv4': 'AWS access key (SigV4)',
  'gcp-service-account': 'GCP service account',
  none: 'No authentication',
  passthrough: 'BYOK passthrough',
};

/** Which credential inputs an auth method takes. */
export type CredentialKind = 'key' | 'aws' | 'service-account' | 'none';

export function credentialKind(method: AuthMethodName): CredentialKind {
  switch (method) {
    case 'api-key':
    case 'bearer':
    case 'azure-api-key':
      return 'key';
    case 'aws-sigv4':
      return 'aws';
    case 'gcp-service-account':
      return 'service-account';
    default:
      return 'none';
  }
}

/** The auth methods that store a credential (or none), i.e. everything but BYOK passthrough. */
export function managedMethods(info: ProviderTypeInfo): AuthMethodName[] {
  return info.authMethods.filter((method) => method !== 'passthrough');
}

export function allowsByok(info: ProviderTypeInfo): boolean {
  return info.authMethods.includes('passthrough');
}

/** The auth method the form means. */
export function effectiveAuthMethod(form: ConnectFormState): AuthMethodName {
  return form.credentialMode === 'byok' ? 'passthrough' : form.authMethod;
}

/** The catalog's base URL for a region (`<region>` filled in), or '' when the type has none or needs a region. */
export function catalogBaseUrl(info: ProviderTypeInfo, region: string): string {
  const template = info.defaultBaseUrl;
  if (!template) return '';
  if (!template.includes('<region>')) return template;
  const trimmed = region.trim();
  if (!trimmed) return '';
  if (info.type === 'vertex' && trimmed === 'global') return 'https://aiplatform.googleapis.com';
  return template.replace('<region>', trimmed);
}

export function needsRegion(info: ProviderTypeInfo): boolean {
  return Boolean(info.defaultBaseUrl?.includes('<region>'));
}

/** Choosing a type: its default auth method and base URL; the credential typed for another type is dropped. */
export function withType(form: ConnectFormState, info: ProviderTypeInfo): ConnectFormState {
  const managed = managedMethods(info);
  const authMethod = managed.includes(info.defaultAuthMethod)
    ? info.defaultAuthMethod
    : (managed[0] ?? info.defaultAuthMethod);
  return {
    ...form,
    ...emptyCredential,
    type: info.type,
    credentialMode: managed.length === 0 ? 'byok' : 'managed',
    authMethod,
    baseUrl: catalogBaseUrl(info, form.region),
    baseUrlEdited: false,
    settings: {},
    models: [],
  };
}

/** A region change refills a base URL the person did not type. */
export function withRegion(form: ConnectFormState, info: ProviderTypeInfo | undefined, region: string) {
  const baseUrl = info && !form.baseUrlEdited ? catalogBaseUrl(info, region) : form.baseUrl;
  return { ...form, region, baseUrl };
}

/** How entries are named so regional entries sort together: `<vendor>-<cloud>-<region>`. */
export function identifierExample(type: string, region: string): string {
  const where = region.trim() || 'us-east-1';
  switch (type) {
    case 'bedrock':
      return `anthropic-aws-${where}`;
    case 'vertex':
      return `gemini-gcp-${region.trim() || 'europe-west4'}`;
    case 'azure-openai':
      return `openai-azure-${region.trim() || 'westeurope'}`;
    case 'openai':
      return 'openai-direct-us';
    case 'anthropic':
      return 'anthropic-direct-us';
    case 'gemini':
      return 'gemini-google-global';
    case 'mistral':
      return 'mistral-direct-eu';
    case 'openai-compatible':
      return 'vllm-onprem-dc1';
    default:
      return 'anthropic-aws-us-east-1';
  }
}

/**
 * The cloud region a provider host names, by the cloud's own naming; the same rule as the server's
 * `regionOfHost` (core/providers/catalog.ts), which refuses an entry whose region differs from it.
 */
export function regionOfHost(type: string, host: string): string | undefined {
  const name = host.toLowerCase();
  if (type === 'bedrock') {
    return /(?:^|\.)bedrock-runtime(?:-fips)?\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.(?:vpce\.)?amazonaws\.com$/.exec(
      name,
    )?.[1];
  }
  if (type === 'vertex') {
    if (name === 'aiplatform.googleapis.com') return 'global';
    return /^([a-z]+-[a-z]+\d+)-aiplatform\.googleapis\.com$/.exec(name)?.[1];
  }
  return undefined;
}

/** Any AWS- or GCP-shaped region named in a host, for a warning on other types. */
function regionLikeIn(host: string): string | undefined {
  const name = host.toLowerCase();
  return (
    /(?:^|[.-])([a-z]{2}(?:-gov)?-[a-z]+-\d)(?=[.-]|$)/.exec(name)?.[1] ??
    /(?:^|[.-])((?:us|europe|asia|australia|northamerica|southamerica|me|africa)-[a-z]+\d+)(?=[.-]|$)/.exec(
      name,
    )?.[1]
  );
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/**
 * The region check: an error (the server refuses it) when a Bedrock or Vertex host names another region than the
 * region field, a warning when another type's host seems to.
 */
export function regionMismatch(form: ConnectFormState): { error?: string; warning?: string } {
  const region = form.region.trim();
  const host = hostOf(form.baseUrl.trim());
  if (!region || !host) return {};
  const named = regionOfHost(form.type, host);
  if (named && named !== region) {
    return {
      error: `the region ${region} differs from the region in the base URL host (${named}); requests would be signed for one region and sent to another`,
    };
  }
  if (named === undefined) {
    const like = regionLikeIn(host);
    if (like && like !== region) {
      return {
        warning: `The base URL host names the region ${like}, but the region field says ${region}. Check that both describe where this endpoint runs.`,
      };
    }
  }
  return {};
}

export type FieldErrors = Record<string, string>;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The credential inputs' problems, keyed by the API's field paths. */
export function validateCredential(kind: CredentialKind, credential: CredentialState, required: boolean) {
  const errors: FieldErrors = {};
  if (kind === 'key' && required && !credential.apiKey.trim()) errors.apiKey = 'Required';
  if (kind === 'aws') {
    if (!credential.accessKeyId.trim()) errors['awsCredentials.accessKeyId'] = 'Required';
    else if (!/^[A-Z0-9]{16,128}$/.test(credential.accessKeyId.trim()))
      errors['awsCredentials.accessKeyId'] = 'An AWS access key id looks like AKIA… or ASIA…';
    if (!credential.secretAccessKey) errors['awsCredentials.secretAccessKey'] = 'Required';
  }
  if (kind === 'service-account') {
    const text = credential.serviceAccount.trim();
    if (!text) errors.serviceAccount = 'Required';
    else {
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed !== 'object' || parsed === null || !('private_key' in parsed))
          errors.serviceAccount =
            'Paste the service-account key file (JSON with private_key and client_email)';
      } catch {
        errors.serviceAccount = 'Not valid JSON: paste the whole key file';
      }
    }
  }
  return errors;
}

/** The problems of one step, keyed by the API's field paths. */
export function validateStep(
  step: number,
  form: ConnectFormState,
  info: ProviderTypeInfo | undefined,
  takenIds: ReadonlySet<string>,
): FieldErrors {
  const errors: FieldErrors = {};
  if (step === 0) {
    if (!info) errors.type = 'Choose a provider type';
    else if (form.credentialMode === 'managed') {
      Object.assign(errors, validateCredential(credentialKind(form.authMethod), form, true));
    }
  }
  if (step === 1) {
    const idError = validateIdentifier(form.id);
    if (idError) errors.id = idError;
    else if (takenIds.has(form.id)) errors.id = `A provider with the identifier ${form.id} already exists`;
    if (!form.displayName.trim()) errors.displayName = 'Required';
    if (info && info.wire !== 'in-process') {
      const baseUrl = form.baseUrl.trim();
      if (!baseUrl) {
        if (!info.defaultBaseUrl)
          errors.baseUrl = `Required, e.g. ${info.baseUrlExample ?? 'https://llm.internal/v1'}`;
        else if (!needsRegion(info)) errors.baseUrl = 'Required';
      } else if (!isHttpUrl(baseUrl)) errors.baseUrl = 'Must be an http:// or https:// URL';
      else if (baseUrl.includes('<region>')) errors.baseUrl = 'Replace <region> with the region';
      if (needsRegion(info) && !form.region.trim()) errors.region = 'Required for this provider type';
      else if (form.region.trim() && !/^[a-z0-9][a-z0-9-]{1,40}$/.test(form.region.trim()))
        errors.region = 'Lower case letters, digits and hyphens, e.g. us-east-1';
      const mismatch = regionMismatch(form).error;
      if (mismatch && !errors.region) errors.region = mismatch;
    }
  }
  if (step === 2 && form.environments.length === 0) errors.environments = 'Choose at least one environment';
  if (step === 3) {
    const seen = new Set<string>();
    form.models.forEach((model, index) => {
      const name = model.upstreamModel.trim();
      if (!name) errors[`models.${index}.upstreamModel`] = 'Required';
      else if (seen.has(name)) errors[`models.${index}.upstreamModel`] = 'Listed twice';
      seen.add(name);
      if (
        model.kind === 'embedding' &&
        model.dimension.trim() &&
        !/^[1-9]\d{0,4}$/.test(model.dimension.trim())
      )
        errors[`models.${index}.dimension`] = 'A positive whole number';
    });
  }
  return errors;
}

/** The credential fields to send for an auth method. */
export function credentialInput(kind: CredentialKind, credential: CredentialState): CredentialInput {
  if (kind === 'key') return credential.apiKey ? { apiKey: credential.apiKey } : {};
  if (kind === 'aws') {
    return {
      awsCredentials: {
        accessKeyId: credential.accessKeyId.trim(),
        secretAccessKey: credential.secretAccessKey,
        ...(credential.sessionToken ? { sessionToken: credential.sessionToken } : {}),
      },
    };
  }
  if (kind === 'service-account') return { serviceAccount: credential.serviceAccount.trim() };
  return {};
}

/** The entry as `test-connection` and `POST /providers` take it. */
export function toDraft(form: ConnectFormState, info: ProviderTypeInfo): ProviderDraft {
  const authMethod = effectiveAuthMethod(form);
  const draft: ProviderDraft = { type: form.type, authMethod };
  if (form.id) draft.id = form.id;
  if (form.displayName.trim()) draft.displayName = form.displayName.trim();
  if (info.wire !== 'in-process') {
    const baseUrl = form.baseUrl.trim();
    // The catalog's own address is left to the server, which then follows the region.
    if (baseUrl && baseUrl !== catalogBaseUrl(info, form.region)) draft.baseUrl = baseUrl;
  }
  if (form.region.trim()) draft.region = form.region.trim();
  const settings = Object.fromEntries(
    Object.entries(form.settings)
      .map(([name, value]) => [name, value.trim()] as const)
      .filter(([, value]) => value !== ''),
  );
  if (Object.keys(settings).length > 0) draft.config = settings;
  if (form.environments.length > 0) draft.environments = form.environments;
  draft.enabled = form.enabled;
  if (form.credentialMode === 'managed')
    Object.assign(draft, credentialInput(credentialKind(authMethod), form));
  return draft;
}

export function toCreateBody(form: ConnectFormState, info: ProviderTypeInfo): CreateProviderBody {
  const models: PickedModel[] = form.models.map((model) => ({
    upstreamModel: model.upstreamModel.trim(),
    kind: model.kind,
    ...(model.kind === 'embedding' && model.dimension.trim()
      ? { dimension: Number(model.dimension.trim()) }
      : {}),
  }));
  return {
    ...toDraft(form, info),
    id: form.id,
    displayName: form.displayName.trim(),
    ...(models.length > 0 ? { models } : {}),
  };
}

/** `models[1].kind`, `/models/1/kind`, `body.apiKey` → `models.1.kind`, `apiKey`. */
export function fieldPath(path: string): string {
  return normalizePath(path).replace(/\[(\d+)\]/g, '.$1');
}

/** The API's field errors of a failed request, by normalised path. */
export function apiFieldErrors(error: unknown): FieldErrors {
  if (!(error instanceof ApiError)) return {};
  const errors: FieldErrors = {};
  for (const entry of error.errors) {
    const path = fieldPath(entry.path);
    errors[path] ??= entry.message;
  }
  return errors;
}

/** The step holding a field, by its API path. */
export function stepOfField(path: string): number {
  const head = path.split('.')[0] ?? '';
  if (['type', 'authMethod', 'apiKey', 'awsCredentials', 'serviceAccount'].includes(head)) return 0;
  if (['id', 'displayName', 'baseUrl', 'region', 'config', 'labels', 'firstParty'].includes(head)) return 1;
  if (['environments', 'enabled'].includes(head)) return 2;
  if (head === 'models') return 3;
  return -1;
}

/** The first step with an error, or -1. */
export function firstStepWithError(errors: FieldErrors): number {
  const steps = Object.keys(errors)
    .map(stepOfField)
    .filter((step) => step >= 0);
  return steps.length === 0 ? -1 : Math.min(...steps);
}

/** The error for a field: its own path, or the parent's (`awsCredentials` for `awsCredentials.accessKeyId`). */
export function errorFor(errors: FieldErrors, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const parent = path.split('.')[0];
  return parent && parent !== path ? errors[parent] : undefined;
}

/**
 * The provider types Junction can route to: how each is reached, authenticated and verified. The admin API
 * publishes this list, the UI builds its connect flow from it, and the services validate entries against it.
 */
import type { AuthMethod, ProviderType } from '../snapshot/source.js';

/** A type-specific setting of an entry, kept in the entry's `config`. */
export interface ProviderSetting {
  name: string;
  description: string;
  required: boolean;
  default: string | null;
}

export interface ProviderTypeInfo {
  type: ProviderType;
  displayName: string;
  /**
   * Base URL used when an entry does not override it; `<region>` stands for the entry's region; null when every
   * entry must give its own.
   */
  defaultBaseUrl: string | null;
  /** An example of an entry's own base URL, for types without a default. */
  baseUrlExample: string | null;
  authMethods: readonly AuthMethod[];
  defaultAuthMethod: AuthMethod;
  /** The header the `api-key` method (and BYOK passthrough) puts the key in. */
  apiKeyHeader: { name: string; prefix: string } | null;
  /** Whether entries of this type carry a cloud region (required when true). */
  hasRegion: boolean;
  /**
   * `ahead`: the credential can be checked before traffic (a model list is fetched);
   * `deferred`: only the first real request validates it; `in-process`: nothing to reach.
   */
  verification: 'ahead' | 'deferred' | 'in-process';
  /** Path (after the base URL's path) that lists models, for checks and discovery; null when there is none. */
  modelListPath: string | null;
  /** Whether `GET /providers/{id}/discovered-models` can list the entry's models. */
  discovery: boolean;
  /** Whether the type serves `/v1/embeddings`. */
  embeddings: boolean;
  /** The wire format requests are sent in. */
  wire: 'openai' | 'anthropic' | 'bedrock' | 'google' | 'in-process';
  settings: readonly ProviderSetting[];
  description: string;
}

const bearer = { name: 'authorization', prefix: 'Bearer ' } as const;

export const providerCatalog: readonly ProviderTypeInfo[] = [
  {
    type: 'openai',
    displayName: 'OpenAI',
    defaultBaseUrl: 'https://api.openai.com/v1',
    baseUrlExample: null,
    authMethods: ['api-key', 'bearer', 'passthrough'],
    defaultAuthMethod: 'api-key',
    apiKeyHeader: bearer,
    hasRegion: false,
    verification: 'ahead',
    modelListPath: '/models',
    discovery: true,
    embeddings: true,
    wire: 'openai',
    settings: [],
    description: 'The OpenAI API, or a regional or proxied address of it',
  },
  {
    type: 'azure-openai',
    displayName: 'Azure OpenAI',
    defaultBaseUrl: null,
    baseUrlExample: 'https://my-resource.openai.azure.com',
    authMethods: ['azure-api-key', 'bearer', 'passthrough'],
    defaultAuthMethod: 'azure-api-key',
    apiKeyHeader: { name: 'api-key', prefix: '' },
    hasRegion: true,
    verification: 'ahead',
    modelListPath: '/openai/models?api-version=<apiVersion>',
    discovery: true,
    embeddings: true,
    wire: 'openai',
    settings: [
      {
        name: 'apiVersion',
        description: 'The api-version sent on deployment routes, or `v1` for the v1 API',
        required: false,
        default: '2024-10-21',
      },
    ],
    description: 'An Azure OpenAI (Azure AI Foundry) resource; models are its deployment names',
  },
  {
    type: 'anthropic',
    displayName: 'Anthropic',
    defaultBaseUrl: 'https://api.anthropic.com/v1',
    baseUrlExample: null,
    authMethods: ['api-key', 'passthrough'],
    defaultAuthMethod: 'api-key',
    apiKeyHeader: { name: 'x-api-key', prefix: '' },
    hasRegion: false,
    verification: 'ahead',
    modelListPath: '/models',
    discovery: true,
    embeddings: false,
    wire: 'anthropic',
    settings: [
      {
        name: 'anthropicVersion',
        description: 'The anthropic-version header',
        required: false,
        default: '2023-06-01',
      },
      {
        name: 'anthropicBeta',
        description: 'An anthropic-beta header to send',
        required: false,
        default: null,
      },
      {
        name: 'defaultMaxTokens',
        description: 'max_tokens sent when the request sets none (Anthropic requires one)',
        required: false,
        default: '4096',
      },
    ],
    description: 'The Anthropic Messages API (Claude)',
  },
  {
    type: 'bedrock',
    displayName: 'AWS Bedrock',
    defaultBaseUrl: 'https://bedrock-runtime.<region>.amazonaws.com/openai/v1',
    baseUrlExample: null,
    authMethods: ['aws-sigv4', 'bearer'],
    defaultAuthMethod: 'aws-sigv4',
    apiKeyHeader: bearer,
    hasRegion: true,
    verification: 'deferred',
    modelListPath: null,
    discovery: false,
    embeddings: true,
    wire: 'bedrock',
    settings: [
      {
        name: 'api',
        description:
          '`auto` sends openai.* models to the OpenAI-compatible endpoint and the rest to Converse; `openai` or `converse` forces one',
        required: false,
        default: 'auto',
      },
    ],
    description:
      'Amazon Bedrock runtime in one region: Converse, ConverseStream, InvokeModel and the OpenAI endpoint',
  },
  {
    type: 'vertex',
    displayName: 'Google Vertex AI',
    defaultBaseUrl: 'https://<region>-aiplatform.googleapis.com',
    baseUrlExample: null,
    authMethods: ['gcp-service-account', 'bearer'],
    defaultAuthMethod: 'gcp-service-account',
    apiKeyHeader: bearer,
    hasRegion: true,
    verification: 'deferred',
    modelListPath: null,
    discovery: false,
    embeddings: true,
    wire: 'google',
    settings: [
      {
        name: 'projectId',
        description: "The Google Cloud project; defaults to the service account's project",
        required: false,
        default: null,
      },
    ],
    description: 'Gemini and Claude models on Google Cloud Vertex AI in one region',
  },
  {
    type: 'gemini',
    displayName: 'Google Gemini API',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta',
    baseUrlExample: null,
    authMethods: ['api-key', 'passthrough'],
    defaultAuthMethod: 'api-key',
    apiKeyHeader: { name: 'x-goog-api-key', prefix: '' },
    hasRegion: false,
    verification: 'ahead',
    modelListPath: '/models',
    discovery: true,
    embeddings: true,
    wire: 'google',
    settings: [],
    description: 'The Gemini API of Google AI Studio, with an API key',
  },
  {
    type: 'mistral',
    displayName: 'Mistral AI',
    defaultBaseUrl: 'https://api.mistral.ai/v1',
    baseUrlExample: null,
    authMethods: ['api-key', 'passthrough'],
    defaultAuthMethod: 'api-key',
    apiKeyHeader: bearer,
    hasRegion: false,
    verification: 'ahead',
    modelListPath: '/models',
    discovery: true,
    embeddings: true,
    wire: 'openai',
    settings: [],
    description: 'La Plateforme chat and embeddings',
  },
  {
    type: 'openai-compatible',
    displayName: 'OpenAI-compatible server',
    defaultBaseUrl: null,
    baseUrlExample: 'http://vllm.internal:8000/v1',
    authMethods: ['api-key', 'none', 'passthrough'],
    defaultAuthMethod: 'none',
    apiKeyHeader: bearer,
    hasRegion: false,
    verification: 'ahead',
    modelListPath: '/models',
    discovery: true,
    embeddings: true,
    wire: 'openai',
    settings: [],
    description:
      'A self-hosted or third-party server speaking the OpenAI API: vLLM, Ollama, TGI, llama.cpp, LM Studio',
  },
  {
    type: 'echo',
    displayName: 'Echo (built in)',
    defaultBaseUrl: null,
    baseUrlExample: null,
    authMethods: ['none'],
    defaultAuthMethod: 'none',
    apiKeyHeader: null,
    hasRegion: false,
    verification: 'in-process',
    modelListPath: null,
    discovery: false,
    embeddings: true,
    wire: 'in-process',
    settings: [],
    description: 'Answers inside Junction with no provider account: for trying Junction and for tests',
  },
];

const byType = new Map(providerCatalog.map((info) => [info.type, info]));

/** The catalog entry of a provider type. */
export function providerTypeInfo(type: ProviderType): ProviderTypeInfo {
  const info = byType.get(type);
  if (!info) throw new Error(`provider type ${type} is not in the catalog`);
  return info;
}

/** The base URL an entry uses: its own, or the catalog's with `<region>` filled in; null when neither applies. */
export function effectiveBaseUrl(
  type: ProviderType,
  baseUrl: string | null,
  region: string | null,
): string | null {
  if (baseUrl) return baseUrl;
  const template = providerTypeInfo(type).defaultBaseUrl;
  if (!template) return null;
  if (!template.includes('<region>')) return template;
  if (!region) return null;
  // Vertex's global location has no regional prefix.
  if (type === 'vertex' && region === 'global') return 'https://aiplatform.googleapis.com';
  return template.replace('<region>', region);
}

/**
 * The cloud region named by a provider host, when the host follows the cloud's own naming
 * (`bedrock-runtime.eu-west-1.amazonaws.com`, `vpce-….bedrock-runtime.eu-west-1.vpce.amazonaws.com`,
 * `europe-west4-aiplatform.googleapis.com`); undefined for other hosts (private addresses, proxies).
 */
export function regionOfHost(type: ProviderType, host: string): string | undefined {
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

/** The value of a type-specific setting: the entry's own, or the catalog default. */
export function settingOf(
  type: ProviderType,
  config: Readonly<Record<string, unknown>>,
  name: string,
): string | undefined {
  const own = config[name];
  if (typeof own === 'string' && own !== '') return own;
  return providerTypeInfo(type).settings.find((setting) => setting.name === name)?.default ?? undefined;
}

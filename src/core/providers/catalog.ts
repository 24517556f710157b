/**
 * The provider types Junction can route to: how each is reached, authenticated and verified. The admin API
 * publishes this list, the UI builds its connect flow from it, and the services validate entries against it.
 */
import type { AuthMethod, ProviderType } from '../snapshot/source.js';

export interface ProviderTypeInfo {
  type: ProviderType;
  displayName: string;
  /** Base URL used when an entry does not override it; null when every entry must give its own. */
  defaultBaseUrl: string | null;
  authMethods: readonly AuthMethod[];
  defaultAuthMethod: AuthMethod;
  /** Whether entries of this type carry a cloud region. */
  hasRegion: boolean;
  /**
   * `ahead`: the credential can be checked before traffic (a model list is fetched);
   * `deferred`: only the first real request validates it; `in-process`: nothing to reach.
   */
  verification: 'ahead' | 'deferred' | 'in-process';
  /** Whether `GET /providers/{id}/discovered-models` can list the entry's models. */
  discovery: boolean;
  /** The wire format requests are sent in. */
  wire: 'openai' | 'in-process';
  description: string;
}

export const providerCatalog: readonly ProviderTypeInfo[] = [
  {
    type: 'openai',
    displayName: 'OpenAI',
    defaultBaseUrl: 'https://api.openai.com/v1',
    authMethods: ['api-key'],
    defaultAuthMethod: 'api-key',
    hasRegion: false,
    verification: 'ahead',
    discovery: true,
    wire: 'openai',
    description: 'The OpenAI API, or a regional or proxied address of it',
  },
  {
    type: 'mistral',
    displayName: 'Mistral AI',
    defaultBaseUrl: 'https://api.mistral.ai/v1',
    authMethods: ['api-key'],
    defaultAuthMethod: 'api-key',
    hasRegion: false,
    verification: 'ahead',
    discovery: true,
    wire: 'openai',
    description: 'La Plateforme chat and embeddings',
  },
  {
    type: 'openai-compatible',
    displayName: 'OpenAI-compatible server',
    defaultBaseUrl: null,
    authMethods: ['api-key', 'none'],
    defaultAuthMethod: 'none',
    hasRegion: false,
    verification: 'ahead',
    discovery: true,
    wire: 'openai',
    description:
      'A self-hosted or third-party server speaking the OpenAI API: vLLM, Ollama, TGI, llama.cpp, LM Studio',
  },
  {
    type: 'echo',
    displayName: 'Echo (built in)',
    defaultBaseUrl: null,
    authMethods: ['none'],
    defaultAuthMethod: 'none',
    hasRegion: false,
    verification: 'in-process',
    discovery: false,
    wire: 'in-process',
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

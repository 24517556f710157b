import type { CreateProviderInput, Environment, ProviderType } from '../../api/types';
import { validateIdentifier } from '../../lib/identifier';

// Form state, validation and conversion for "Connect provider", kept apart from the JSX.

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface ProviderFormState {
  type: ProviderType;
  id: string;
  displayName: string;
  baseUrl: string;
  apiKey: string;
  environments: Environment[];
}

export type ProviderFormErrors = Partial<Record<keyof ProviderFormState, string>>;

export const initialProviderForm: ProviderFormState = {
  type: 'openai',
  id: '',
  displayName: '',
  baseUrl: OPENAI_BASE_URL,
  apiKey: '',
  environments: ['production', 'staging'],
};

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Switching type prefills OpenAI's base URL, and drops it again when leaving OpenAI. */
export function withType(form: ProviderFormState, type: ProviderType): ProviderFormState {
  let baseUrl = form.baseUrl;
  if (type === 'openai' && !baseUrl.trim()) baseUrl = OPENAI_BASE_URL;
  if (type !== 'openai' && baseUrl === OPENAI_BASE_URL) baseUrl = '';
  return { ...form, type, baseUrl };
}

export function validateProviderForm(form: ProviderFormState): ProviderFormErrors {
  const errors: ProviderFormErrors = {};
  const idError = validateIdentifier(form.id);
  if (idError) errors.id = idError;
  if (!form.displayName.trim()) errors.displayName = 'Required';
  if (form.type !== 'echo') {
    const baseUrl = form.baseUrl.trim();
    if (!baseUrl && form.type === 'openai-compatible') {
      errors.baseUrl = 'Required for OpenAI-compatible providers';
    } else if (baseUrl && !isHttpUrl(baseUrl)) {
      errors.baseUrl = 'Must be an http(s) URL';
    }
    if (form.type === 'openai' && !form.apiKey) errors.apiKey = 'Required for OpenAI';
  }
  return errors;
}

export function toCreateProviderInput(form: ProviderFormState): CreateProviderInput {
  const input: CreateProviderInput = { id: form.id, displayName: form.displayName.trim(), type: form.type };
  if (form.type !== 'echo') {
    const baseUrl = form.baseUrl.trim();
    if (baseUrl) input.baseUrl = baseUrl;
    input.authMethod = form.apiKey ? 'api-key' : 'none';
    if (form.apiKey) input.apiKey = form.apiKey;
  }
  if (form.environments.length > 0) input.environments = form.environments;
  return input;
}

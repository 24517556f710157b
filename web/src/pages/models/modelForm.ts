import type { CreateModelInput, ModelKind } from '../../api/types';

// Form state, validation and conversion for "Add model", kept apart from the JSX.

export interface ModelFormState {
  kind: ModelKind;
  id: string;
  providerId: string | null;
  upstreamModel: string;
  /** Kept as text from the input; parsed on submit. */
  dimension: string;
}

export type ModelFormErrors = Partial<Record<keyof ModelFormState, string>>;

export const initialModelForm: ModelFormState = {
  kind: 'chat',
  id: '',
  providerId: null,
  upstreamModel: '',
  dimension: '',
};

export function validateModelForm(form: ModelFormState): ModelFormErrors {
  const errors: ModelFormErrors = {};
  if (!form.id.trim()) errors.id = 'Required';
  if (!form.providerId) errors.providerId = 'Choose a provider';
  if (form.kind === 'embedding') {
    const dimension = Number(form.dimension);
    if (!form.dimension.trim()) errors.dimension = 'Required for embedding models';
    else if (!Number.isInteger(dimension) || dimension <= 0) errors.dimension = 'Must be a positive integer';
  }
  return errors;
}

/** The upstream model defaults to the model's own name when left empty. */
export function toCreateModelInput(form: ModelFormState): CreateModelInput {
  const id = form.id.trim();
  const input: CreateModelInput = {
    id,
    kind: form.kind,
    deployments: [{ providerId: form.providerId ?? '', upstreamModel: form.upstreamModel.trim() || id }],
  };
  if (form.kind === 'embedding') input.dimension = Number(form.dimension);
  return input;
}

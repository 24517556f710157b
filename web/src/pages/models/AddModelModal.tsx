import {
  Button,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import { useCreateModel } from '../../api/models';
import { useProviders } from '../../api/providers';
import type { ModelKind } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { initialModelForm, type ModelFormState, toCreateModelInput, validateModelForm } from './modelForm';

interface AddModelModalProps {
  opened: boolean;
  onClose: () => void;
}

export function AddModelModal({ opened, onClose }: AddModelModalProps) {
  const [form, setForm] = useState<ModelFormState>(initialModelForm);
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateModel();
  const providers = useProviders();

  const problems = validateModelForm(form);
  const shown = (field: keyof ModelFormState, apiPath: string = field): string | undefined =>
    (submitted ? problems[field] : undefined) ?? fieldError(create.error, apiPath);
  const update = (patch: Partial<ModelFormState>) => setForm((current) => ({ ...current, ...patch }));

  const close = () => {
    setForm(initialModelForm);
    setSubmitted(false);
    create.reset();
    onClose();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length > 0) return;
    create.mutate(toCreateModelInput(form), { onSuccess: close });
  };

  const providerOptions = (providers.data ?? []).map((provider) => ({
    value: provider.id,
    label: `${provider.displayName} (${provider.id})`,
  }));

  return (
    <Modal opened={opened} onClose={close} title="Add model" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <div>
            <Text size="sm" fw={500} mb={4}>
              Kind
            </Text>
            <SegmentedControl
              data={[
                { value: 'chat', label: 'Chat' },
                { value: 'embedding', label: 'Embedding' },
              ]}
              value={form.kind}
              onChange={(value) => update({ kind: value as ModelKind })}
            />
          </div>
          <TextInput
            label="Name"
            description="What clients send as the model parameter."
            placeholder="gpt-4o-mini"
            value={form.id}
            onChange={(event) => update({ id: event.currentTarget.value })}
            error={shown('id')}
            required
            data-autofocus
          />
          <Select
            label="Provider"
            placeholder={providers.isPending ? 'Loading providers…' : 'Choose a provider'}
            data={providerOptions}
            value={form.providerId}
            onChange={(value) => update({ providerId: value })}
            error={
              shown('providerId', 'deployments.0.providerId') ??
              (providers.isError ? 'Could not load providers' : undefined) ??
              (providers.data?.length === 0 ? 'Connect a provider first' : undefined)
            }
            searchable
            required
          />
          <TextInput
            label="Upstream model"
            description="The model name the provider expects. Leave empty to use the name above."
            placeholder={form.id.trim() || 'gpt-4o-mini'}
            value={form.upstreamModel}
            onChange={(event) => update({ upstreamModel: event.currentTarget.value })}
            error={shown('upstreamModel', 'deployments.0.upstreamModel')}
          />
          {form.kind === 'embedding' && (
            <NumberInput
              label="Dimension"
              description="Length of the embedding vectors, e.g. 1536."
              value={form.dimension}
              onChange={(value) => update({ dimension: String(value) })}
              error={shown('dimension')}
              min={1}
              allowDecimal={false}
              allowNegative={false}
              required
            />
          )}
          <ErrorAlert error={create.error} title="Could not add the model" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Add model
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

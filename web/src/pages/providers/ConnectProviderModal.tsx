import { Button, Group, Modal, MultiSelect, PasswordInput, Select, Stack, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import { useCreateProvider } from '../../api/providers';
import type { Environment, ProviderType } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { IDENTIFIER_MAX_LENGTH } from '../../lib/identifier';
import {
  initialProviderForm,
  OPENAI_BASE_URL,
  type ProviderFormState,
  toCreateProviderInput,
  validateProviderForm,
  withType,
} from './providerForm';

const typeOptions: { value: ProviderType; label: string }[] = [
  { value: 'openai', label: 'OpenAI' },
  { value: 'openai-compatible', label: 'OpenAI-compatible' },
  { value: 'echo', label: 'Echo (test provider)' },
];

const environmentOptions: { value: Environment; label: string }[] = [
  { value: 'production', label: 'Production' },
  { value: 'staging', label: 'Staging' },
];

interface ConnectProviderModalProps {
  opened: boolean;
  onClose: () => void;
}

export function ConnectProviderModal({ opened, onClose }: ConnectProviderModalProps) {
  const [form, setForm] = useState<ProviderFormState>(initialProviderForm);
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateProvider();

  const problems = validateProviderForm(form);
  // Errors show live once a field has content, and for every field after a submit attempt.
  const shown = (field: keyof ProviderFormState): string | undefined =>
    (submitted || form[field].length > 0 ? problems[field] : undefined) ?? fieldError(create.error, field);
  const update = (patch: Partial<ProviderFormState>) => setForm((current) => ({ ...current, ...patch }));

  const close = () => {
    setForm(initialProviderForm);
    setSubmitted(false);
    create.reset();
    onClose();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length > 0) return;
    create.mutate(toCreateProviderInput(form), { onSuccess: close });
  };

  const isEcho = form.type === 'echo';
  const needsBaseUrl = form.type === 'openai-compatible';

  return (
    <Modal opened={opened} onClose={close} title="Connect provider" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Select
            label="Type"
            data={typeOptions}
            value={form.type}
            onChange={(value) => value && setForm((current) => withType(current, value as ProviderType))}
            allowDeselect={false}
          />
          <TextInput
            label="Identifier"
            description="Lowercase letters, digits and hyphens, starting with a letter (max 63)."
            placeholder="openai-prod"
            value={form.id}
            onChange={(event) => update({ id: event.currentTarget.value })}
            error={shown('id')}
            maxLength={IDENTIFIER_MAX_LENGTH}
            required
            data-autofocus
          />
          <TextInput
            label="Display name"
            placeholder="OpenAI (production)"
            value={form.displayName}
            onChange={(event) => update({ displayName: event.currentTarget.value })}
            error={shown('displayName')}
            required
          />
          {!isEcho && (
            <TextInput
              label="Base URL"
              placeholder={needsBaseUrl ? 'https://llm.example.internal/v1' : OPENAI_BASE_URL}
              value={form.baseUrl}
              onChange={(event) => update({ baseUrl: event.currentTarget.value })}
              error={shown('baseUrl')}
              required={needsBaseUrl}
            />
          )}
          {!isEcho && (
            <PasswordInput
              label="API key"
              description={
                needsBaseUrl
                  ? 'Leave empty if the endpoint needs no authentication. Only a hint is shown afterwards.'
                  : 'Write-only: only a hint is shown afterwards.'
              }
              autoComplete="new-password"
              value={form.apiKey}
              onChange={(event) => update({ apiKey: event.currentTarget.value })}
              error={shown('apiKey')}
              required={form.type === 'openai'}
            />
          )}
          <MultiSelect
            label="Environments"
            description="Which API-key environments may route to this provider."
            data={environmentOptions}
            value={form.environments}
            onChange={(value) => update({ environments: value as Environment[] })}
            error={shown('environments')}
          />
          <ErrorAlert error={create.error} title="Could not connect the provider" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Connect
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

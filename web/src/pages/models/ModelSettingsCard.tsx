import {
  Alert,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import { type LogicalModel, type ModelCapabilities, useUpdateModel } from '../../api/models';
import { useCan } from '../../api/session';
import type { ModelKind } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PermissionButton } from '../../components/GuardedButton';
import { type SettingsFormState, settingsOf, settingsPatch, validateSettings } from './modelForm';

const CAPABILITIES: { name: keyof ModelCapabilities; label: string; description: string }[] = [
  { name: 'streaming', label: 'Streaming', description: 'Answers can stream (stream: true)' },
  { name: 'tools', label: 'Tools', description: 'Function and tool calls' },
  { name: 'vision', label: 'Vision', description: 'Images in messages' },
  { name: 'jsonMode', label: 'JSON mode', description: 'response_format json_object / json_schema' },
];

interface ModelSettingsCardProps {
  model: LogicalModel;
  /** Aliases serving this model: its kind (and an embedding model's dimension) cannot change under them. */
  servingAliases: string[];
}

/** Kind, context window, dimension, capabilities, description and enabled; saves only what changed. */
export function ModelSettingsCard({ model, servingAliases }: ModelSettingsCardProps) {
  const [form, setForm] = useState<SettingsFormState>(() => settingsOf(model));
  const [submitted, setSubmitted] = useState(false);
  const update = useUpdateModel();
  const canWrite = useCan('models.write');

  const problems = validateSettings(form);
  const patch = settingsPatch(form, model);
  const changed = Object.keys(patch).length > 0;
  const set = (next: Partial<SettingsFormState>) => {
    update.reset();
    setForm((current) => ({ ...current, ...next }));
  };
  const shown = (field: keyof typeof problems) =>
    (submitted ? problems[field] : undefined) ?? fieldError(update.error, field);
  const aliasNote =
    servingAliases.length > 0
      ? `Served by the alias ${servingAliases.join(', ')}: its kind${model.kind === 'embedding' ? ' and dimension' : ''} cannot change under it.`
      : undefined;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length > 0 || !changed) return;
    update.mutate({ id: model.id, patch });
  };

  return (
    <Paper withBorder p="md" radius="md">
      <form onSubmit={submit} noValidate aria-label="Model settings">
        <Stack>
          <Title order={4}>Settings</Title>
          <div>
            <Text size="sm" fw={500} mb={4} id="model-kind-label">
              Kind
            </Text>
            <SegmentedControl
              aria-labelledby="model-kind-label"
              data={[
                { value: 'chat', label: 'Chat' },
                { value: 'embedding', label: 'Embedding' },
              ]}
              value={form.kind}
              onChange={(value) => set({ kind: value as ModelKind })}
              disabled={!canWrite || servingAliases.length > 0}
            />
            {aliasNote ? (
              <Text size="xs" c="dimmed" mt={4}>
                {aliasNote}
              </Text>
            ) : null}
            {fieldError(update.error, 'kind') ? (
              <Text size="xs" c="red" mt={4}>
                {fieldError(update.error, 'kind')}
              </Text>
            ) : null}
            {form.kind !== model.kind && form.kind === 'chat' ? (
              <Text size="xs" c="orange" mt={4}>
                As a chat model it keeps no vector dimension.
              </Text>
            ) : null}
          </div>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NumberInput
              label="Context window"
              description="In tokens; empty when unknown."
              value={form.contextWindow}
              onChange={(value) => set({ contextWindow: String(value) })}
              error={shown('contextWindow')}
              min={1}
              allowDecimal={false}
              allowNegative={false}
              thousandSeparator=","
              disabled={!canWrite}
            />
            {form.kind === 'embedding' ? (
              <NumberInput
                label="Dimension"
                description="Length of the vectors it returns."
                value={form.dimension}
                onChange={(value) => set({ dimension: String(value) })}
                error={shown('dimension')}
                min={1}
                allowDecimal={false}
                allowNegative={false}
                required
                disabled={!canWrite || (servingAliases.length > 0 && model.kind === 'embedding')}
              />
            ) : null}
          </SimpleGrid>
          <div>
            <Text size="sm" fw={500} mb={4}>
              Capabilities
            </Text>
            <Text size="xs" c="dimmed" mb="xs">
              Requests that need a capability skip deployments of models without it.
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
              {CAPABILITIES.map((capability) => (
                <Checkbox
                  key={capability.name}
                  label={capability.label}
                  description={capability.description}
                  checked={form.capabilities[capability.name]}
                  onChange={(event) =>
                    set({
                      capabilities: { ...form.capabilities, [capability.name]: event.currentTarget.checked },
                    })
                  }
                  disabled={!canWrite}
                />
              ))}
            </SimpleGrid>
          </div>
          <Textarea
            label="Description"
            autosize
            minRows={1}
            value={form.description}
            onChange={(event) => set({ description: event.currentTarget.value })}
            error={fieldError(update.error, 'description')}
            disabled={!canWrite}
          />
          <Switch
            label="Enabled"
            description="A disabled model answers like an unknown one; its settings stay."
            checked={form.enabled}
            onChange={(event) => set({ enabled: event.currentTarget.checked })}
            disabled={!canWrite}
          />
          {!form.enabled && model.enabled ? (
            <Alert color="orange" variant="light" p="xs">
              <Text size="sm">Once saved, clients calling {model.id} get a model-not-found error.</Text>
            </Alert>
          ) : null}
          <ErrorAlert error={update.error} title="Could not save the settings" />
          <Group justify="flex-end" gap="sm">
            {update.isSuccess && !changed ? (
              <Text size="sm" c="teal" role="status">
                Settings saved
              </Text>
            ) : null}
            <PermissionButton
              permission="models.write"
              type="submit"
              loading={update.isPending}
              blockedReason={changed ? null : 'Nothing changed yet'}
            >
              Save settings
            </PermissionButton>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

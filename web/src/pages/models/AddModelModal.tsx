import {
  Button,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import { useCreateModel, useProviderEntries } from '../../api/models';
import { useProviderTypes } from '../../api/providers';
import { useCan } from '../../api/session';
import type { ModelKind } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { navigate } from '../../lib/navigation';
import {
  initialModelForm,
  type ModelFormState,
  poolHasProblems,
  toCreateModelInput,
  validateModelForm,
  validatePool,
} from './modelForm';
import { PoolEditor } from './PoolEditor';

interface AddModelModalProps {
  opened: boolean;
  onClose: () => void;
}

/** Creates a logical model with its whole pool (one deployment per region or subscription). */
export function AddModelModal({ opened, onClose }: AddModelModalProps) {
  const [form, setForm] = useState<ModelFormState>(initialModelForm);
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateModel();
  const canReadProviders = useCan('providers.read');
  const providers = useProviderEntries(canReadProviders && opened);
  const providerTypes = useProviderTypes();

  const problems = validateModelForm(form);
  const pool = validatePool(form.pool);
  const shown = (field: keyof typeof problems): string | undefined =>
    (submitted ? problems[field] : undefined) ?? fieldError(create.error, field);
  const update = (patch: Partial<ModelFormState>) => setForm((current) => ({ ...current, ...patch }));

  const close = () => {
    setForm(initialModelForm());
    setSubmitted(false);
    create.reset();
    onClose();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length > 0 || poolHasProblems(pool)) return;
    create.mutate(toCreateModelInput(form), {
      onSuccess: (model) => {
        close();
        navigate('models', model.id);
      },
    });
  };

  const providersProblem = !canReadProviders
    ? undefined
    : providers.isError
      ? 'Could not load provider entries'
      : providers.data?.length === 0
        ? 'Connect a provider entry first'
        : undefined;

  return (
    <Modal opened={opened} onClose={close} title="Add model" size="xl">
      <form onSubmit={submit} noValidate>
        <Stack>
          <div>
            <Text size="sm" fw={500} mb={4} id="add-model-kind">
              Kind
            </Text>
            <SegmentedControl
              aria-labelledby="add-model-kind"
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
            description="What clients send as the model parameter. For a version, pin it: acme-llm-2026-04."
            placeholder="gpt-4o-mini"
            value={form.id}
            onChange={(event) => update({ id: event.currentTarget.value })}
            error={shown('id')}
            required
            data-autofocus
          />
          <Group grow align="flex-start">
            <NumberInput
              label="Context window"
              description="In tokens; leave empty if unknown."
              value={form.contextWindow}
              onChange={(value) => update({ contextWindow: String(value) })}
              error={shown('contextWindow')}
              min={1}
              allowDecimal={false}
              allowNegative={false}
              thousandSeparator=","
            />
            {form.kind === 'embedding' ? (
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
            ) : null}
          </Group>
          <Textarea
            label="Description"
            autosize
            minRows={1}
            value={form.description}
            onChange={(event) => update({ description: event.currentTarget.value })}
            error={fieldError(create.error, 'description')}
          />
          <div>
            <Text size="sm" fw={500}>
              Pool
            </Text>
            <Text size="xs" c="dimmed" mb="xs">
              The deployments that serve this model, typically the same upstream model in several regions. Add
              one per provider entry; priority orders fallback, weight splits traffic.
            </Text>
            <PoolEditor
              rows={form.pool}
              onChange={(rows) => update({ pool: rows })}
              errors={submitted ? pool : undefined}
              apiError={create.error}
              providers={providers.data}
              providerTypes={providerTypes.data}
              providersProblem={providersProblem}
            />
          </div>
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

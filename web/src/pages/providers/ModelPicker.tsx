import {
  Button,
  Checkbox,
  Code,
  Group,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { FieldErrors, PickedRow } from './connectForm';

interface ModelPickerProps {
  /** Model ids the provider listed (after "Test connection"). */
  discovered: string[];
  picked: PickedRow[];
  onChange: (picked: PickedRow[]) => void;
  errors: FieldErrors;
  /** Whether the provider type serves embeddings (else every model is chat). */
  embeddings: boolean;
}

const FILTER_FROM = 8;

const guessKind = (name: string): PickedRow['kind'] => (/embed/i.test(name) ? 'embedding' : 'chat');

/**
 * Picks the upstream models the entry serves: checkboxes for the models the provider listed, and a field to type
 * any other name. Each picked model joins the logical model of the same name (created when absent).
 */
export function ModelPicker({ discovered, picked, onChange, errors, embeddings }: ModelPickerProps) {
  const [filter, setFilter] = useState('');
  const [typed, setTyped] = useState('');
  const pickedNames = new Set(picked.map((row) => row.upstreamModel));
  const shown = discovered.filter((id) => id.toLowerCase().includes(filter.trim().toLowerCase()));

  const add = (name: string) =>
    onChange([
      ...picked,
      { upstreamModel: name, kind: embeddings ? guessKind(name) : 'chat', dimension: '' },
    ]);
  const toggle = (name: string, checked: boolean) =>
    checked ? add(name) : onChange(picked.filter((row) => row.upstreamModel !== name));
  const change = (index: number, patch: Partial<PickedRow>) =>
    onChange(picked.map((row, at) => (at === index ? { ...row, ...patch } : row)));

  const addTyped = (event?: FormEvent) => {
    event?.preventDefault();
    const name = typed.trim();
    if (!name || pickedNames.has(name)) return;
    add(name);
    setTyped('');
  };

  return (
    <Stack>
      {discovered.length > 0 ? (
        <Stack gap="xs">
          <Group justify="space-between">
            <Text size="sm" fw={600}>
              Models the provider lists ({discovered.length})
            </Text>
            <Group gap="xs">
              <Button
                size="compact-xs"
                variant="subtle"
                onClick={() =>
                  onChange([
                    ...picked,
                    ...shown
                      .filter((id) => !pickedNames.has(id))
                      .map((id) => ({
                        upstreamModel: id,
                        kind: embeddings ? guessKind(id) : ('chat' as const),
                        dimension: '',
                      })),
                  ])
                }
              >
                Select all shown
              </Button>
              <Button
                size="compact-xs"
                variant="subtle"
                onClick={() => onChange(picked.filter((row) => !shown.includes(row.upstreamModel)))}
              >
                Clear shown
              </Button>
            </Group>
          </Group>
          {discovered.length >= FILTER_FROM ? (
            <TextInput
              label="Filter listed models"
              placeholder="gpt-4o"
              value={filter}
              onChange={(event) => setFilter(event.currentTarget.value)}
            />
          ) : null}
          <ScrollArea.Autosize mah={260} type="auto">
            <Stack gap={4}>
              {shown.map((id) => (
                <Checkbox
                  key={id}
                  label={id}
                  checked={pickedNames.has(id)}
                  onChange={(event) => toggle(id, event.currentTarget.checked)}
                />
              ))}
              {shown.length === 0 ? (
                <Text size="sm" c="dimmed">
                  No listed model matches the filter.
                </Text>
              ) : null}
            </Stack>
          </ScrollArea.Autosize>
        </Stack>
      ) : null}
      <Group align="flex-end" wrap="nowrap">
        <TextInput
          label="Model name"
          description="An upstream model name the provider expects (for Azure, the deployment name)."
          placeholder="gpt-4o-mini"
          value={typed}
          onChange={(event) => setTyped(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') addTyped(event);
          }}
          style={{ flex: 1 }}
          autoComplete="off"
          spellCheck={false}
          error={typed.trim() && pickedNames.has(typed.trim()) ? 'Already picked' : undefined}
        />
        <Button variant="default" onClick={() => addTyped()} disabled={!typed.trim()}>
          Add model
        </Button>
      </Group>
      {errors.models ? (
        <Text size="sm" c="red">
          {errors.models}
        </Text>
      ) : null}
      {picked.length === 0 ? (
        <Text size="sm" c="dimmed">
          No model picked: the entry is saved without models, and you can add it to models later.
        </Text>
      ) : (
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            Models to serve ({picked.length})
          </Text>
          <Text size="xs" c="dimmed">
            Each joins the pool of the logical model with the same name; a logical model that does not exist
            yet is created with the kind chosen here.
          </Text>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Model</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Dimension</Table.Th>
                <Table.Th aria-label="Remove" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {picked.map((row, index) => {
                const rowError = (field: string) => errors[`models.${index}.${field}`];
                const generalError = errors[`models.${index}`];
                return (
                  <Table.Tr key={row.upstreamModel}>
                    <Table.Td>
                      <Code>{row.upstreamModel}</Code>
                      {rowError('upstreamModel') || generalError ? (
                        <Text size="xs" c="red">
                          {rowError('upstreamModel') ?? generalError}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={`Kind of ${row.upstreamModel}`}
                        data={
                          embeddings
                            ? [
                                { value: 'chat', label: 'chat' },
                                { value: 'embedding', label: 'embedding' },
                              ]
                            : [{ value: 'chat', label: 'chat' }]
                        }
                        value={row.kind}
                        onChange={(value) => value && change(index, { kind: value as PickedRow['kind'] })}
                        allowDeselect={false}
                        error={rowError('kind')}
                        w={130}
                        size="xs"
                      />
                    </Table.Td>
                    <Table.Td>
                      {row.kind === 'embedding' ? (
                        <TextInput
                          aria-label={`Dimension of ${row.upstreamModel}`}
                          placeholder="1536"
                          inputMode="numeric"
                          value={row.dimension}
                          onChange={(event) => change(index, { dimension: event.currentTarget.value })}
                          error={rowError('dimension')}
                          w={100}
                          size="xs"
                        />
                      ) : (
                        <Text size="xs" c="dimmed">
                          —
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        color="red"
                        aria-label={`Remove ${row.upstreamModel}`}
                        onClick={() => onChange(picked.filter((_, at) => at !== index))}
                      >
                        Remove
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Stack>
  );
}

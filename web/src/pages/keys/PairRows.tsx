import { ActionIcon, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { newPair, type PairForm } from './routingForm';

interface PairRowsProps {
  /** What one row is ("Header", "Metadata"): field labels read "Header 1 name", "Header 1 value". */
  noun: string;
  rows: PairForm[];
  onChange: (rows: PairForm[]) => void;
  error?: string;
  disabled?: boolean;
  namePlaceholder?: string;
  valuePlaceholder?: string;
}

/** Name/value rows (headers, metadata): each with its own labelled fields and a remove button. */
export function PairRows({
  noun,
  rows,
  onChange,
  error,
  disabled,
  namePlaceholder,
  valuePlaceholder,
}: PairRowsProps) {
  const update = (index: number, patch: Partial<PairForm>) =>
    onChange(rows.map((row, at) => (at === index ? { ...row, ...patch } : row)));
  return (
    <Stack gap={6}>
      {rows.map((row, index) => (
        <Group key={row.uid} gap="xs" align="flex-end" wrap="nowrap">
          <TextInput
            label={`${noun} ${index + 1} name`}
            placeholder={namePlaceholder}
            value={row.name}
            onChange={(event) => update(index, { name: event.currentTarget.value })}
            disabled={disabled}
            style={{ flex: 1 }}
            size="xs"
          />
          <TextInput
            label={`${noun} ${index + 1} value`}
            placeholder={valuePlaceholder}
            value={row.value}
            onChange={(event) => update(index, { value: event.currentTarget.value })}
            disabled={disabled}
            style={{ flex: 1 }}
            size="xs"
          />
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={`Remove ${noun.toLowerCase()} ${index + 1}`}
            onClick={() => onChange(rows.filter((_, at) => at !== index))}
            disabled={disabled}
            mb={4}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      {error ? (
        <Text size="xs" c="red">
          {error}
        </Text>
      ) : null}
      <Group>
        <Button
          size="compact-xs"
          variant="subtle"
          onClick={() => onChange([...rows, newPair()])}
          disabled={disabled}
        >
          Add {noun.toLowerCase()}
        </Button>
      </Group>
    </Stack>
  );
}

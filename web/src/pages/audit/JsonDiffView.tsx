import { Badge, Code, Group, ScrollArea, SimpleGrid, Stack, Switch, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { type DiffKind, diffJson, diffSummary, formatPath, formatValue } from '../../lib/jsonDiff';

const KIND_COLOR: Record<DiffKind, string> = {
  added: 'teal',
  removed: 'red',
  changed: 'yellow',
  unchanged: 'gray',
};

const ROW_BACKGROUND: Record<DiffKind, string | undefined> = {
  added: 'var(--mantine-color-teal-light)',
  removed: 'var(--mantine-color-red-light)',
  changed: 'var(--mantine-color-yellow-light)',
  unchanged: undefined,
};

function Value({ value, present }: { value: unknown; present: boolean }) {
  if (!present) {
    return (
      <Text size="xs" c="dimmed">
        (absent)
      </Text>
    );
  }
  return (
    <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', background: 'transparent' }}>
      {formatValue(value)}
    </Code>
  );
}

/** A JSON document as text, pretty-printed, in a scrollable block. */
function Document({ title, value }: { title: string; value: unknown }) {
  return (
    <Stack gap={4} component="section" aria-label={title}>
      <Text fw={600} size="sm">
        {title}
      </Text>
      {value === null || value === undefined ? (
        <Text size="sm" c="dimmed">
          (none)
        </Text>
      ) : (
        <ScrollArea.Autosize mah={360} type="auto">
          <Code block>{JSON.stringify(value, null, 2)}</Code>
        </ScrollArea.Autosize>
      )}
    </Stack>
  );
}

/**
 * The before and after documents of an audit row side by side, field by field: changed, added and removed fields
 * highlighted (unchanged ones on request), then both documents in full. Everything is text.
 */
export function JsonDiffView({ before, after }: { before: unknown; after: unknown }) {
  const [showUnchanged, setShowUnchanged] = useState(false);
  const entries = diffJson(before, after);
  const summary = diffSummary(entries);
  const shown = showUnchanged ? entries : entries.filter((entry) => entry.kind !== 'unchanged');
  const noChange = summary.added + summary.removed + summary.changed === 0;

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs" aria-label="Diff summary">
          <Badge color="yellow" variant="light">
            {summary.changed} changed
          </Badge>
          <Badge color="teal" variant="light">
            {summary.added} added
          </Badge>
          <Badge color="red" variant="light">
            {summary.removed} removed
          </Badge>
          <Badge color="gray" variant="light">
            {summary.unchanged} unchanged
          </Badge>
        </Group>
        <Switch
          label="Show unchanged fields"
          checked={showUnchanged}
          onChange={(event) => setShowUnchanged(event.currentTarget.checked)}
        />
      </Group>
      {entries.length === 0 ? (
        <Text size="sm" c="dimmed">
          This change recorded no before or after document.
        </Text>
      ) : noChange && !showUnchanged ? (
        <Text size="sm" c="dimmed">
          No field changed.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table aria-label="Changes" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Field</Table.Th>
                <Table.Th>Change</Table.Th>
                <Table.Th>Before</Table.Th>
                <Table.Th>After</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((entry) => {
                const path = formatPath(entry.path);
                return (
                  <Table.Tr key={`${entry.kind}:${path}`} style={{ background: ROW_BACKGROUND[entry.kind] }}>
                    <Table.Td style={{ wordBreak: 'break-all' }}>
                      <Code style={{ background: 'transparent' }} fw={entry.kind === 'unchanged' ? 400 : 700}>
                        {path}
                      </Code>
                    </Table.Td>
                    <Table.Td>
                      <Badge size="sm" variant="light" color={KIND_COLOR[entry.kind]}>
                        {entry.kind}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Value value={entry.before} present={entry.kind !== 'added'} />
                    </Table.Td>
                    <Table.Td>
                      <Value value={entry.after} present={entry.kind !== 'removed'} />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Document title="Before" value={before} />
        <Document title="After" value={after} />
      </SimpleGrid>
    </Stack>
  );
}

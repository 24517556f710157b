import { Anchor, Badge, Code, Group, SegmentedControl, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { type Alias, useAliases } from '../../api/aliases';
import { type LogicalModel, useModels, useProviderEntries } from '../../api/models';
import type { ProviderEntry } from '../../api/providers';
import { useCan } from '../../api/session';
import { EmptyMessage } from '../../components/EmptyMessage';
import { PermissionButton } from '../../components/GuardedButton';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { pageHref, usePageDetail } from '../../lib/navigation';
import { AddModelModal } from './AddModelModal';
import { AliasesSection } from './AliasesSection';
import { ModelDetail } from './ModelDetail';
import { audienceSummary } from './modelForm';

type KindFilter = 'all' | 'chat' | 'embedding';

/** The provider entries and regions a pool spans. */
function PoolSummary({ model, providers }: { model: LogicalModel; providers: ProviderEntry[] | undefined }) {
  if (model.deployments.length === 0) {
    return (
      <Text size="sm" c="red">
        no deployment
      </Text>
    );
  }
  const entries = [...new Set(model.deployments.map((member) => member.providerId))];
  const regions = [
    ...new Set(
      entries
        .map((id) => providers?.find((provider) => provider.id === id)?.region)
        .filter((region): region is string => Boolean(region)),
    ),
  ];
  const count = model.deployments.length;
  return (
    <Stack gap={2}>
      <Text size="sm">
        {count} deployment{count === 1 ? '' : 's'}
        {regions.length > 0 ? ` · ${regions.length} region${regions.length === 1 ? '' : 's'}` : ''}
      </Text>
      <Text size="xs" c="dimmed">
        {entries.join(', ')}
      </Text>
      {regions.length > 0 ? (
        <Text size="xs" c="dimmed">
          {regions.join(', ')}
        </Text>
      ) : null}
    </Stack>
  );
}

function ModelRow({
  model,
  aliases,
  providers,
}: {
  model: LogicalModel;
  aliases: Alias[];
  providers: ProviderEntry[] | undefined;
}) {
  const servedBy = aliases.filter((alias) => alias.modelId === model.id);
  return (
    <Table.Tr>
      <Table.Td>
        <Stack gap={4}>
          <Anchor href={pageHref('models', model.id)} size="sm">
            <Code>{model.id}</Code>
          </Anchor>
          {servedBy.length > 0 ? (
            <Group gap={4}>
              {servedBy.map((alias) => (
                <Badge key={alias.id} size="xs" variant="outline" color="indigo" tt="none">
                  alias {alias.id}
                </Badge>
              ))}
            </Group>
          ) : null}
        </Stack>
      </Table.Td>
      <Table.Td>
        <Stack gap={2}>
          <Badge variant="light" color={model.kind === 'chat' ? 'blue' : 'grape'}>
            {model.kind}
          </Badge>
          {model.kind === 'embedding' && model.dimension !== null ? (
            <Text size="xs" c="dimmed">
              {model.dimension} dimensions
            </Text>
          ) : null}
        </Stack>
      </Table.Td>
      <Table.Td>
        <PoolSummary model={model} providers={providers} />
      </Table.Td>
      <Table.Td>
        <Badge color={model.enabled ? 'teal' : 'gray'} variant="light">
          {model.enabled ? 'enabled' : 'disabled'}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{audienceSummary(model.audience)}</Text>
      </Table.Td>
    </Table.Tr>
  );
}

function matches(model: LogicalModel, text: string, kind: KindFilter): boolean {
  if (kind !== 'all' && model.kind !== kind) return false;
  const needle = text.trim().toLowerCase();
  if (!needle) return true;
  return [
    model.id,
    model.description ?? '',
    ...model.deployments.flatMap((m) => [m.providerId, m.upstreamModel]),
  ]
    .join('\n')
    .toLowerCase()
    .includes(needle);
}

function ModelList() {
  const models = useModels();
  const aliases = useAliases();
  // Regions come from the provider entries; roles without providers.read simply see none.
  const canReadProviders = useCan('providers.read');
  const providers = useProviderEntries(canReadProviders);
  const [adding, setAdding] = useState(false);
  const [text, setText] = useState('');
  const [kind, setKind] = useState<KindFilter>('all');

  const addButton = (
    <PermissionButton permission="models.write" onClick={() => setAdding(true)}>
      Add model
    </PermissionButton>
  );

  return (
    <>
      <PageHeader
        title="Models"
        description="The model names clients call, the pool of deployments that serves each one, and who may call it."
        action={addButton}
      />
      <QueryState query={models} label="models">
        {(data) =>
          data.length === 0 ? (
            <EmptyMessage
              title="No models yet"
              description="Add a model and point it at one or more provider entries; clients then call it by name."
              action={addButton}
            />
          ) : (
            <Stack>
              <Group align="flex-end">
                <TextInput
                  label="Search models"
                  placeholder="Name, provider entry or upstream model"
                  value={text}
                  onChange={(event) => setText(event.currentTarget.value)}
                  w={320}
                />
                <Stack gap={4}>
                  <Text size="sm" fw={500} id="models-kind-filter">
                    Kind
                  </Text>
                  <SegmentedControl
                    aria-labelledby="models-kind-filter"
                    data={[
                      { value: 'all', label: 'All' },
                      { value: 'chat', label: 'Chat' },
                      { value: 'embedding', label: 'Embedding' },
                    ]}
                    value={kind}
                    onChange={(value) => setKind(value as KindFilter)}
                  />
                </Stack>
              </Group>
              {providers.isError ? (
                <Text size="xs" c="red">
                  Could not load provider entries: regions are not shown.
                </Text>
              ) : null}
              {(() => {
                const shown = data.filter((model) => matches(model, text, kind));
                if (shown.length === 0) {
                  return (
                    <EmptyMessage
                      title="No model matches"
                      description="Change the search text or the kind filter."
                    />
                  );
                }
                return (
                  <Table.ScrollContainer minWidth={760}>
                    <Table striped highlightOnHover aria-label="Models">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>Name</Table.Th>
                          <Table.Th>Kind</Table.Th>
                          <Table.Th>Pool</Table.Th>
                          <Table.Th>Status</Table.Th>
                          <Table.Th>Audience</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {shown.map((model) => (
                          <ModelRow
                            key={model.id}
                            model={model}
                            aliases={aliases.data ?? []}
                            providers={providers.data}
                          />
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                );
              })()}
            </Stack>
          )
        }
      </QueryState>
      <AliasesSection />
      <AddModelModal opened={adding} onClose={() => setAdding(false)} />
    </>
  );
}

/** `#/models`: the list and the aliases; `#/models/<name>`: one model (or where an alias of that name points). */
export function ModelsPage() {
  const [name] = usePageDetail();
  return name ? <ModelDetail key={name} name={name} /> : <ModelList />;
}

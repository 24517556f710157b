import { Badge, Button, Group, Paper, PasswordInput, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { type GatewayModel, listGatewayModels } from '../../api/playground';
import { EmptyMessage } from '../../components/EmptyMessage';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { ChatPanel } from './ChatPanel';
import { EmbeddingsPanel } from './EmbeddingsPanel';

function capabilityList(model: GatewayModel): string {
  const capabilities = model.capabilities ?? {};
  const names = [
    capabilities.streaming ? 'streaming' : null,
    capabilities.tools ? 'tools' : null,
    capabilities.vision ? 'vision' : null,
    capabilities.json_mode ? 'JSON mode' : null,
  ].filter((name): name is string => name !== null);
  return names.length === 0 ? '—' : names.join(', ');
}

function isEmbedding(model: GatewayModel): boolean {
  return model.kind === 'embedding';
}

function ModelsTable({ models, selected }: { models: GatewayModel[]; selected: string | null }) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped aria-label="Models this key may use">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Model</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Context window</Table.Th>
            <Table.Th>Dimension</Table.Th>
            <Table.Th>Capabilities</Table.Th>
            <Table.Th>Owned by</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {models.map((model) => (
            <Table.Tr
              key={model.id}
              bg={model.id === selected ? 'var(--mantine-primary-color-light)' : undefined}
            >
              <Table.Td>
                <Text size="sm" fw={model.id === selected ? 600 : undefined}>
                  {model.id}
                </Text>
                {model.version && model.version !== model.id ? (
                  <Text size="xs" c="dimmed">
                    alias of {model.version}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color={isEmbedding(model) ? 'grape' : 'blue'}>
                  {model.kind ?? 'unknown'}
                </Badge>
              </Table.Td>
              <Table.Td>{model.context_window ?? '—'}</Table.Td>
              <Table.Td>{model.dimension ?? '—'}</Table.Td>
              <Table.Td>{capabilityList(model)}</Table.Td>
              <Table.Td>{model.owned_by ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/**
 * Tries the gateway's own endpoints with an API key: lists the models the key may use, then chats (streamed) or
 * embeds with one of them, showing how each request was served and what it cost. The key lives in this page's
 * state only: never stored, never sent anywhere but `/v1` on this origin, gone on "Forget key" or when leaving.
 */
export function PlaygroundPage() {
  const [apiKey, setApiKey] = useState('');
  const [models, setModels] = useState<GatewayModel[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const loadController = useRef<AbortController | null>(null);

  useEffect(() => () => loadController.current?.abort(), []);

  const reset = () => {
    loadController.current?.abort();
    loadController.current = null;
    setModels(null);
    setSelected(null);
    setLoadError(null);
    setLoading(false);
  };

  const changeKey = (value: string) => {
    setApiKey(value);
    // Models listed for another key are not this key's.
    if (models !== null || loadError !== null || loading) reset();
  };

  const forgetKey = () => {
    setApiKey('');
    reset();
  };

  const load = async () => {
    const key = apiKey.trim();
    if (key === '' || loading) return;
    const abort = new AbortController();
    loadController.current = abort;
    setLoading(true);
    setLoadError(null);
    try {
      const list = await listGatewayModels(key, abort.signal);
      if (abort.signal.aborted) return;
      setModels(list);
      setSelected((current) =>
        current !== null && list.some((model) => model.id === current)
          ? current
          : list.length === 1
            ? list[0]!.id
            : null,
      );
    } catch (error) {
      if (abort.signal.aborted) return;
      setModels(null);
      setLoadError(error);
    } finally {
      if (loadController.current === abort) {
        loadController.current = null;
        setLoading(false);
      }
    }
  };

  const model = models?.find((entry) => entry.id === selected) ?? null;
  const key = apiKey.trim();

  return (
    <>
      <PageHeader
        title="Playground"
        description="Try a prompt or an embedding through this gateway with an API key, and see which backend served it, how long it took and what it cost."
      />
      <Stack>
        <Paper withBorder p="md">
          <Stack gap="sm">
            <PasswordInput
              label="API key"
              description="Kept in this page's memory only and sent only to this gateway's /v1 endpoints. Leaving the page or signing out forgets it."
              placeholder="jk_…"
              value={apiKey}
              onChange={(event) => changeKey(event.currentTarget.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter') {
                  event.preventDefault();
                  void load();
                }
              }}
              autoComplete="off"
              spellCheck={false}
              data-1p-ignore
              data-lpignore="true"
            />
            <Group gap="xs">
              <Button onClick={() => void load()} loading={loading} disabled={key === ''}>
                Load models
              </Button>
              <Button variant="default" onClick={forgetKey} disabled={apiKey === '' && models === null}>
                Forget key
              </Button>
            </Group>
            <ErrorAlert error={loadError} title="Could not load models" />
          </Stack>
        </Paper>

        {models === null ? null : models.length === 0 ? (
          <EmptyMessage
            title="This key may use no model"
            description="A key sees the models active in its environment and open to it (a model's audience can be limited to some teams or keys). Ask an operator, or try another key."
          />
        ) : (
          <Paper withBorder p="md">
            <Stack gap="sm">
              <Select
                label="Model"
                placeholder="Choose a model"
                data={models.map((entry) => ({
                  value: entry.id,
                  label: `${entry.id} (${entry.kind ?? 'unknown kind'})`,
                }))}
                value={selected}
                onChange={setSelected}
                searchable
                allowDeselect={false}
                nothingFoundMessage="No model of that name"
              />
              <ModelsTable models={models} selected={selected} />
            </Stack>
          </Paper>
        )}

        {model && key !== '' ? (
          <Paper withBorder p="md">
            <Title order={4} mb="sm">
              {isEmbedding(model) ? 'Embeddings' : 'Chat'}: {model.id}
            </Title>
            {isEmbedding(model) ? (
              <EmbeddingsPanel key={model.id} apiKey={key} model={model} />
            ) : (
              <ChatPanel apiKey={key} model={model} />
            )}
          </Paper>
        ) : null}
      </Stack>
    </>
  );
}

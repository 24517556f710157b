import { Badge, Card, Code, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useModels } from '../api/models';
import { useStatus } from '../api/system';
import { CopyField } from '../components/CopyField';
import { PageHeader } from '../components/PageHeader';
import { QueryState } from '../components/QueryState';
import { formatDateTime } from '../lib/format';

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <Card withBorder padding="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text fz={28} fw={700}>
        {value}
      </Text>
    </Card>
  );
}

function curlSnippet(model: string): string {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello!' }] });
  return [
    `curl ${window.location.origin}/v1/chat/completions \\`,
    `  -H "Authorization: Bearer $JUNCTION_API_KEY" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '${body}'`,
  ].join('\n');
}

export function OverviewPage() {
  const status = useStatus();
  const models = useModels();
  const chatModel = models.data?.find((model) => model.kind === 'chat' && model.enabled)?.id ?? 'MODEL_NAME';

  return (
    <Stack gap="lg">
      <PageHeader title="Overview" description="The gateway's current configuration at a glance." />
      <QueryState query={status} label="status">
        {(data) => (
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, xs: 3 }}>
              <Stat label="Providers" value={data.providers} />
              <Stat label="Models" value={data.models} />
              <Stat label="API keys" value={data.keys} />
            </SimpleGrid>
            <Group gap="xs">
              <Text size="sm" c="dimmed">
                Configuration snapshot v{data.snapshotVersion}, compiled {formatDateTime(data.compiledAt)}
              </Text>
              <Badge variant="light">{data.store === 'postgres' ? 'PostgreSQL' : 'Embedded store'}</Badge>
            </Group>
          </Stack>
        )}
      </QueryState>
      <Card withBorder padding="md">
        <Stack gap="xs">
          <Title order={4}>Try it</Title>
          <Text size="sm" c="dimmed">
            Create an API key under Teams &amp; keys, export it as <Code>JUNCTION_API_KEY</Code>, then call
            the OpenAI-compatible endpoint:
          </Text>
          <CopyField value={curlSnippet(chatModel)} block />
        </Stack>
      </Card>
    </Stack>
  );
}

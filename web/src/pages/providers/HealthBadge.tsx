import { Badge, Stack, Text, Tooltip } from '@mantine/core';
import type { ProviderHealth } from '../../api/types';
import { formatDateTime } from '../../lib/format';

const colours: Record<ProviderHealth['status'], string> = {
  healthy: 'teal',
  unhealthy: 'red',
  unverified: 'gray',
  deferred: 'blue',
};

/** The entry's health: a badge, the last verification, and the failing stage's diagnostic as text. */
export function HealthBadge({ health }: { health: ProviderHealth }) {
  const detail = health.diagnostic
    ? `${health.diagnostic.stage}: ${health.diagnostic.message}`
    : health.status === 'deferred'
      ? 'Validated by the first real request'
      : undefined;
  return (
    <Stack gap={2}>
      <Tooltip label={detail ?? 'No problem reported'} multiline w={360} withArrow>
        <Badge color={colours[health.status]} variant="light">
          {health.status}
        </Badge>
      </Tooltip>
      <Text size="xs" c="dimmed">
        {health.lastVerifiedAt ? `verified ${formatDateTime(health.lastVerifiedAt)}` : 'never verified'}
        {health.latencyMs !== null ? ` · ${health.latencyMs} ms` : ''}
      </Text>
      {health.diagnostic ? (
        <Text size="xs" c="red" lineClamp={2}>
          {health.diagnostic.stage}: {health.diagnostic.message}
        </Text>
      ) : null}
    </Stack>
  );
}

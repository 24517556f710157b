import { Badge, Stack, Text, Tooltip } from '@mantine/core';
import type { Diagnostic } from '../../api/providers';

export type StatusName = 'healthy' | 'unhealthy' | 'unverified' | 'deferred' | 'ejected' | 'rejoined';

const colours: Record<StatusName, string> = {
  healthy: 'teal',
  unhealthy: 'red',
  unverified: 'gray',
  deferred: 'blue',
  ejected: 'orange',
  rejoined: 'teal',
};

const explanations: Record<StatusName, string> = {
  healthy: 'The last check or request succeeded',
  unhealthy: 'The last check or request failed',
  unverified: 'Not checked yet',
  deferred: 'Cannot be checked ahead: the first real request validates it',
  ejected: 'Real traffic ejected a backend of this entry after consecutive failures',
  rejoined: 'The ejected backend passed its probe and is back in rotation',
};

/** The stage that failed, as an operator reads it. */
export const stageLabels: Record<string, string> = {
  dns: 'DNS',
  connect: 'Connection',
  tls: 'TLS',
  timeout: 'Timeout',
  http: 'HTTP',
  auth: 'Credential',
  'wrong-path': 'Wrong path',
  response: 'Response',
};

/** A health status as a coloured badge with its meaning in a tooltip. */
export function StatusBadge({ status }: { status: StatusName }) {
  return (
    <Tooltip label={explanations[status]} withArrow>
      <Badge color={colours[status]} variant="light">
        {status}
      </Badge>
    </Tooltip>
  );
}

/** A failure's stage, message, HTTP status and error code, as text. */
export function DiagnosticText({ diagnostic }: { diagnostic: Diagnostic }) {
  const extra = [
    diagnostic.httpStatus !== undefined ? `HTTP ${diagnostic.httpStatus}` : null,
    diagnostic.code ? diagnostic.code : null,
  ].filter(Boolean);
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600}>
        {stageLabels[diagnostic.stage] ?? diagnostic.stage} stage
        {extra.length > 0 ? ` (${extra.join(', ')})` : ''}
      </Text>
      <Text size="sm" style={{ wordBreak: 'break-word' }}>
        {diagnostic.message}
      </Text>
    </Stack>
  );
}

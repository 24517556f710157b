import { Alert, Badge, Group, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import {
  type LogicalModel,
  type MemberVerification,
  type ModelVerification,
  useVerifyEnvironments,
  useVerifyModel,
} from '../../api/models';
import { useCan } from '../../api/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PermissionButton } from '../../components/GuardedButton';

/** What a request found, in a few words: the answer, the vector size, the error or why it was skipped. */
function outcomeText(
  result: MemberVerification | ModelVerification,
  recordedDimension: number | null,
): string {
  if ('skipped' in result && result.skipped) return `Skipped: ${result.skipped}`;
  if (result.error) return `${result.error.code}: ${result.error.message}`;
  if (result.dimension !== undefined) {
    return result.dimensionMatches
      ? `Returned ${result.dimension}-dimensional vectors, as recorded`
      : `Returned ${result.dimension}-dimensional vectors, but ${recordedDimension ?? 'another size'} is recorded`;
  }
  if (result.answer !== undefined)
    return result.answer ? `Answered: ${result.answer}` : 'Answered (empty text)';
  return result.ok ? 'OK' : `HTTP ${result.status}`;
}

function ResultBadge({ result }: { result: MemberVerification }) {
  if (result.skipped) {
    return (
      <Badge color="gray" variant="light">
        skipped
      </Badge>
    );
  }
  return (
    <Badge color={result.ok ? 'teal' : 'red'} variant="light">
      {result.ok ? 'ok' : 'failed'}
    </Badge>
  );
}

function VerificationResult({ result, model }: { result: ModelVerification; model: LogicalModel }) {
  return (
    <Stack gap="sm" aria-live="polite">
      <Alert
        color={result.ok ? 'teal' : 'red'}
        variant="light"
        title={
          result.ok
            ? `${result.model} works in ${result.environment}`
            : `${result.model} failed in ${result.environment}`
        }
      >
        <Stack gap={2}>
          <Text size="sm">{outcomeText(result, model.dimension)}</Text>
          <Text size="xs" c="dimmed">
            Served by {result.backend ?? 'no backend'} · version {result.version} · HTTP {result.status} ·{' '}
            {result.attempts} attempt{result.attempts === 1 ? '' : 's'} · {result.latencyMs} ms
          </Text>
        </Stack>
      </Alert>
      {result.deployments && result.deployments.length > 0 ? (
        <Table.ScrollContainer minWidth={620}>
          <Table aria-label="Result per deployment">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Deployment</Table.Th>
                <Table.Th>Result</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Latency</Table.Th>
                <Table.Th>Detail</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.deployments.map((member) => (
                <Table.Tr key={`${member.providerId}/${member.upstreamModel}`}>
                  <Table.Td>
                    <Text size="sm">
                      {member.providerId} → {member.upstreamModel}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <ResultBadge result={member} />
                  </Table.Td>
                  <Table.Td>{member.skipped ? '—' : member.status}</Table.Td>
                  <Table.Td>{member.skipped ? '—' : `${member.latencyMs} ms`}</Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ wordBreak: 'break-word' }}>
                      {outcomeText(member, model.dimension)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Stack>
  );
}

/** Sends a short request through the data plane as a developer would, then one to each deployment alone. */
export function VerifyCard({ model }: { model: LogicalModel }) {
  const canReadEnvironments = useCan('environments.read');
  const environments = useVerifyEnvironments(canReadEnvironments);
  const verify = useVerifyModel();
  const [environment, setEnvironment] = useState('production');

  const options = [...new Set(['production', ...(environments.data ?? []).map((entry) => entry.id)])];

  return (
    <Paper withBorder p="md" radius="md" aria-label="Verify">
      <Stack>
        <div>
          <Title order={4}>Verify</Title>
          <Text size="sm" c="dimmed">
            Sends a one-word {model.kind === 'chat' ? 'chat' : 'embedding'} request for {model.id} through the
            gateway, then one to each deployment on its own, and reports what came back. It is recorded in
            usage like any request.
          </Text>
        </div>
        <Group align="flex-end">
          {canReadEnvironments && !environments.isError ? (
            <Select
              label="Environment"
              data={options}
              value={environment}
              onChange={(value) => setEnvironment(value ?? 'production')}
              allowDeselect={false}
              w={220}
            />
          ) : (
            <TextInput
              label="Environment"
              value={environment}
              onChange={(event) => setEnvironment(event.currentTarget.value)}
              w={220}
            />
          )}
          <PermissionButton
            permission="models.verify"
            onClick={() => verify.mutate({ id: model.id, environment: environment.trim() || 'production' })}
            loading={verify.isPending}
            blockedReason={model.enabled ? null : 'A disabled model cannot serve: enable it first'}
          >
            Verify
          </PermissionButton>
        </Group>
        <ErrorAlert error={verify.error} title="Could not verify the model" />
        {verify.data ? <VerificationResult result={verify.data} model={model} /> : null}
      </Stack>
    </Paper>
  );
}

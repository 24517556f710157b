import { Anchor, Badge, Button, Center, Code, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { ApiError } from '../../api/ApiError';
import { type Alias, useAliases } from '../../api/aliases';
import { type LogicalModel, useDeleteModel, useModel } from '../../api/models';
import { ConfirmAction } from '../../components/ConfirmAction';
import { EmptyMessage } from '../../components/EmptyMessage';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../lib/format';
import { navigate, pageHref } from '../../lib/navigation';
import { AudienceCard } from './AudienceCard';
import { ModelPoolCard } from './ModelPoolCard';
import { ModelSettingsCard } from './ModelSettingsCard';
import { audienceSummary } from './modelForm';
import { VerifyCard } from './VerifyCard';

const backLink = (
  <Anchor href={pageHref('models')} size="sm">
    ← All models
  </Anchor>
);

function DetailHeader({ model, servingAliases }: { model: LogicalModel; servingAliases: Alias[] }) {
  const remove = useDeleteModel();
  const names = servingAliases.map((alias) => alias.id);
  return (
    <Stack gap="xs" mb="md">
      {backLink}
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <div>
          <Group gap="xs">
            <Title order={2} style={{ wordBreak: 'break-all' }}>
              {model.id}
            </Title>
            <Badge variant="light" color={model.kind === 'chat' ? 'blue' : 'grape'}>
              {model.kind}
            </Badge>
            <Badge variant="light" color={model.enabled ? 'teal' : 'gray'}>
              {model.enabled ? 'enabled' : 'disabled'}
            </Badge>
          </Group>
          <Text size="sm" c="dimmed" mt={4}>
            {model.deployments.length} deployment{model.deployments.length === 1 ? '' : 's'} · audience:{' '}
            {audienceSummary(model.audience).toLowerCase()} · changed {formatDateTime(model.updatedAt)}
          </Text>
        </div>
        <ConfirmAction
          permission="models.write"
          blockedReason={
            names.length > 0
              ? `Served by the alias ${names.join(', ')}: move or delete the alias first.`
              : null
          }
          label="Delete model"
          title="Delete model"
          variant="light"
          size="sm"
          message={`Delete the model “${model.id}” and its pool? Clients calling it get a model-not-found error from the next request on. This cannot be undone.`}
          confirmLabel="Delete"
          onConfirm={async () => {
            await remove.mutateAsync(model.id);
            navigate('models');
          }}
        />
      </Group>
    </Stack>
  );
}

function ServingAliases({ aliases }: { aliases: Alias[] }) {
  if (aliases.length === 0) return null;
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={4}>Aliases serving this version</Title>
      <Stack gap={4} mt="xs">
        {aliases.map((alias) => (
          <Text key={alias.id} size="sm">
            <Code>{alias.id}</Code> points here
            {alias.movedAt ? ` since ${formatDateTime(alias.movedAt)}` : ''}. Move it on the{' '}
            <Anchor href={pageHref('models')} size="sm">
              models list
            </Anchor>
            .
          </Text>
        ))}
      </Stack>
    </Paper>
  );
}

/** A name that is not a model: an alias (shown with a link to the version it serves), or nothing. */
function NotAModel({ name, error }: { name: string; error: unknown }) {
  const aliases = useAliases();
  const alias = aliases.data?.find((entry) => entry.id === name);
  if (aliases.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading aliases" />
      </Center>
    );
  }
  return (
    <Stack>
      {backLink}
      {alias ? (
        <EmptyMessage
          title={`${name} is an alias`}
          description={
            <>
              It serves the version <Code>{alias.modelId}</Code>. Move it or roll it back in the Aliases
              section of the models list.
            </>
          }
          action={
            <Button component="a" href={pageHref('models', alias.modelId)} variant="light">
              Open {alias.modelId}
            </Button>
          }
        />
      ) : (
        <EmptyMessage
          title="No such model"
          description={`There is no model named “${name}”. It may have been deleted.`}
        />
      )}
      {aliases.isError ? <ErrorAlert error={aliases.error} title="Could not load aliases" /> : null}
      {!(error instanceof ApiError && error.status === 404) ? <ErrorAlert error={error} /> : null}
    </Stack>
  );
}

/** `#/models/<name>`: settings, pool, audience and verification of one logical model. */
export function ModelDetail({ name }: { name: string }) {
  const model = useModel(name);
  const aliases = useAliases();

  if (model.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the model" />
      </Center>
    );
  }
  if (model.isError) {
    if (model.error instanceof ApiError && model.error.status === 404) {
      return <NotAModel name={name} error={model.error} />;
    }
    return (
      <Stack>
        {backLink}
        <ErrorAlert error={model.error} title={`Could not load ${name}`}>
          <Button size="xs" variant="light" color="red" mt="sm" onClick={() => model.refetch()}>
            Retry
          </Button>
        </ErrorAlert>
      </Stack>
    );
  }
  const data = model.data;
  const serving = (aliases.data ?? []).filter((alias) => alias.modelId === data.id);
  return (
    <>
      <DetailHeader model={data} servingAliases={serving} />
      {data.description ? (
        <Text size="sm" mb="md">
          {data.description}
        </Text>
      ) : null}
      <Stack>
        <ModelSettingsCard model={data} servingAliases={serving.map((alias) => alias.id)} />
        <ModelPoolCard model={data} />
        <AudienceCard model={data} />
        <VerifyCard model={data} />
        <ServingAliases aliases={serving} />
      </Stack>
    </>
  );
}

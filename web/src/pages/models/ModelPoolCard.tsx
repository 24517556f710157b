import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { type LogicalModel, useProviderEntries, useUpdateModel } from '../../api/models';
import { useProviderTypes } from '../../api/providers';
import { useCan } from '../../api/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PermissionButton } from '../../components/GuardedButton';
import {
  type PoolRow,
  poolHasProblems,
  poolRowsOf,
  poolUnchanged,
  toPoolInput,
  validatePool,
} from './modelForm';
import { PoolEditor, PoolTable } from './PoolEditor';

/** The pool: edited in place by roles with `models.write` (saved as a whole), a table for the others. */
export function ModelPoolCard({ model }: { model: LogicalModel }) {
  const canWrite = useCan('models.write');
  const canReadProviders = useCan('providers.read');
  const providers = useProviderEntries(canReadProviders);
  const providerTypes = useProviderTypes();
  const update = useUpdateModel();
  const [rows, setRows] = useState<PoolRow[]>(() => poolRowsOf(model.deployments));
  const [submitted, setSubmitted] = useState(false);

  const problems = validatePool(rows);
  const unchanged = poolUnchanged(rows, model.deployments);

  const save = () => {
    setSubmitted(true);
    if (poolHasProblems(problems) || unchanged) return;
    update.mutate({ id: model.id, patch: { deployments: toPoolInput(rows) } });
  };
  const reset = () => {
    setRows(poolRowsOf(model.deployments));
    setSubmitted(false);
    update.reset();
  };

  return (
    <Paper withBorder p="md" radius="md" aria-label="Pool">
      <Stack>
        <div>
          <Title order={4}>Pool</Title>
          <Text size="sm" c="dimmed">
            The deployments that serve {model.id}. Requests go to the lowest priority first, spread by weight
            among equal priorities; the next priority takes over on failure.
          </Text>
        </div>
        {canWrite ? (
          <>
            <PoolEditor
              rows={rows}
              onChange={(next) => {
                update.reset();
                setRows(next);
              }}
              errors={submitted ? problems : undefined}
              apiError={update.error}
              providers={providers.data}
              providerTypes={providerTypes.data}
              providersProblem={providers.isError ? 'Could not load provider entries' : undefined}
            />
            <ErrorAlert error={update.error} title="Could not save the pool" />
            <Group justify="flex-end" gap="sm">
              {update.isSuccess && unchanged ? (
                <Text size="sm" c="teal" role="status">
                  Pool saved
                </Text>
              ) : null}
              {!unchanged ? (
                <Button variant="default" onClick={reset} disabled={update.isPending}>
                  Discard changes
                </Button>
              ) : null}
              <PermissionButton
                permission="models.write"
                onClick={save}
                loading={update.isPending}
                blockedReason={unchanged ? 'Nothing changed yet' : null}
              >
                Save pool
              </PermissionButton>
            </Group>
          </>
        ) : (
          <PoolTable members={model.deployments} providers={providers.data} />
        )}
      </Stack>
    </Paper>
  );
}

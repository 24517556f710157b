import { Badge, Code, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useDeleteModel, useModels } from '../../api/models';
import { useCan } from '../../api/session';
import type { Model } from '../../api/types';
import { ConfirmAction } from '../../components/ConfirmAction';
import { EmptyMessage } from '../../components/EmptyMessage';
import { PermissionButton } from '../../components/GuardedButton';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { AddModelModal } from './AddModelModal';

/** One model; Delete only for roles with `models.write`. */
function ModelRow({ model, canWrite }: { model: Model; canWrite: boolean }) {
  const remove = useDeleteModel();
  return (
    <Table.Tr>
      <Table.Td>
        <Code>{model.id}</Code>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={model.kind === 'chat' ? 'blue' : 'grape'}>
          {model.kind}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Stack gap={2}>
          {model.deployments.length === 0
            ? '—'
            : model.deployments.map((deployment) => (
                <Text key={`${deployment.providerId}/${deployment.upstreamModel}`} size="sm">
                  {deployment.providerId} → {deployment.upstreamModel}
                </Text>
              ))}
        </Stack>
      </Table.Td>
      <Table.Td>{model.dimension ?? '—'}</Table.Td>
      <Table.Td>
        <Badge color={model.enabled ? 'teal' : 'gray'} variant="light">
          {model.enabled ? 'enabled' : 'disabled'}
        </Badge>
      </Table.Td>
      {canWrite ? (
        <Table.Td>
          <ConfirmAction
            label="Delete"
            title="Delete model"
            message={`Delete the model “${model.id}”? Clients calling it will get an error.`}
            onConfirm={() => remove.mutateAsync(model.id)}
          />
        </Table.Td>
      ) : null}
    </Table.Tr>
  );
}

export function ModelsPage() {
  const models = useModels();
  const [adding, setAdding] = useState(false);
  const canWrite = useCan('models.write');
  const addButton = (
    <PermissionButton permission="models.write" onClick={() => setAdding(true)}>
      Add model
    </PermissionButton>
  );

  return (
    <>
      <PageHeader
        title="Models"
        description="The model names clients call, and where each one is deployed."
        action={addButton}
      />
      <QueryState query={models} label="models">
        {(data) =>
          data.length === 0 ? (
            <EmptyMessage
              title="No models yet"
              description="Add a model and point it at a provider's upstream model; clients then call it by name."
              action={addButton}
            />
          ) : (
            <Table.ScrollContainer minWidth={700}>
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Kind</Table.Th>
                    <Table.Th>Deployments</Table.Th>
                    <Table.Th>Dimension</Table.Th>
                    <Table.Th>Status</Table.Th>
                    {canWrite ? <Table.Th aria-label="Actions" /> : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((model) => (
                    <ModelRow key={model.id} model={model} canWrite={canWrite} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <AddModelModal opened={adding} onClose={() => setAdding(false)} />
    </>
  );
}

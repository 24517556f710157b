import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  List,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import {
  type Alias,
  useAliases,
  useAliasHistory,
  useCreateAlias,
  useDeleteAlias,
  useMoveAlias,
  useRollbackAlias,
} from '../../api/aliases';
import { type LogicalModel, useModels } from '../../api/models';
import { ConfirmAction } from '../../components/ConfirmAction';
import { EmptyMessage } from '../../components/EmptyMessage';
import { ErrorAlert } from '../../components/ErrorAlert';
import { GuardedButton, PermissionButton, useMissingPermission } from '../../components/GuardedButton';
import { QueryState } from '../../components/QueryState';
import { formatDateTime } from '../../lib/format';
import { pageHref } from '../../lib/navigation';
import { assessMove, historyActionLabel } from './aliasForm';
import { validateModelName } from './modelForm';

const REEMBED_CONFIRMATION = 'I understand existing embeddings must be re-computed';

function versionOption(model: LogicalModel) {
  const details = [
    model.kind,
    model.dimension !== null ? `${model.dimension} dimensions` : null,
    model.enabled ? null : 'disabled',
  ].filter(Boolean);
  return { value: model.id, label: `${model.id} (${details.join(', ')})` };
}

const versionLink = (id: string | null) =>
  id === null ? (
    <Text size="sm" c="dimmed" span>
      —
    </Text>
  ) : (
    <Anchor href={pageHref('models', id)} size="sm">
      {id}
    </Anchor>
  );

// --- Create ---------------------------------------------------------------------------------------------------

function CreateAliasModal({
  opened,
  onClose,
  models,
}: {
  opened: boolean;
  onClose: () => void;
  models: LogicalModel[];
}) {
  const create = useCreateAlias();
  const [id, setId] = useState('');
  const [modelId, setModelId] = useState<string | null>(null);
  const [description, setDescription] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const idProblem = validateModelName(id);

  const close = () => {
    setId('');
    setModelId(null);
    setDescription('');
    setSubmitted(false);
    create.reset();
    onClose();
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (idProblem || !modelId) return;
    create.mutate({ id: id.trim(), modelId, description: description.trim() || null }, { onSuccess: close });
  };

  return (
    <Modal opened={opened} onClose={close} title="Create alias" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label="Alias name"
            description="The stable name clients call, e.g. acme-llm; it must not be a model's name."
            placeholder="acme-llm"
            value={id}
            onChange={(event) => setId(event.currentTarget.value)}
            error={(submitted ? idProblem : undefined) ?? fieldError(create.error, 'id')}
            required
            data-autofocus
          />
          <Select
            label="Version"
            description="The model the alias serves now"
            placeholder={models.length === 0 ? 'Add a model first' : 'Choose a model'}
            data={models.map(versionOption)}
            value={modelId}
            onChange={setModelId}
            error={
              (submitted && !modelId ? 'Choose a version' : undefined) ?? fieldError(create.error, 'modelId')
            }
            searchable
            required
          />
          <Textarea
            label="Description"
            autosize
            minRows={1}
            value={description}
            onChange={(event) => setDescription(event.currentTarget.value)}
            error={fieldError(create.error, 'description')}
          />
          <ErrorAlert error={create.error} title="Could not create the alias" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create alias
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

// --- Move -----------------------------------------------------------------------------------------------------

function MoveAliasModal({
  alias,
  models,
  onClose,
}: {
  alias: Alias | null;
  models: LogicalModel[];
  onClose: () => void;
}) {
  const move = useMoveAlias();
  const [target, setTarget] = useState<string | null>(null);
  const [acknowledged, setAcknowledged] = useState(false);

  const close = () => {
    setTarget(null);
    setAcknowledged(false);
    move.reset();
    onClose();
  };
  if (!alias) return null;

  const current = models.find((model) => model.id === alias.modelId);
  const next = models.find((model) => model.id === target);
  const assessment = assessMove(alias, current, next);
  const candidates = models.filter((model) => model.id !== alias.modelId && model.kind === alias.kind);
  const blocked =
    assessment.blocked ??
    (assessment.needsReembedding && !acknowledged
      ? 'Confirm that existing embeddings must be re-computed'
      : null);
  const acknowledgementError = fieldError(move.error, 'acknowledgeReembedding');

  const submit = () => {
    if (!target || blocked) return;
    move.mutate(
      {
        id: alias.id,
        move: {
          modelId: target,
          ...(assessment.needsReembedding ? { acknowledgeReembedding: acknowledged } : {}),
        },
      },
      { onSuccess: close },
    );
  };

  return (
    <Modal opened onClose={close} title={`Move alias ${alias.id}`} size="lg">
      <Stack>
        <Text size="sm">
          {alias.id} serves <Code>{alias.modelId}</Code> now. After the move it serves the version you pick
          from the next request on; {alias.modelId} stays enabled and becomes the rollback target.
        </Text>
        <Select
          label="Target version"
          placeholder={
            candidates.length === 0 ? `No other ${alias.kind} model to move to` : 'Choose a version'
          }
          data={candidates.map(versionOption)}
          value={target}
          onChange={(value) => {
            move.reset();
            setAcknowledged(false);
            setTarget(value);
          }}
          error={fieldError(move.error, 'modelId')}
          searchable
          required
          data-autofocus
        />
        {next && assessment.dimensionChanges ? (
          <Alert color="red" variant="light" title="Different vector size">
            <Text size="sm">{assessment.blocked}</Text>
          </Alert>
        ) : null}
        {next && assessment.needsReembedding && !assessment.dimensionChanges ? (
          <Alert color="orange" variant="light" title="Re-embedding needed">
            <Stack gap="xs">
              <Text size="sm">
                {alias.id} is an embedding alias. Vectors from {next.id} are not comparable with those stored
                from {alias.modelId}: every document embedded through {alias.id} must be embedded again, or
                searches mix incompatible vectors. Responses report the serving version, so clients can tell.
              </Text>
              <List size="sm">
                <List.Item>
                  Dimension: {alias.dimension ?? '—'} → {next.dimension ?? '—'}
                </List.Item>
                <List.Item>
                  Upstream model:{' '}
                  {assessment.upstreamChanges
                    ? `${current?.deployments.map((m) => m.upstreamModel).join(', ') ?? '?'} → ${next.deployments.map((m) => m.upstreamModel).join(', ')}`
                    : 'the same name, through another version'}
                </List.Item>
              </List>
              <Checkbox
                label={REEMBED_CONFIRMATION}
                checked={acknowledged}
                onChange={(event) => {
                  move.reset();
                  setAcknowledged(event.currentTarget.checked);
                }}
                error={acknowledgementError}
              />
            </Stack>
          </Alert>
        ) : null}
        {next && !assessment.sameKind ? (
          <Alert color="red" variant="light">
            <Text size="sm">{assessment.blocked}</Text>
          </Alert>
        ) : null}
        <ErrorAlert error={move.error} title="Could not move the alias" />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <GuardedButton onClick={submit} loading={move.isPending} blockedReason={blocked}>
            Move alias
          </GuardedButton>
        </Group>
      </Stack>
    </Modal>
  );
}

// --- History --------------------------------------------------------------------------------------------------

function HistoryModal({ alias, onClose }: { alias: Alias | null; onClose: () => void }) {
  const history = useAliasHistory(alias?.id ?? '', alias !== null);
  return (
    <Modal opened={alias !== null} onClose={onClose} title={`History of ${alias?.id ?? ''}`} size="xl">
      {alias ? (
        <QueryState query={history} label="the alias history">
          {(entries) =>
            entries.length === 0 ? (
              <Text size="sm">
                No recorded change. (Changes made before the audit log existed, or at start-up, are not
                listed.)
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={520}>
                <Table aria-label={`History of ${alias.id}`}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>When</Table.Th>
                      <Table.Th>Change</Table.Th>
                      <Table.Th>From</Table.Th>
                      <Table.Th>To</Table.Th>
                      <Table.Th>By</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {entries.map((entry) => (
                      <Table.Tr key={`${entry.at}:${entry.action}:${entry.toModelId}`}>
                        <Table.Td>{formatDateTime(entry.at)}</Table.Td>
                        <Table.Td>{historyActionLabel(entry.action)}</Table.Td>
                        <Table.Td>{versionLink(entry.fromModelId)}</Table.Td>
                        <Table.Td>{versionLink(entry.toModelId)}</Table.Td>
                        <Table.Td>{entry.actor ?? '—'}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )
          }
        </QueryState>
      ) : null}
    </Modal>
  );
}

// --- The list -------------------------------------------------------------------------------------------------

function AliasRow({ alias, onMove, onHistory }: { alias: Alias; onMove: () => void; onHistory: () => void }) {
  const rollback = useRollbackAlias();
  const remove = useDeleteAlias();
  const missingWrite = useMissingPermission('models.write');
  return (
    <Table.Tr>
      <Table.Td>
        <Stack gap={2}>
          <Code>{alias.id}</Code>
          {alias.description ? (
            <Text size="xs" c="dimmed">
              {alias.description}
            </Text>
          ) : null}
        </Stack>
      </Table.Td>
      <Table.Td>
        <Stack gap={2}>
          <Badge variant="light" color={alias.kind === 'chat' ? 'blue' : 'grape'}>
            {alias.kind}
          </Badge>
          {alias.dimension !== null ? (
            <Text size="xs" c="dimmed">
              {alias.dimension} dimensions
            </Text>
          ) : null}
        </Stack>
      </Table.Td>
      <Table.Td>{versionLink(alias.modelId)}</Table.Td>
      <Table.Td>{versionLink(alias.previousModelId)}</Table.Td>
      <Table.Td>{alias.movedAt ? formatDateTime(alias.movedAt) : 'never moved'}</Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap" justify="flex-end">
          <Button size="xs" variant="subtle" onClick={onHistory} aria-label={`History of ${alias.id}`}>
            History
          </Button>
          <GuardedButton
            size="xs"
            variant="subtle"
            onClick={onMove}
            blockedReason={missingWrite}
            aria-label={`Move ${alias.id}`}
          >
            Move
          </GuardedButton>
          <ConfirmAction
            permission="models.write"
            blockedReason={
              alias.previousModelId
                ? null
                : `${alias.id} has not been moved: there is nothing to roll back to`
            }
            label="Roll back"
            ariaLabel={`Roll back ${alias.id}`}
            title={`Roll back ${alias.id}`}
            color="orange"
            message={
              <>
                Point {alias.id} back at <Code>{alias.previousModelId}</Code> (it serves{' '}
                <Code>{alias.modelId}</Code> now), from the next request on.
                {alias.kind === 'embedding'
                  ? ' Vectors embedded since the last move came from the other version and must be re-computed.'
                  : ''}
              </>
            }
            onConfirm={() => rollback.mutateAsync(alias.id)}
          />
          <ConfirmAction
            permission="models.write"
            label="Delete"
            ariaLabel={`Delete ${alias.id}`}
            title="Delete alias"
            message={`Delete the alias “${alias.id}”? Clients calling it get a model-not-found error; the version ${alias.modelId} stays.`}
            onConfirm={() => remove.mutateAsync(alias.id)}
          />
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

/** Aliases over model versions: where each points, its rollback target, history; create, move, roll back. */
export function AliasesSection() {
  const aliases = useAliases();
  const models = useModels();
  const [creating, setCreating] = useState(false);
  const [moving, setMoving] = useState<Alias | null>(null);
  const [viewing, setViewing] = useState<Alias | null>(null);

  const createButton = (
    <PermissionButton permission="models.write" variant="light" onClick={() => setCreating(true)}>
      Create alias
    </PermissionButton>
  );

  return (
    <Stack mt="xl" component="section" aria-label="Aliases">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={3}>Aliases</Title>
          <Text size="sm" c="dimmed">
            A stable name pointing at one model version. Moving it switches traffic from the next request; the
            old version stays enabled and a rollback returns to it.
          </Text>
        </div>
        {createButton}
      </Group>
      <QueryState query={aliases} label="aliases">
        {(data) =>
          data.length === 0 ? (
            <EmptyMessage
              title="No aliases yet"
              description="Create one to give clients a stable name (acme-llm) over pinned versions (acme-llm-2026-04)."
              action={createButton}
            />
          ) : (
            <Table.ScrollContainer minWidth={820}>
              <Table striped aria-label="Aliases">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Alias</Table.Th>
                    <Table.Th>Kind</Table.Th>
                    <Table.Th>Serves</Table.Th>
                    <Table.Th>Rollback target</Table.Th>
                    <Table.Th>Last moved</Table.Th>
                    <Table.Th aria-label="Actions" />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((alias) => (
                    <AliasRow
                      key={alias.id}
                      alias={alias}
                      onMove={() => setMoving(alias)}
                      onHistory={() => setViewing(alias)}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <CreateAliasModal opened={creating} onClose={() => setCreating(false)} models={models.data ?? []} />
      <MoveAliasModal
        key={moving?.id ?? 'none'}
        alias={moving}
        models={models.data ?? []}
        onClose={() => setMoving(null)}
      />
      <HistoryModal alias={viewing} onClose={() => setViewing(null)} />
    </Stack>
  );
}

import { Badge, Group, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { type Budget, budgetPeriodLabels, useBudgets, useDeleteBudget } from '../../api/budgets';
import type { ApiKeyView } from '../../api/keys';
import { useCan } from '../../api/session';
import { ConfirmAction } from '../../components/ConfirmAction';
import { EmptyMessage } from '../../components/EmptyMessage';
import { GuardedButton, PermissionButton } from '../../components/GuardedButton';
import { QueryState } from '../../components/QueryState';
import { formatDateTime } from '../../lib/format';
import { BudgetModal } from './BudgetModal';
import { formatTokens, formatUsd } from './budgetForm';

/** Spent against a limit, as a bar and text ("$12.00 of $250.00"). */
function Spend({ spent, limit, text }: { spent: number; limit: number | null; text: string }) {
  if (limit === null) return <Text size="sm">{text}</Text>;
  const percent = limit > 0 ? Math.min(100, (spent / limit) * 100) : 100;
  return (
    <Stack gap={2} miw={140}>
      <Text size="sm">{text}</Text>
      <Progress
        value={percent}
        color={percent >= 100 ? 'red' : percent >= 80 ? 'orange' : 'teal'}
        size="sm"
        aria-label={`${Math.round(percent)}% spent`}
      />
    </Stack>
  );
}

function BudgetRow({
  budget,
  canWrite,
  onEdit,
}: {
  budget: Budget;
  canWrite: boolean;
  onEdit?: (budget: Budget) => void;
}) {
  const remove = useDeleteBudget();
  const status = budget.status;
  return (
    <Table.Tr>
      <Table.Td>{budget.name}</Table.Td>
      <Table.Td>
        {budgetPeriodLabels[budget.period] ?? budget.period}
        {status ? (
          <Text size="xs" c="dimmed">
            {status.window.end
              ? `until ${formatDateTime(status.window.end)}`
              : `since ${formatDateTime(status.window.start)}`}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        {budget.limitUsd === null ? (
          status ? (
            <Text size="sm">{formatUsd(status.spentUsd)} spent</Text>
          ) : (
            '—'
          )
        ) : status ? (
          <Spend
            spent={Number(status.spentUsd) + Number(status.reservedUsd)}
            limit={Number(budget.limitUsd)}
            text={`${formatUsd(status.spentUsd)} of ${formatUsd(budget.limitUsd)}`}
          />
        ) : (
          `limit ${formatUsd(budget.limitUsd)}`
        )}
      </Table.Td>
      <Table.Td>
        {budget.limitTokens === null ? (
          status ? (
            <Text size="sm">{formatTokens(status.spentTokens)} used</Text>
          ) : (
            '—'
          )
        ) : status ? (
          <Spend
            spent={status.spentTokens + status.reservedTokens}
            limit={budget.limitTokens}
            text={`${formatTokens(status.spentTokens)} of ${formatTokens(budget.limitTokens)}`}
          />
        ) : (
          `limit ${formatTokens(budget.limitTokens)}`
        )}
      </Table.Td>
      <Table.Td>{budget.alertAtPercent === null ? '—' : `${budget.alertAtPercent}%`}</Table.Td>
      <Table.Td>
        <Badge variant="light" color={budget.enabled ? 'teal' : 'gray'}>
          {budget.enabled ? 'enabled' : 'disabled'}
        </Badge>
      </Table.Td>
      {onEdit ? (
        <Table.Td>
          {canWrite ? (
            <Group gap={4} wrap="nowrap" justify="flex-end">
              <GuardedButton size="xs" variant="subtle" onClick={() => onEdit(budget)}>
                Edit
              </GuardedButton>
              <ConfirmAction
                label="Delete"
                title="Delete budget"
                message={`Delete the budget “${budget.name}”? The key is no longer held to its limits.`}
                onConfirm={() => remove.mutateAsync(budget.id)}
              />
            </Group>
          ) : null}
        </Table.Td>
      ) : null}
    </Table.Tr>
  );
}

function BudgetTable({
  budgets,
  canWrite,
  onEdit,
  label,
}: {
  budgets: Budget[];
  canWrite: boolean;
  onEdit?: (budget: Budget) => void;
  label: string;
}) {
  return (
    <Table.ScrollContainer minWidth={800}>
      <Table striped aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Window</Table.Th>
            <Table.Th>USD (spent of limit)</Table.Th>
            <Table.Th>Tokens (used of limit)</Table.Th>
            <Table.Th>Alert</Table.Th>
            <Table.Th>Status</Table.Th>
            {onEdit ? <Table.Th aria-label="Actions" /> : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {budgets.map((budget) => (
            <BudgetRow key={budget.id} budget={budget} canWrite={canWrite} onEdit={onEdit} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The key's budgets with the current window's spend, and its team's budgets (which also apply). */
export function BudgetsSection({ apiKey }: { apiKey: ApiKeyView }) {
  const keyBudgets = useBudgets({ keyId: apiKey.id });
  const teamBudgets = useBudgets({ teamId: apiKey.teamId });
  const canWrite = useCan('budgets.write');
  const [editing, setEditing] = useState<Budget | null>(null);
  const [adding, setAdding] = useState(false);
  const addButton = (
    <PermissionButton
      permission="budgets.write"
      variant="light"
      size="xs"
      onClick={() => setAdding(true)}
      blockedReason={apiKey.revokedAt ? 'This key is revoked.' : null}
    >
      Add budget
    </PermissionButton>
  );
  const teamOnly = (teamBudgets.data ?? []).filter((budget) => budget.scope === 'team');

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={3}>Budgets</Title>
          <Text size="sm" c="dimmed">
            Requests are refused once a window's limit is spent (cost is reserved before each call and settled
            after it).
          </Text>
        </div>
        {addButton}
      </Group>
      <QueryState query={keyBudgets} label="budgets">
        {(budgets) =>
          budgets.length === 0 ? (
            <EmptyMessage
              title="No budget for this key"
              description="Add a budget to cap its spend in USD or tokens per day, week, month or lifetime."
              action={addButton}
            />
          ) : (
            <BudgetTable budgets={budgets} canWrite={canWrite} onEdit={setEditing} label="Key budgets" />
          )
        }
      </QueryState>
      {teamOnly.length > 0 ? (
        <div>
          <Text fw={500} size="sm" mb={4}>
            Team budgets (they also apply to this key)
          </Text>
          <BudgetTable budgets={teamOnly} canWrite={false} label="Team budgets" />
        </div>
      ) : null}
      <BudgetModal
        opened={adding || editing !== null}
        keyId={apiKey.id}
        budget={editing}
        onClose={() => {
          setAdding(false);
          setEditing(null);
        }}
      />
    </Stack>
  );
}

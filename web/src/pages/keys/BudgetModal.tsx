import { Button, Checkbox, Group, Modal, Stack } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import { type Budget, useCreateBudget, useUpdateBudget } from '../../api/budgets';
import { ErrorAlert } from '../../components/ErrorAlert';
import { BudgetFields } from './BudgetFields';
import { type BudgetDraft, budgetDraft, budgetInput, budgetProblems, newBudgetDraft } from './budgetForm';

interface BudgetModalProps {
  /** The key the new budget is for. */
  keyId: string;
  /** The budget to change; a new one is created without it. */
  budget: Budget | null;
  onClose: () => void;
}

function BudgetForm({ keyId, budget, onClose }: BudgetModalProps) {
  const [draft, setDraft] = useState<BudgetDraft>(() => (budget ? budgetDraft(budget) : newBudgetDraft()));
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateBudget();
  const update = useUpdateBudget();
  const mutation = budget ? update : create;
  const local = budgetProblems(draft);
  const field = (name: keyof typeof local) =>
    (submitted ? local[name] : undefined) ?? fieldError(mutation.error, name);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.values(local).some(Boolean)) return;
    try {
      if (budget) await update.mutateAsync({ id: budget.id, patch: budgetInput(draft) });
      else await create.mutateAsync({ ...budgetInput(draft), scope: 'key', keyId });
      onClose();
    } catch {
      // shown below
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <BudgetFields
          value={draft}
          onChange={setDraft}
          problems={{
            name: field('name'),
            limitUsd: field('limitUsd'),
            limitTokens: field('limitTokens'),
            alertAtPercent: field('alertAtPercent'),
          }}
        />
        <Checkbox
          label="Enabled"
          checked={draft.enabled}
          onChange={(event) => setDraft({ ...draft, enabled: event.currentTarget.checked })}
        />
        <ErrorAlert
          error={mutation.error}
          title={budget ? 'Could not save the budget' : 'Could not add the budget'}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={mutation.isPending}>
            {budget ? 'Save budget' : 'Add budget'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function BudgetModal({ opened, ...props }: BudgetModalProps & { opened: boolean }) {
  return (
    <Modal
      opened={opened}
      onClose={props.onClose}
      title={props.budget ? 'Edit budget' : 'Add budget'}
      size="lg"
    >
      {opened ? <BudgetForm {...props} /> : null}
    </Modal>
  );
}

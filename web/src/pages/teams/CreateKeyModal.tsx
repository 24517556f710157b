import {
  ActionIcon,
  Button,
  Divider,
  Group,
  Modal,
  Paper,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { errorMessage, fieldError } from '../../api/ApiError';
import { createBudget, useInvalidateBudgets } from '../../api/budgets';
import { type CreateKeyInput, isTeamScoped, useCreateKey, useKeyEnvironments } from '../../api/keys';
import { useCan, useSession } from '../../api/session';
import type { Team } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { BudgetFields } from '../keys/BudgetFields';
import { type BudgetDraft, budgetInput, budgetProblems, newBudgetDraft } from '../keys/budgetForm';
import { KeyOptionFields } from '../keys/KeyOptionFields';
import { emptyKeyOptions, keyOptionProblems, keySettingsInput } from '../keys/keyForm';

/** What the caller shows once the key exists: the one-time secret, and any budget that could not be added. */
export interface KeyCreation {
  keyId: string;
  name: string;
  secret: string;
  budgetFailures: { name: string; message: string }[];
}

interface CreateKeyModalProps {
  opened: boolean;
  teams: Team[];
  onClose: () => void;
  /** Receives the one-time secret; the caller shows it and must not keep it. */
  onCreated: (creation: KeyCreation) => void;
}

const FALLBACK_ENVIRONMENTS = ['production', 'staging'];

function CreateKeyForm({ teams, onClose, onCreated }: Omit<CreateKeyModalProps, 'opened'>) {
  const { data: me } = useSession();
  const operator = !isTeamScoped(me);
  const canBudget = useCan('budgets.write');
  const environments = useKeyEnvironments(useCan('environments.read'));
  const [name, setName] = useState('');
  const [chosenTeam, setTeamId] = useState<string | null>(null);
  const [environment, setEnvironment] = useState('production');
  const [options, setOptions] = useState(emptyKeyOptions);
  const [budgets, setBudgets] = useState<BudgetDraft[]>([]);
  const [submitted, setSubmitted] = useState(false);
  const [pendingBudgets, setPendingBudgets] = useState(false);
  const create = useCreateKey();
  const invalidateBudgets = useInvalidateBudgets();

  // A team-bound role sees only its own team: it is chosen for them.
  const teamId = chosenTeam ?? (teams.length === 1 ? (teams[0]?.id ?? null) : null);
  const environmentNames = environments.data?.map((each) => each.id) ?? FALLBACK_ENVIRONMENTS;

  const problems = {
    name: name.trim() ? undefined : 'Required',
    teamId: teamId ? undefined : 'Choose a team',
    ...keyOptionProblems(options),
  };
  const budgetChecks = budgets.map(budgetProblems);
  const invalid =
    Boolean(problems.name || problems.teamId || problems.expires) ||
    budgetChecks.some((each) => Object.values(each).some(Boolean));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (invalid || !teamId) return;
    const input: CreateKeyInput = {
      name: name.trim(),
      teamId,
      environment,
      ...keySettingsInput(options, operator),
    };
    if (input.consumer === null) delete input.consumer;
    if (input.expiresAt === null) delete input.expiresAt;
    let created: Awaited<ReturnType<typeof create.mutateAsync>>;
    try {
      created = await create.mutateAsync(input);
    } catch {
      return; // create.error is shown below
    }
    const { secret, key } = created;
    create.reset(); // drops the mutation result so the secret is not kept in the query client
    const budgetFailures: KeyCreation['budgetFailures'] = [];
    if (budgets.length > 0) {
      setPendingBudgets(true);
      for (const draft of budgets) {
        try {
          await createBudget({ ...budgetInput(draft), scope: 'key', keyId: key.id });
        } catch (error) {
          budgetFailures.push({ name: draft.name.trim(), message: errorMessage(error) });
        }
      }
      setPendingBudgets(false);
      await invalidateBudgets();
    }
    onCreated({ keyId: key.id, name: key.name, secret, budgetFailures });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label="Name"
          placeholder="search-backend"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={(submitted ? problems.name : undefined) ?? fieldError(create.error, 'name')}
          required
          data-autofocus
        />
        <Group grow align="flex-start">
          <Select
            label="Team"
            placeholder={teams.length === 0 ? 'Create a team first' : 'Choose a team'}
            data={teams.map((team) => ({ value: team.id, label: team.name }))}
            value={teamId}
            onChange={setTeamId}
            error={(submitted ? problems.teamId : undefined) ?? fieldError(create.error, 'teamId')}
            searchable
            required
          />
          <Select
            label="Environment"
            data={environmentNames}
            value={environment}
            onChange={(value) => value && setEnvironment(value)}
            allowDeselect={false}
            error={fieldError(create.error, 'environment')}
          />
        </Group>
        <KeyOptionFields
          value={options}
          onChange={setOptions}
          error={create.error}
          expiresProblem={problems.expires}
          operator={operator}
        />
        {canBudget ? (
          <>
            <Divider label="Budgets" labelPosition="left" />
            <Text size="xs" c="dimmed">
              Optional: caps on this key's spend, added right after the key is created.
            </Text>
            {budgets.map((draft, index) => {
              const checks = submitted ? (budgetChecks[index] ?? {}) : {};
              return (
                <Paper key={draft.uid} withBorder p="sm">
                  <Stack gap="xs">
                    <Group justify="space-between">
                      <Text size="sm" fw={500}>
                        Budget {index + 1}
                      </Text>
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Remove budget ${index + 1}`}
                        onClick={() => setBudgets(budgets.filter((_, at) => at !== index))}
                      >
                        ×
                      </ActionIcon>
                    </Group>
                    <BudgetFields
                      labelPrefix={`Budget ${index + 1}`}
                      value={draft}
                      onChange={(next) => setBudgets(budgets.map((each, at) => (at === index ? next : each)))}
                      problems={checks}
                    />
                  </Stack>
                </Paper>
              );
            })}
            <Group>
              <Button
                size="xs"
                variant="light"
                onClick={() =>
                  setBudgets([...budgets, newBudgetDraft(budgets.length === 0 ? 'monthly' : '')])
                }
              >
                Add a budget
              </Button>
            </Group>
          </>
        ) : null}
        <ErrorAlert error={create.error} title="Could not create the key" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={pendingBudgets}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending || pendingBudgets} disabled={teams.length === 0}>
            Create key
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Issues an API key with its settings, limits and budgets; the secret goes to `onCreated` once. */
export function CreateKeyModal({ opened, teams, onClose, onCreated }: CreateKeyModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Create API key" size="lg">
      {opened ? <CreateKeyForm teams={teams} onClose={onClose} onCreated={onCreated} /> : null}
    </Modal>
  );
}

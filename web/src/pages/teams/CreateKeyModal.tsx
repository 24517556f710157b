import { Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import { useCreateKey } from '../../api/keys';
import type { CreateKeyInput, Environment, Team } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { todayInputValue } from '../../lib/format';

interface CreateKeyModalProps {
  opened: boolean;
  teams: Team[];
  onClose: () => void;
  /** Receives the one-time secret; the caller shows it and must not keep it. */
  onCreated: (secret: string) => void;
}

/** `YYYY-MM-DD` from a date input → the end of that day in local time, as an ISO timestamp. */
function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59.999`).toISOString();
}

export function CreateKeyModal({ opened, teams, onClose, onCreated }: CreateKeyModalProps) {
  const [name, setName] = useState('');
  const [teamId, setTeamId] = useState<string | null>(null);
  const [environment, setEnvironment] = useState<Environment>('production');
  const [consumer, setConsumer] = useState('');
  const [expires, setExpires] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateKey();

  const today = todayInputValue();
  const problems = {
    name: name.trim() ? undefined : 'Required',
    teamId: teamId ? undefined : 'Choose a team',
    expiresAt: expires && expires < today ? 'Must be today or later' : undefined,
  };
  const invalid = Object.values(problems).some(Boolean);

  const reset = () => {
    setName('');
    setTeamId(null);
    setEnvironment('production');
    setConsumer('');
    setExpires('');
    setSubmitted(false);
    create.reset();
  };

  const close = () => {
    reset();
    onClose();
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (invalid || !teamId) return;
    const input: CreateKeyInput = { name: name.trim(), teamId, environment };
    if (consumer.trim()) input.consumer = consumer.trim();
    if (expires) input.expiresAt = endOfDay(expires);
    try {
      const created = await create.mutateAsync(input);
      reset(); // drops the mutation result so the secret is not kept in the query client
      onCreated(created.secret);
    } catch {
      // create.error is shown below
    }
  };

  return (
    <Modal opened={opened} onClose={close} title="Create API key">
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
            data={[
              { value: 'production', label: 'Production' },
              { value: 'staging', label: 'Staging' },
            ]}
            value={environment}
            onChange={(value) => value && setEnvironment(value as Environment)}
            allowDeselect={false}
            error={fieldError(create.error, 'environment')}
          />
          <TextInput
            label="Consumer"
            description="Optional: the application or person using this key."
            value={consumer}
            onChange={(event) => setConsumer(event.currentTarget.value)}
            error={fieldError(create.error, 'consumer')}
          />
          <TextInput
            type="date"
            label="Expires"
            description="Optional: the key stops working after the end of this day."
            min={today}
            value={expires}
            onChange={(event) => setExpires(event.currentTarget.value)}
            error={problems.expiresAt ?? fieldError(create.error, 'expiresAt')}
          />
          <ErrorAlert error={create.error} title="Could not create the key" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={teams.length === 0}>
              Create key
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

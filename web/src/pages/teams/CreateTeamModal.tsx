import { Button, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import { useCreateTeam } from '../../api/teams';
import { ErrorAlert } from '../../components/ErrorAlert';

interface CreateTeamModalProps {
  opened: boolean;
  onClose: () => void;
}

export function CreateTeamModal({ opened, onClose }: CreateTeamModalProps) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const create = useCreateTeam();

  const close = () => {
    setName('');
    setDescription('');
    setSubmitted(false);
    create.reset();
    onClose();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (!name.trim()) return;
    const trimmed = description.trim();
    create.mutate({ name: name.trim(), ...(trimmed ? { description: trimmed } : {}) }, { onSuccess: close });
  };

  return (
    <Modal opened={opened} onClose={close} title="Create team">
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label="Name"
            placeholder="Search squad"
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            error={(submitted && !name.trim() ? 'Required' : undefined) ?? fieldError(create.error, 'name')}
            required
            data-autofocus
          />
          <Textarea
            label="Description"
            placeholder="Optional"
            value={description}
            onChange={(event) => setDescription(event.currentTarget.value)}
            error={fieldError(create.error, 'description')}
            autosize
            minRows={2}
          />
          <ErrorAlert error={create.error} title="Could not create the team" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create team
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

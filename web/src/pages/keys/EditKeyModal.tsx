import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../../api/ApiError';
import { type ApiKeyView, isTeamScoped, type UpdateKeyInput, useUpdateKey } from '../../api/keys';
import { useSession } from '../../api/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { KeyOptionFields } from './KeyOptionFields';
import { dateInputValue, keyOptionProblems, keyOptions, keySettingsPatch } from './keyForm';

interface EditKeyModalProps {
  opened: boolean;
  apiKey: ApiKeyView;
  onClose: () => void;
}

function EditKeyForm({ apiKey, onClose }: Omit<EditKeyModalProps, 'opened'>) {
  const { data: me } = useSession();
  const operator = !isTeamScoped(me);
  const [name, setName] = useState(apiKey.name);
  const [options, setOptions] = useState(() => keyOptions(apiKey));
  const [submitted, setSubmitted] = useState(false);
  const update = useUpdateKey();
  const problems = {
    name: name.trim() ? undefined : 'Required',
    ...keyOptionProblems(options, dateInputValue(apiKey.expiresAt)),
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (problems.name || problems.expires) return;
    const patch: UpdateKeyInput = keySettingsPatch(options, apiKey, operator);
    if (name.trim() !== apiKey.name) patch.name = name.trim();
    if (Object.keys(patch).length === 0) {
      onClose();
      return;
    }
    try {
      await update.mutateAsync({ id: apiKey.id, patch });
      onClose();
    } catch {
      // shown below and next to the fields
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label="Name"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={(submitted ? problems.name : undefined) ?? fieldError(update.error, 'name')}
          required
          data-autofocus
        />
        <Text size="xs" c="dimmed">
          Team and environment cannot change: issue a new key instead.
        </Text>
        <KeyOptionFields
          value={options}
          onChange={setOptions}
          error={update.error}
          expiresProblem={submitted ? problems.expires : undefined}
          operator={operator}
        />
        <ErrorAlert error={update.error} title="Could not save the key" />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={update.isPending}>
            Save changes
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Changes a key's name, consumer, expiry, metadata and (for operators) allowed models and limits. */
export function EditKeyModal({ opened, apiKey, onClose }: EditKeyModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title="Edit API key" size="lg">
      {opened ? <EditKeyForm apiKey={apiKey} onClose={onClose} /> : null}
    </Modal>
  );
}

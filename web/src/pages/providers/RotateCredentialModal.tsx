import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type AuthMethodName, type ProviderEntry, useRotateCredential } from '../../api/providers';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CredentialFields } from './CredentialFields';
import {
  apiFieldErrors,
  type CredentialState,
  credentialInput,
  credentialKind,
  emptyCredential,
  type FieldErrors,
  validateCredential,
} from './connectForm';

/** The auth method a rotation fills: the entry's own, or an API key for an entry that had no credential. */
export function rotationMethod(
  entry: ProviderEntry,
  typeMethods: readonly AuthMethodName[],
): AuthMethodName | null {
  if (credentialKind(entry.authMethod) !== 'none') return entry.authMethod;
  if (entry.authMethod === 'none' && typeMethods.includes('api-key')) return 'api-key';
  return null;
}

interface RotateCredentialModalProps {
  opened: boolean;
  onClose: () => void;
  entry: ProviderEntry;
  method: AuthMethodName;
}

/** Replaces the entry's credential atomically; the server checks the entry with the new one at once. */
export function RotateCredentialModal({ opened, onClose, entry, method }: RotateCredentialModalProps) {
  const rotate = useRotateCredential();
  const [credential, setCredential] = useState<CredentialState>(emptyCredential);
  const [submitted, setSubmitted] = useState(false);
  const kind = credentialKind(method);
  const local = validateCredential(kind, credential, true);
  const errors: FieldErrors = { ...(submitted ? local : {}), ...apiFieldErrors(rotate.error) };

  const close = () => {
    setCredential(emptyCredential);
    setSubmitted(false);
    rotate.reset();
    onClose();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(local).length > 0) return;
    rotate.mutate({ id: entry.id, credential: credentialInput(kind, credential) }, { onSuccess: close });
  };

  return (
    <Modal opened={opened} onClose={close} title="Rotate credential" size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Text size="sm">
            The new credential replaces{' '}
            {entry.credential ? `the current one (${entry.credential.hint})` : 'none stored'} for{' '}
            {entry.displayName} at once, everywhere; the old one is never sent again. The entry is checked
            with the new credential right after.
          </Text>
          <CredentialFields
            method={method}
            value={credential}
            onChange={(patch) => {
              setCredential((current) => ({ ...current, ...patch }));
              if (rotate.error) rotate.reset();
            }}
            errors={errors}
            labelPrefix="New"
          />
          <ErrorAlert error={rotate.error} title="Could not rotate the credential" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={rotate.isPending}>
              Rotate
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

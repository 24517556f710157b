import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { type ApiKeyView, useRotateKey } from '../../api/keys';
import { ErrorAlert } from '../../components/ErrorAlert';

const graceOptions = [
  { value: '0', label: 'None: the old secret stops working now' },
  { value: '3600', label: '1 hour' },
  { value: '86400', label: '24 hours' },
  { value: '604800', label: '7 days' },
  { value: '2592000', label: '30 days' },
];

interface RotateKeyModalProps {
  apiKey: ApiKeyView | null;
  onClose: () => void;
  /** Receives the new secret once; the caller shows it and must not keep it. */
  onRotated: (secret: string) => void;
}

function RotateForm({ apiKey, onClose, onRotated }: RotateKeyModalProps & { apiKey: ApiKeyView }) {
  const [grace, setGrace] = useState('0');
  const rotate = useRotateKey();
  const confirm = async () => {
    try {
      const { secret } = await rotate.mutateAsync({ id: apiKey.id, gracePeriodSeconds: Number(grace) });
      rotate.reset(); // drops the secret from the mutation cache
      onRotated(secret);
    } catch {
      // shown below
    }
  };
  return (
    <Stack>
      <Text size="sm">
        Issue a new secret for “{apiKey.name}” ({apiKey.prefix}…). Applications must switch to the new secret
        before the old one stops working.
      </Text>
      <Select
        label="Grace period for the old secret"
        data={graceOptions}
        value={grace}
        onChange={(value) => value && setGrace(value)}
        allowDeselect={false}
      />
      <ErrorAlert error={rotate.error} title="Could not rotate the key" />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose} disabled={rotate.isPending}>
          Cancel
        </Button>
        <Button color="orange" onClick={confirm} loading={rotate.isPending}>
          Rotate secret
        </Button>
      </Group>
    </Stack>
  );
}

/** Rotation: a new secret (shown once), the old one working for the chosen grace period. */
export function RotateKeyModal({ apiKey, onClose, onRotated }: RotateKeyModalProps) {
  return (
    <Modal opened={apiKey !== null} onClose={onClose} title="Rotate API key" centered>
      {apiKey ? <RotateForm apiKey={apiKey} onClose={onClose} onRotated={onRotated} /> : null}
    </Modal>
  );
}

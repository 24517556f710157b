import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { CopyField } from './CopyField';

interface SecretModalProps {
  /** The secret to show; the modal is open while it is non-null. */
  secret: string | null;
  title: string;
  onClose: () => void;
}

/** Shows a secret exactly once, with a copy button and a clear warning. */
export function SecretModal({ secret, title, onClose }: SecretModalProps) {
  return (
    <Modal
      opened={secret !== null}
      onClose={onClose}
      title={title}
      size="lg"
      closeOnClickOutside={false}
      closeOnEscape={false}
    >
      <Stack>
        <Alert color="yellow" variant="light" title="Copy it now: you will not see it again">
          <Text size="sm">
            This is the only time the secret is shown. Once you close this dialog it cannot be displayed
            again; if it is lost, revoke the key and create a new one.
          </Text>
        </Alert>
        {secret !== null && <CopyField value={secret} label="Copy secret" />}
        <Group justify="flex-end">
          <Button onClick={onClose}>I have stored it safely</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

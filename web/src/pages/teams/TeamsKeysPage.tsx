import { Divider, Stack } from '@mantine/core';
import { KeysSection } from './KeysSection';
import { TeamsSection } from './TeamsSection';

export function TeamsKeysPage() {
  return (
    <Stack gap="xl">
      <TeamsSection />
      <Divider />
      <KeysSection />
    </Stack>
  );
}

import { Divider, Stack } from '@mantine/core';
import { useCan } from '../../api/session';
import { KeysSection } from './KeysSection';
import { TeamsSection } from './TeamsSection';

export function TeamsKeysPage() {
  const canReadTeams = useCan('teams.read');
  const canReadKeys = useCan('keys.read');
  return (
    <Stack gap="xl">
      {canReadTeams ? <TeamsSection /> : null}
      {canReadTeams && canReadKeys ? <Divider /> : null}
      {canReadKeys ? <KeysSection /> : null}
    </Stack>
  );
}

import { Divider, Stack } from '@mantine/core';
import { useCan } from '../../api/session';
import { usePageDetail } from '../../lib/navigation';
import { KeyPage } from '../keys/KeyPage';
import { KeysSection } from './KeysSection';
import { TeamsSection } from './TeamsSection';

/** `#/teams`: teams and API keys; `#/teams/key/<id>[/<tab>]`: one key's page. */
export function TeamsKeysPage() {
  const detail = usePageDetail();
  const canReadTeams = useCan('teams.read');
  const canReadKeys = useCan('keys.read');
  if (detail[0] === 'key' && detail[1] && canReadKeys) return <KeyPage id={detail[1]} tab={detail[2]} />;
  return (
    <Stack gap="xl">
      {canReadTeams ? <TeamsSection /> : null}
      {canReadTeams && canReadKeys ? <Divider /> : null}
      {canReadKeys ? <KeysSection /> : null}
    </Stack>
  );
}

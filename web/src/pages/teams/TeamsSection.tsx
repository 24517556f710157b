import { Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTeams } from '../../api/teams';
import { EmptyMessage } from '../../components/EmptyMessage';
import { PermissionButton } from '../../components/GuardedButton';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { formatDateTime } from '../../lib/format';
import { CreateTeamModal } from './CreateTeamModal';

export function TeamsSection() {
  const teams = useTeams();
  const [creating, setCreating] = useState(false);
  const createButton = (
    <PermissionButton permission="teams.write" variant="light" onClick={() => setCreating(true)}>
      Create team
    </PermissionButton>
  );

  return (
    <section>
      <PageHeader title="Teams" description="API keys belong to a team." action={createButton} />
      <QueryState query={teams} label="teams">
        {(data) =>
          data.length === 0 ? (
            <EmptyMessage
              title="No teams yet"
              description="Create a team first; you can then issue API keys for it."
              action={createButton}
            />
          ) : (
            <Table.ScrollContainer minWidth={500}>
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Description</Table.Th>
                    <Table.Th>Created</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((team) => (
                    <Table.Tr key={team.id}>
                      <Table.Td>{team.name}</Table.Td>
                      <Table.Td>
                        <Text size="sm" c={team.description ? undefined : 'dimmed'}>
                          {team.description || '—'}
                        </Text>
                      </Table.Td>
                      <Table.Td>{formatDateTime(team.createdAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <CreateTeamModal opened={creating} onClose={() => setCreating(false)} />
    </section>
  );
}

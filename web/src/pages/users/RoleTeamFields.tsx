import { Select } from '@mantine/core';
import type { Team } from '../../api/types';
import { needsTeam, roleOptions } from '../../lib/roles';

interface RoleTeamFieldsProps {
  role: string | null;
  teamId: string | null;
  teams: Team[];
  onRoleChange: (role: string | null) => void;
  onTeamChange: (teamId: string | null) => void;
  roleError?: string | undefined;
  teamError?: string | undefined;
}

/** A role select, and the team select a `developer` needs (hidden for the other roles). */
export function RoleTeamFields({
  role,
  teamId,
  teams,
  onRoleChange,
  onTeamChange,
  roleError,
  teamError,
}: RoleTeamFieldsProps) {
  return (
    <>
      <Select
        label="Role"
        placeholder="Choose a role"
        data={roleOptions}
        value={role}
        onChange={onRoleChange}
        error={roleError}
        allowDeselect={false}
        required
      />
      {needsTeam(role) ? (
        <Select
          label="Team"
          description="A developer sees and changes only this team's keys, usage and request log."
          placeholder={teams.length === 0 ? 'Create a team first (Teams & keys)' : 'Choose a team'}
          data={teams.map((team) => ({ value: team.id, label: team.name }))}
          value={teamId}
          onChange={onTeamChange}
          error={teamError}
          searchable
          required
        />
      ) : null}
    </>
  );
}
